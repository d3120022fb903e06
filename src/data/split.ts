import { fail } from '../errors.js';
import { checkSeed, createRandom, DEFAULT_SEED, shuffler, type Seed } from '../random.js';
import type { LabelsInput } from '../types.js';
import { checkLabels, checkNumber } from '../validate.js';

/** Sample indices of a split, each sorted ascending. */
export interface Split {
  readonly train: Int32Array;
  readonly test: Int32Array;
}

/**
 * A deterministic stratified train/test split: the test set has `round(testFraction * n)` samples,
 * shared among classes in proportion to their counts (largest remainders get the odd ones, lower
 * labels first on ties), each class's drawn by a seeded shuffle of its samples. Same labels,
 * fraction and seed, same split, on every machine.
 *
 * @example
 * ```ts
 * import { stratifiedSplit } from 'blindspots/data';
 * const { train, test } = stratifiedSplit([0, 0, 1, 1, 1, 1], 0.5, 42);
 * test.length; //=> 3
 * ```
 */
export function stratifiedSplit(labels: LabelsInput, testFraction: number, seed: Seed = DEFAULT_SEED): Split {
  return stratifiedSplitOf(labels, testFraction, seed, 'stratifiedSplit');
}

/**
 * {@link stratifiedSplit} on behalf of `fn`, the function the user called, which its errors name.
 *
 * @example
 * ```ts
 * import { stratifiedSplitOf } from './split.js'; // internal
 * stratifiedSplitOf([0, 0, 1, 1, 1, 1], 0.5, 42, 'subsample').test.length; //=> 3
 * stratifiedSplitOf([0, 1], 1, 42, 'subsample'); //=> throws INVALID_ARGUMENT subsample: argument 'testFraction'
 * ```
 */
export function stratifiedSplitOf(labels: LabelsInput, testFraction: number, seed: Seed, fn: string): Split {
  const y = checkLabels(fn, labels);
  checkSeed(fn, 'seed', seed);
  const f = checkNumber(fn, 'testFraction', testFraction, { min: 0, max: 1 });
  if (f === 0 || f === 1) throw fail('INVALID_ARGUMENT', fn, 'testFraction', 'a fraction strictly between 0 and 1', String(f));
  const byClass = new Map<number, number[]>();
  y.forEach((label, i) => {
    const list = byClass.get(label);
    if (list === undefined) byClass.set(label, [i]);
    else list.push(i);
  });
  const shuffle = shuffler(createRandom(seed));
  const classes = [...byClass.keys()].sort((a, b) => a - b);
  const exact = classes.map((label) => f * (byClass.get(label) as number[]).length);
  const quota = exact.map(Math.floor);
  let left = Math.round(f * y.length) - quota.reduce((a, b) => a + b, 0);
  const order = classes
    .map((_, k) => k)
    .sort((a, b) => (exact[b] as number) - (quota[b] as number) - ((exact[a] as number) - (quota[a] as number)) || a - b);
  for (const k of order) {
    if (left <= 0) break;
    quota[k] = (quota[k] as number) + 1;
    left--;
  }
  const train: number[] = [];
  const test: number[] = [];
  classes.forEach((label, k) => {
    const members = shuffle(byClass.get(label) as number[]);
    const q = quota[k] as number;
    test.push(...members.slice(0, q));
    train.push(...members.slice(q));
  });
  return { train: Int32Array.from(train).sort(), test: Int32Array.from(test).sort() };
}
