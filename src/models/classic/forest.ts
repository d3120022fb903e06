import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { spawnWorker } from '../../workers.js';
import { createRandom, deriveSeed, randomInt, type Seed } from '../../random.js';
import type { BinnedFeatures } from './binning.js';
import { growTree, type CartOptions, type TreeArrays } from './cart.js';

/** Everything needed to grow tree `t` of a forest: the same inputs give the same tree anywhere. */
export interface ForestJob {
  readonly binned: BinnedFeatures;
  readonly y: Int32Array;
  readonly numClasses: number;
  readonly cart: CartOptions;
  readonly bootstrap: boolean;
  readonly seed: Seed;
}

/** Grows tree `t`: its random stream comes from (seed, t) only, so scheduling does not matter. */
export function growForestTree(job: ForestJob, t: number, onProgress?: (fraction: number, nodes: number) => void): TreeArrays {
  const rows = job.binned.rows;
  const random = createRandom(deriveSeed(job.seed, `tree${String(t)}`));
  const sample = job.bootstrap ? Int32Array.from({ length: rows }, () => randomInt(random, rows)) : Int32Array.from({ length: rows }, (_, i) => i);
  return growTree(job.binned, job.y, job.numClasses, sample, job.cart, random, onProgress);
}

/**
 * Grows trees 0..n-1 on `jobs` threads (worker threads sharing the binned data), calling `onTree`
 * as each finishes; resolves with the trees in index order. `checkAbort` is called between trees
 * and terminates the workers when it throws.
 */
export async function growForest(
  job: ForestJob,
  n: number,
  jobs: number,
  onTree: (done: number) => void,
  checkAbort: () => void,
  onSingleTreeProgress?: (fraction: number, nodes: number) => void,
): Promise<TreeArrays[]> {
  const threads = Math.max(1, Math.min(jobs, n, availableParallelism()));
  const trees = new Array<TreeArrays>(n);
  let done = 0;
  if (threads === 1) {
    for (let t = 0; t < n; t++) {
      checkAbort();
      trees[t] = growForestTree(job, t, n === 1 ? onSingleTreeProgress : undefined);
      onTree(++done);
      // Let an abort (or other work) in between trees.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    return trees;
  }
  const workers: Worker[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      for (let w = 0; w < threads; w++) {
        const ids = Array.from({ length: n }, (_, t) => t).filter((t) => t % threads === w);
        const worker = spawnWorker(import.meta.url, 'forestWorker');
        workers.push(worker);
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
      }
    });
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return trees;
}
