import { fail } from '../../errors.js';
import { describe } from '../../validate.js';

/**
 * What a paired test says of a model and a signal: it `reads` the signal (a large, certain drop
 * when the signal points to another label), shows a `trace` of it (a smaller or less certain drop),
 * or `ignores` it.
 */
export type Verdict = 'reads' | 'trace' | 'ignores';

/** `reads` needs a drop of at least this much (a fraction: 0.05 is 5 percentage points)... */
export const READS_MIN_DROP = 0.05;

/** ...and a McNemar p-value below this. */
export const READS_MAX_P_VALUE = 0.001;

/** `trace` needs a drop above 0 and a McNemar p-value below this (and not `reads`). */
export const TRACE_MAX_P_VALUE = 0.05;

/**
 * The verdict of a drop in accuracy (right signal minus shuffled signal, a fraction) and its
 * McNemar p-value:
 *
 * - `reads`: drop >= {@link READS_MIN_DROP} (5 points) and p < {@link READS_MAX_P_VALUE} (0.001);
 * - `trace`: drop > 0 and p < {@link TRACE_MAX_P_VALUE} (0.05), and not `reads`;
 * - `ignores`: anything else — no drop, a drop that could be chance, and also a significant
 *   advantage of the shuffled signal (a negative drop with a small p-value), which is not evidence
 *   that the model reads the signal as intended.
 *
 * The thresholds are compared exactly: `pairedTest` computes the drop from counts, so 500 more
 * right answers in 10,000 images is a drop of exactly 0.05.
 *
 * @example
 * ```ts
 * import { verdictOf } from 'blindspots/study';
 * verdictOf({ drop: 0.06, pValue: 1e-40 }); //=> 'reads'
 * verdictOf({ drop: 0.01, pValue: 1e-4 }); //=> 'trace'
 * verdictOf({ drop: -0.06, pValue: 1e-40 }); //=> 'ignores'
 * verdictOf({ drop: 0.2, pValue: 2 }); //=> throws INVALID_ARGUMENT argument 'pValue'
 * ```
 */
export function verdictOf(test: { readonly drop: number; readonly pValue: number }): Verdict {
  const fn = 'verdictOf';
  if (test === null || typeof test !== 'object') throw fail('INVALID_ARGUMENT', fn, 'test', 'an object { drop, pValue }', describe(test));
  const { drop, pValue } = test;
  if (typeof drop !== 'number' || !(drop >= -1 && drop <= 1))
    throw fail('INVALID_ARGUMENT', fn, 'drop', 'a number in [-1, 1]', describe(drop));
  if (typeof pValue !== 'number' || !(pValue >= 0 && pValue <= 1))
    throw fail('INVALID_ARGUMENT', fn, 'pValue', 'a probability in [0, 1]', describe(pValue));
  if (drop >= READS_MIN_DROP && pValue < READS_MAX_P_VALUE) return 'reads';
  if (drop > 0 && pValue < TRACE_MAX_P_VALUE) return 'trace';
  return 'ignores';
}
