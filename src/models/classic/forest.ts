import { availableParallelism, setImmediate, spawnWorker, type Worker } from '#platform';
import { createRandom, deriveSeed, randomInt, type Seed } from '../../random.js';
import type { BinnedFeatures } from './binning.js';
import { growTree, type CartOptions, type TreeArrays } from './cart.js';

/** Everything needed to grow tree `t` of a forest: the same inputs give the same tree anywhere. */
export interface ForestJob {
  readonly binned: BinnedFeatures;
  /** Labels of the binned rows. */
  readonly y: Int32Array;
  /** The binned row of each training row (bootstrap samples are drawn over training rows). */
  readonly position: Int32Array;
  readonly numClasses: number;
  readonly cart: CartOptions;
  readonly bootstrap: boolean;
  readonly seed: Seed;
}

/** Grows tree `t`: its random stream comes from (seed, t) only, so scheduling does not matter. */
export function growForestTree(job: ForestJob, t: number, onProgress?: (fraction: number, nodes: number) => void): TreeArrays {
  const rows = job.binned.rows;
  const random = createRandom(deriveSeed(job.seed, `tree${String(t)}`));
  // Plain loops: Int32Array.from over an array-like with a map function cost ~15 ms a tree.
  const sample = new Int32Array(rows);
  if (job.bootstrap) for (let i = 0; i < rows; i++) sample[i] = job.position[randomInt(random, rows)] as number;
  else for (let i = 0; i < rows; i++) sample[i] = i;
  return growTree(job.binned, job.y, job.numClasses, sample, job.cart, random, onProgress);
}

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
 * bins' pages (~4 ms per MiB of page faults on a VM measured here: ~150 ms for 12,500 x 3,072).
 */
export function startForestWorkers(jobs: number, n: number, rows: number, cols: number): ForestWorkers {
  const threads = Math.max(1, Math.min(jobs, n, availableParallelism()));
  if (threads === 1) return { workers: [], rowBins: new Uint8Array(0) };
  const rowBins = new Uint8Array(new SharedArrayBuffer(rows * cols));
  const workers = Array.from({ length: threads }, (_, w) => {
    const worker = spawnWorker(import.meta.url, 'forestWorker');
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
