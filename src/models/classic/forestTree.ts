// One tree of a forest, on its own so that forest worker threads load only this, the CART code and
// the seeded random stream (forest.ts imports #platform, which loads tfjs: ~+0.3 s a worker).
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
