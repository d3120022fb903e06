/**
 * Binomial probabilities that stay accurate in the tails: the point probability in Loader's
 * saddle-point form (the one R's `dbinom` uses), computed as a logarithm, and tail sums taken
 * from the tail's end nearest the mean outwards, relative to that first term, so no term
 * underflows on the way and the sum is exponentiated once.
 *
 * Reference: C. Loader, "Fast and accurate computation of binomial probabilities" (2000).
 */
import { fail } from '../../errors.js';
import { describe } from '../../validate.js';

/** The largest number of trials the binomial functions take (sums near the mean take ~9 standard deviations of terms). */
export const MAX_TRIALS = 2 ** 31 - 1;

/** log(2π), rounded to a double. */
const LN_2PI = 1.8378770664093456;

/** stirlerr(n) = log(n!) - log(sqrt(2πn) (n/e)^n) for n = 0..15 (index 0 unused), from mpmath at 40 digits, rounded to doubles. */
const STIRLERR = [
  0, 0.08106146679532726, 0.0413406959554093, 0.02767792568499834, 0.020790672103765093, 0.016644691189821193, 0.013876128823070748,
  0.01189670994589177, 0.010411265261972096, 0.009255462182712733, 0.00833056343336287, 0.007573675487951841, 0.00694284010720953,
  0.006408994188004207, 0.0059513701127588475, 0.005554733551962801,
];

const S0 = 1 / 12;
const S1 = 1 / 360;
const S2 = 1 / 1260;
const S3 = 1 / 1680;
const S4 = 1 / 1188;

/** The error of Stirling's formula for log(n!), n a positive integer (Loader). */
function stirlerr(n: number): number {
  if (n <= 15) return STIRLERR[n] as number;
  const nn = n * n;
  if (n > 500) return (S0 - S1 / nn) / n;
  if (n > 80) return (S0 - (S1 - S2 / nn) / nn) / n;
  if (n > 35) return (S0 - (S1 - (S2 - S3 / nn) / nn) / nn) / n;
  return (S0 - (S1 - (S2 - (S3 - S4 / nn) / nn) / nn) / nn) / n;
}

/** x log(x / m) + m - x, without cancellation when x is near m (Loader's bd0). */
function bd0(x: number, m: number): number {
  if (Math.abs(x - m) < 0.1 * (x + m)) {
    let v = (x - m) / (x + m);
    let s = (x - m) * v;
    let ej = 2 * x * v;
    v *= v;
    for (let j = 1; j < 1000; j++) {
      ej *= v;
      const s1 = s + ej / (2 * j + 1);
      if (s1 === s) return s1;
      s = s1;
    }
    return s;
  }
  return x * Math.log(x / m) + m - x;
}

/**
 * log P(X = k) for X ~ Bin(n, p), with q = 1 - p; -Infinity where the probability is 0.
 * Unchecked: k, n integers with 0 <= k <= n, 0 <= p <= 1.
 */
export function logBinomialPmf(k: number, n: number, p: number, q = 1 - p): number {
  if (p === 0) return k === 0 ? 0 : -Infinity;
  if (q === 0) return k === n ? 0 : -Infinity;
  if (k === 0) return n === 0 ? 0 : p < 0.1 ? -bd0(n, n * q) - n * p : n * Math.log(q);
  if (k === n) return q < 0.1 ? -bd0(n, n * p) - n * q : n * Math.log(p);
  const lc = stirlerr(n) - stirlerr(k) - stirlerr(n - k) - bd0(k, n * p) - bd0(n - k, n * q);
  const lf = LN_2PI + Math.log(k) + Math.log1p(-k / n);
  return lc - 0.5 * lf;
}

/**
 * log of the sum of P(X = j) / P(X = k) over j = k, k - 1, ..., 0 (down) or k, k + 1, ..., n (up).
 * The ratio of consecutive terms shrinks away from the mean, so the sum stops once the rest is
 * below 1e-17 of it (bounded by a geometric series of the current ratio).
 */
function logRelativeSum(k: number, n: number, p: number, q: number, down: boolean): number {
  let s = 1;
  let t = 1;
  if (down) {
    for (let j = k; j > 0; j--) {
      const r = (j * q) / ((n - j + 1) * p);
      t *= r;
      s += t;
      if (t <= s * 1e-17 * (1 - r)) break;
    }
  } else {
    for (let j = k; j < n; j++) {
      const r = ((n - j) * p) / ((j + 1) * q);
      t *= r;
      s += t;
      if (t <= s * 1e-17 * (1 - r)) break;
    }
  }
  return Math.log(s);
}

/** P(X <= k), X ~ Bin(n, p). Unchecked: integers k and n (0 <= n), 0 <= p <= 1. */
export function lowerTail(k: number, n: number, p: number): number {
  if (k < 0) return 0;
  if (k >= n) return 1;
  const q = 1 - p;
  if (p === 0) return 1;
  if (q === 0) return 0;
  // Below (n + 1) p each term is smaller than the one above it: sum the tail itself. Above, the
  // complement is the small side, and P(X <= k) >= 1/2 there (k is at or past the median).
  if (k < (n + 1) * p) return Math.exp(logBinomialPmf(k, n, p, q) + logRelativeSum(k, n, p, q, true));
  return 1 - upperTail(k + 1, n, p);
}

/** P(X >= k), X ~ Bin(n, p). Unchecked: integers k and n (0 <= n), 0 <= p <= 1. */
export function upperTail(k: number, n: number, p: number): number {
  if (k <= 0) return 1;
  if (k > n) return 0;
  const q = 1 - p;
  if (p === 0) return 0;
  if (q === 0) return 1;
  if (k > (n + 1) * p - 1) return Math.exp(logBinomialPmf(k, n, p, q) + logRelativeSum(k, n, p, q, false));
  return 1 - lowerTail(k - 1, n, p);
}

/** Checks a count argument: an integer in [min, max]. */
export function checkCount(
  fn: string,
  arg: string,
  value: unknown,
  min: number,
  max: number,
  range = `[${String(min)}, ${String(max)}]`,
): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max)
    throw fail('INVALID_ARGUMENT', fn, arg, `an integer in ${range}`, describe(value));
  return value;
}

/**
 * P(X <= k) for X ~ Bin(n, p), n up to 2^31 - 1, accurate to relative errors of about 1e-16
 * near 1 to about 1e-13 near 1e-300 (checked against mpmath): a lower tail of 1e-300 comes out as
 * such, not as 0; values below the double range (~1e-308) become 0.
 *
 * @example
 * ```ts
 * import { binomialCdf } from './binomialCdf.js'; // internal
 * binomialCdf(5, 10, 0.5); //=> 0.623046875
 * binomialCdf(0, 1000, 0.5).toPrecision(6); //=> '9.33264e-302'
 * binomialCdf(11, 10, 0.5); //=> throws INVALID_ARGUMENT
 * ```
 */
export function binomialCdf(k: number, n: number, p: number, fn = 'binomialCdf'): number {
  checkCount(fn, 'n', n, 0, MAX_TRIALS);
  checkCount(fn, 'k', k, 0, n, `[0, n = ${String(n)}]`);
  if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw fail('INVALID_ARGUMENT', fn, 'p', 'a probability in [0, 1]', describe(p));
  return lowerTail(k, n, p);
}
