import { availableParallelism, setImmediate, spawnWorker, type Worker } from '#platform';
import type { TreeArrays } from './cart.js';
import { growForestTree, type ForestJob } from './forestTree.js';

/** Worker threads for a forest (none for one thread) and the row-major bins they will fill. */
export interface ForestWorkers {
  readonly workers: readonly Worker[];
  /** One byte per row and feature, shared; page-faulted by the workers while the caller bins. */
  readonly rowBins: Uint8Array;
}

/** The rows worker `w` of `threads` fills (and page-faults) in the row-major bins. */
function rowShare(rows: number, w: number, threads: number): [number, number] {
  return [Math.floor((rows * w) / threads), Math.floor((rows * (w + 1)) / threads)];
}

/**
 * Starts the worker threads a forest of `n` trees grows on with `jobs` jobs, before the features
 * are binned: their start-up overlaps the binning, and so does their first touch of the row-major
 * bins' pages (page faults, docs/performance.md).
 */
export function startForestWorkers(jobs: number, n: number, rows: number, cols: number): ForestWorkers {
  const threads = Math.max(1, Math.min(jobs, n, availableParallelism()));
  if (threads === 1) return { workers: [], rowBins: new Uint8Array(0) };
  const rowBins = new Uint8Array(new SharedArrayBuffer(rows * cols));
  const workers = Array.from({ length: threads }, (_, w) => {
    const worker = spawnWorker(import.meta.url, 'forestThread');
    const [r0, r1] = rowShare(rows, w, threads);
    worker.postMessage({ prefault: rowBins, from: r0 * cols, to: r1 * cols });
    return worker;
  });
  return { workers, rowBins };
}

/**
 * Grows trees 0..n-1 on the workers of {@link startForestWorkers} (on the calling thread when there
 * are none), calling `onTree` as each finishes; resolves with the trees in index order and
 * terminates the workers. When `job.binned` has no row-major bins, the workers fill them first,
 * each its share of rows. `checkAbort` is called between trees and stops the fit when it throws.
 */
export async function growForest(
  job: ForestJob,
  n: number,
  pool: ForestWorkers,
  onTree: (done: number) => void,
  checkAbort: () => void,
  onSingleTreeProgress?: (fraction: number, nodes: number) => void,
): Promise<TreeArrays[]> {
  const { workers } = pool;
  const trees = new Array<TreeArrays>(n);
  let done = 0;
  if (workers.length === 0) {
    for (let t = 0; t < n; t++) {
      checkAbort();
      trees[t] = growForestTree(job, t, n === 1 ? onSingleTreeProgress : undefined);
      onTree(++done);
      // Let an abort (or other work) in between trees.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    return trees;
  }
  try {
    const { bins, rows, cols } = job.binned;
    if (job.binned.rowBins.length === 0) {
      const rowBins =
        bins.BYTES_PER_ELEMENT === 1
          ? pool.rowBins
          : new (bins.constructor as Uint16ArrayConstructor)(new SharedArrayBuffer(rows * cols * bins.BYTES_PER_ELEMENT));
      await Promise.all(
        workers.map(
          (worker, w) =>
            new Promise<void>((resolve, reject) => {
              worker.once('message', () => resolve());
              worker.once('error', reject);
              worker.postMessage({ fill: { bins, rowBins, rows, cols, share: rowShare(rows, w, workers.length) } });
            }),
        ),
      );
      job = { ...job, binned: { ...job.binned, rowBins } };
    }
    // Trees are handed out one at a time as workers finish (one slower core does not hold back
    // the fit); each tree depends on its index only, so the model does not depend on the order.
    let next = 0;
    await new Promise<void>((resolve, reject) => {
      for (const worker of workers) {
        worker.on('message', (msg: { t: number; tree: TreeArrays }) => {
          trees[msg.t] = msg.tree;
          try {
            checkAbort();
            onTree(++done);
          } catch (e) {
            reject(e instanceof Error ? e : new Error(String(e)));
            return;
          }
          if (next < n) worker.postMessage({ t: next++ });
          if (done === n) resolve();
        });
        worker.on('error', reject);
        worker.on('exit', (code) => {
          if (code !== 0 && done < n) reject(new Error(`forest worker exited with code ${String(code)}`));
        });
        worker.postMessage({ job });
        if (next < n) worker.postMessage({ t: next++ });
      }
    });
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return trees;
}
