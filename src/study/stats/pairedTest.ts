import { fail } from '../../errors.js';
import { checkLabels, describe } from '../../validate.js';
import { binomialInterval, type BinomialInterval } from './binomialInterval.js';
import { mcnemarExact, type McNemarResult } from './mcnemarExact.js';
import { verdictOf, type Verdict } from './verdict.js';

/** A model's accuracy on test images with their own signal and with a shuffled label's signal, compared image by image. */
export interface PairedTestResult {
  /** Test images. */
  readonly n: number;
  /** Fraction right with each image's own signal. */
  readonly accuracy: number;
  /** Its exact 95% (Clopper–Pearson) interval. */
  readonly accuracyInterval: BinomialInterval;
  /** Fraction right with the signal of a shuffled label. */
  readonly shuffledAccuracy: number;
  /** Its exact 95% (Clopper–Pearson) interval. */
  readonly shuffledInterval: BinomialInterval;
  /** `accuracy - shuffledAccuracy`, a fraction, computed from counts: `(b - c) / n`. */
  readonly drop: number;
  /** The exact McNemar test: `b` images right with their own signal only, `c` right with the shuffled one only. */
  readonly mcnemar: McNemarResult;
  /** {@link verdictOf} the drop and the McNemar p-value. */
  readonly verdict: Verdict;
  /**
   * Of the images whose shuffled signal stands for another label than their own, the fraction
   * predicted as that label, when `shuffledLabels` were given (absent when no image's label moved).
   * Near 1 when the model reads the signal and nothing else; about 1/numClasses or below when it
   * ignores it.
   */
  readonly followsSignal?: number;
}

/** Checks one array of class ids: integers, non-negative, as many as the labels. */
function checked(fn: string, arg: string, values: ArrayLike<number>, n: number | undefined): Int32Array {
  if (n !== undefined && (values === null || typeof values !== 'object' || values.length !== n)) {
    if (values === null || typeof values !== 'object' || typeof values.length !== 'number')
      throw fail('INVALID_ARGUMENT', fn, arg, 'an Int32Array or an array of integers', describe(values));
    throw fail('LENGTH_MISMATCH', fn, arg, `one per label (${String(n)})`, String(values.length));
  }
  return checkLabels(fn, values, { arg });
}

/**
 * Compares a model's predictions on the same test images with their own signal and with the
 * signal of a shuffled label: both accuracies with exact 95% intervals, the drop between them,
 * the exact McNemar test of the images right in one condition only, and the {@link verdictOf}
 * drop and p-value. With `shuffledLabels` (the labels whose signal the shuffled images carried)
 * it also reports `followsSignal`, the fraction of the images whose label moved that are
 * predicted as the label of the signal they carry: near 1 when the model reads the signal and
 * nothing else.
 *
 * Arrays hold class ids (non-negative integers), one per test image, in the same order.
 *
 * @example
 * ```ts
 * import { pairedTest } from 'blindspots/study';
 * const labels = Int32Array.of(0, 1, 2, 0, 1, 2, 0, 1);
 * const signal = Int32Array.of(0, 1, 2, 0, 1, 2, 0, 2); // 7 of 8 right
 * const shuffled = Int32Array.of(0, 2, 2, 1, 1, 0, 0, 2); // 4 of 8 right
 * const test = pairedTest(labels, signal, shuffled);
 * [test.accuracy, test.shuffledAccuracy, test.drop]; //=> [0.875, 0.5, 0.375]
 * [test.mcnemar.b, test.mcnemar.c, test.mcnemar.pValue]; //=> [3, 0, 0.25]
 * test.verdict; //=> 'ignores'
 * pairedTest(labels, signal, shuffled.subarray(1)); //=> throws LENGTH_MISMATCH shuffledPredictions
 * ```
 */
export function pairedTest(
  labels: ArrayLike<number>,
  signalPredictions: ArrayLike<number>,
  shuffledPredictions: ArrayLike<number>,
  shuffledLabels?: ArrayLike<number>,
): PairedTestResult {
  const fn = 'pairedTest';
  const y = checked(fn, 'labels', labels, undefined);
  const n = y.length;
  const right = checked(fn, 'signalPredictions', signalPredictions, n);
  const shuffled = checked(fn, 'shuffledPredictions', shuffledPredictions, n);
  const pointed = shuffledLabels === undefined ? undefined : checked(fn, 'shuffledLabels', shuffledLabels, n);
  let correct = 0;
  let shuffledCorrect = 0;
  let b = 0;
  let c = 0;
  let follows = 0;
  let moved = 0;
  for (let i = 0; i < n; i++) {
    const label = y[i] as number;
    const r = right[i] === label;
    const s = shuffled[i] === label;
    if (r) correct++;
    if (s) shuffledCorrect++;
    if (r && !s) b++;
    if (s && !r) c++;
    if (pointed !== undefined && pointed[i] !== label) {
      moved++;
      if (shuffled[i] === pointed[i]) follows++;
    }
  }
  const mcnemar = mcnemarExact(b, c);
  const drop = (b - c) / n;
  return {
    n,
    accuracy: correct / n,
    accuracyInterval: binomialInterval(correct, n),
    shuffledAccuracy: shuffledCorrect / n,
    shuffledInterval: binomialInterval(shuffledCorrect, n),
    drop,
    mcnemar,
    verdict: verdictOf({ drop, pValue: mcnemar.pValue }),
    ...(pointed === undefined || moved === 0 ? {} : { followsSignal: follows / moved }),
  };
}
