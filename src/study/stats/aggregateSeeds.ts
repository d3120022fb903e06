import { fail } from '../../errors.js';
import { describe } from '../../validate.js';
import type { PairedTestResult } from './pairedTest.js';
import type { Verdict } from './verdict.js';

/** Paired tests of one cell over several seeds, summarised. */
export interface SeedsAggregate {
  /** Seeds (paired tests). */
  readonly n: number;
  readonly meanAccuracy: number;
  readonly meanShuffledAccuracy: number;
  /** Mean of the drops (`accuracy - shuffledAccuracy`, fractions). */
  readonly meanDrop: number;
  /** Smallest and largest drop. */
  readonly spreadDrop: { readonly min: number; readonly max: number };
  /** How many seeds got each verdict. */
  readonly verdicts: { readonly [V in Verdict]: number };
  /** `reads in k of n seeds` when any seed reads, else `trace in k of n seeds` when any shows a trace, else `ignores in n of n seeds`. */
  readonly summary: string;
}

const VERDICTS: readonly Verdict[] = ['reads', 'trace', 'ignores'];

/** Whether `t` has the fields of a paired test that the aggregate reads, with finite numbers and a known verdict. */
function isPairedTest(t: unknown): t is PairedTestResult {
  if (t === null || typeof t !== 'object') return false;
  const { accuracy, shuffledAccuracy, drop, verdict } = t as Record<string, unknown>;
  const finite = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v);
  return finite(accuracy) && finite(shuffledAccuracy) && finite(drop) && VERDICTS.includes(verdict as Verdict);
}

/**
 * Summarises the {@link pairedTest}s of one cell run with several seeds: mean accuracies, mean drop
 * and its range, and the count of each verdict. The summary names the strongest verdict any seed
 * reached and how many seeds reached it: `reads in k of n seeds` if any seed reads the signal,
 * otherwise `trace in k of n seeds` if any shows a trace, otherwise `ignores in n of n seeds`.
 *
 * @example
 * ```ts
 * import { aggregateSeeds, pairedTest } from 'blindspots/study';
 * const labels = Int32Array.from({ length: 1000 }, (_, i) => i % 10);
 * const wrong = (k: number) => labels.map((y, i) => (i < k ? (y + 1) % 10 : y));
 * const seeds = [pairedTest(labels, labels, wrong(900)), pairedTest(labels, labels, wrong(30)), pairedTest(labels, labels, labels)];
 * const all = aggregateSeeds(seeds);
 * all.verdicts; //=> { reads: 1, trace: 1, ignores: 1 }
 * all.summary; //=> 'reads in 1 of 3 seeds'
 * all.spreadDrop; //=> { min: 0, max: 0.9 }
 * aggregateSeeds([]); //=> throws EMPTY_INPUT
 * ```
 */
export function aggregateSeeds(tests: readonly PairedTestResult[]): SeedsAggregate {
  const fn = 'aggregateSeeds';
  if (!Array.isArray(tests)) throw fail('INVALID_ARGUMENT', fn, 'tests', 'an array of paired tests', describe(tests));
  const n = tests.length;
  if (n === 0) throw fail('EMPTY_INPUT', fn, 'tests', 'at least one paired test', 'none');
  const verdicts: Record<Verdict, number> = { reads: 0, trace: 0, ignores: 0 };
  let accuracy = 0;
  let shuffled = 0;
  let drop = 0;
  let min = Infinity;
  let max = -Infinity;
  tests.forEach((t: unknown, i) => {
    if (!isPairedTest(t)) throw fail('INVALID_ARGUMENT', fn, `tests[${String(i)}]`, 'a pairedTest result', describe(t));
    accuracy += t.accuracy;
    shuffled += t.shuffledAccuracy;
    drop += t.drop;
    min = Math.min(min, t.drop);
    max = Math.max(max, t.drop);
    verdicts[t.verdict]++;
  });
  const strongest = VERDICTS.find((v) => verdicts[v] > 0) as Verdict;
  return {
    n,
    meanAccuracy: accuracy / n,
    meanShuffledAccuracy: shuffled / n,
    meanDrop: drop / n,
    spreadDrop: { min, max },
    verdicts,
    summary: `${strongest} in ${String(verdicts[strongest])} of ${String(n)} seeds`,
  };
}
