import { checkCount, lowerTail, MAX_TRIALS } from './binomialCdf.js';

/** The exact McNemar test of two paired conditions: the discordant pairs and the two-sided p-value. */
export interface McNemarResult {
  /** Pairs right in the first condition and wrong in the second. */
  readonly b: number;
  /** Pairs wrong in the first condition and right in the second. */
  readonly c: number;
  /** Discordant pairs, `b + c`. */
  readonly n: number;
  /** Two-sided p-value: `min(1, 2 P(X <= min(b, c)))`, X ~ Bin(b + c, 1/2); 1 when b = c = 0. */
  readonly pValue: number;
}

/**
 * The exact (binomial) McNemar test: under the null hypothesis that both conditions are equally
 * accurate, each of the `b + c` discordant pairs falls on either side with probability 1/2, so the
 * two-sided p-value is `min(1, 2 P(X <= min(b, c)))` with X ~ Bin(b + c, 1/2) — the same as SciPy's
 * `binomtest(b, b + c, 0.5).pvalue`. Only the discordant pairs count; with none (b = c = 0) the
 * p-value is 1. Tail probabilities are computed in log space: p-values down to ~1e-300 keep their
 * digits, smaller ones (beyond the double range) are 0.
 *
 * @example
 * ```ts
 * import { mcnemarExact } from 'blindspots/study';
 * // 12 images right only with the right signal, 3 right only with a shuffled one:
 * mcnemarExact(12, 3); //=> { b: 12, c: 3, n: 15, pValue: 0.03515625 }
 * mcnemarExact(0, 0).pValue; //=> 1
 * mcnemarExact(-1, 3); //=> throws INVALID_ARGUMENT argument 'b'
 * ```
 */
export function mcnemarExact(b: number, c: number): McNemarResult {
  const fn = 'mcnemarExact';
  checkCount(fn, 'b', b, 0, MAX_TRIALS);
  checkCount(fn, 'c', c, 0, MAX_TRIALS - b, `[0, ${String(MAX_TRIALS - b)}] (b + c at most ${String(MAX_TRIALS)})`);
  const n = b + c;
  return { b, c, n, pValue: Math.min(1, 2 * halfTail(Math.min(b, c), n)) };
}

/**
 * P(X <= k), X ~ Bin(n, 1/2): exact for n <= 48 (a sum of binomial coefficients whose products
 * C(n, j) j stay below 2^53, over a power of two), the log-space tail beyond.
 */
function halfTail(k: number, n: number): number {
  if (n > 48) return lowerTail(k, n, 0.5);
  let term = 1;
  let sum = 1;
  for (let j = 1; j <= k; j++) {
    term = (term * (n - j + 1)) / j;
    sum += term;
  }
  return sum / 2 ** n;
}
