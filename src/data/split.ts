import { fail } from '../errors.js';
import { createRandom, DEFAULT_SEED, shuffler, type Seed } from '../random.js';
import type { LabelsInput } from '../types.js';
import { checkLabels, checkNumber } from '../validate.js';

/** Sample indices of a split, each sorted ascending. */
export interface Split {
  readonly train: Int32Array;
  readonly test: Int32Array;
}

/**
 * A deterministic stratified train/test split: in each class, a seeded shuffle of its samples puts
 * `round(testFraction * classCount)` of them in the test set. Same labels, fraction and seed, same
 * split, on every machine.
 *
 * @example
 * ```ts
 * import { stratifiedSplit } from 'blindspots/data';
 * const { train, test } = stratifiedSplit([0, 0, 1, 1, 1, 1], 0.5, 42); // 1 + 2 test indices
 * ```
 */
export function stratifiedSplit(labels: LabelsInput, testFraction: number, seed: Seed = DEFAULT_SEED): Split {
  const fn = 'stratifiedSplit';
  const y = checkLabels(fn, labels);
  const f = checkNumber(fn, 'testFraction', testFraction, { min: 0, max: 1 });
  if (f === 0 || f === 1) throw fail('INVALID_ARGUMENT', fn, 'testFraction', 'a fraction strictly between 0 and 1', String(f));
  const byClass = new Map<number, number[]>();
  y.forEach((label, i) => {
    const list = byClass.get(label);
    if (list === undefined) byClass.set(label, [i]);
    else list.push(i);
  });
  const shuffle = shuffler(createRandom(seed));
  const train: number[] = [];
  const test: number[] = [];
  for (const label of [...byClass.keys()].sort((a, b) => a - b)) {
    const members = shuffle(byClass.get(label) as number[]);
    const k = Math.round(f * members.length);
    test.push(...members.slice(0, k));
    train.push(...members.slice(k));
  }
  return { train: Int32Array.from(train).sort(), test: Int32Array.from(test).sort() };
}
