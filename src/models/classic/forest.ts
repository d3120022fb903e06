import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { spawnWorker } from '../../workers.js';
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

/**
 * The worker threads a forest of `n` trees grows on with `jobs` jobs (none for one thread).
 * Started before the features are binned, so their start-up overlaps the binning.
 */
export function startForestWorkers(jobs: number, n: number): Worker[] {
  const threads = Math.max(1, Math.min(jobs, n, availableParallelism()));
  return threads === 1 ? [] : Array.from({ length: threads }, () => spawnWorker(import.meta.url, 'forestWorker'));
}

/**
 * Grows trees 0..n-1 on `workers` (from {@link startForestWorkers}; the calling thread when there
 * are none), calling `onTree` as each finishes; resolves with the trees in index order and
 * terminates the workers. `checkAbort` is called between trees and stops the fit when it throws.
 */
export async function growForest(
  job: ForestJob,
  n: number,
  workers: readonly Worker[],
  onTree: (done: number) => void,
  checkAbort: () => void,
  onSingleTreeProgress?: (fraction: number, nodes: number) => void,
): Promise<TreeArrays[]> {
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
    await new Promise<void>((resolve, reject) => {
      workers.forEach((worker, w) => {
        const ids = Array.from({ length: n }, (_, t) => t).filter((t) => t % workers.length === w);
        worker.on('message', (msg: { t: number; tree: TreeArrays }) => {
          trees[msg.t] = msg.tree;
          try {
            checkAbort();
            onTree(++done);
          } catch (e) {
            reject(e as Error);
            return;
          }
          if (done === n) resolve();
        });
        worker.on('error', reject);
        worker.on('exit', (code) => {
          if (code !== 0 && done < n) reject(new Error(`forest worker exited with code ${String(code)}`));
        });
        worker.postMessage({ job, ids });
      });
    });
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return trees;
}
