import { fail } from '../../errors.js';
import { describe } from '../../validate.js';
import { checkCount, lowerTail, MAX_TRIALS, upperTail } from './binomialCdf.js';

/** A confidence interval of a proportion, both ends in [0, 1]. */
export interface BinomialInterval {
  readonly lower: number;
  readonly upper: number;
}

/** The root in [0, 1] of `f`, increasing, minus `target`: bisection until the bracket is one double wide. */
function bisect(f: (p: number) => number, target: number): number {
  let lo = 0;
  let hi = 1;
  for (let i = 0; i < 1100; i++) {
    const mid = (lo + hi) / 2;
    if (mid <= lo || mid >= hi) break;
    if (f(mid) < target) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/**
 * The exact (Clopper–Pearson) confidence interval of a proportion from `successes` in `n` trials:
 * the lower end is the p at which P(X >= successes) = (1 - confidence) / 2, the upper end the p at
 * which P(X <= successes) = (1 - confidence) / 2, X ~ Bin(n, p), each found by bisection on the
 * binomial tails (computed in log space, accurate for n up to 2^31 - 1). No successes give a lower
 * end of 0, all successes an upper end of 1. Conservative: it covers the true proportion at least
 * `confidence` of the time. The same interval as SciPy's
 * `binomtest(k, n).proportion_ci(confidence, method='exact')`.
 *
 * @example
 * ```ts
 * import { binomialInterval } from 'blindspots/study';
 * const { lower, upper } = binomialInterval(9069, 10000); // 90.69% test accuracy
 * [lower.toFixed(4), upper.toFixed(4)]; //=> ['0.9010', '0.9125']
 * binomialInterval(0, 10).lower; //=> 0
 * binomialInterval(0, 0); //=> throws INVALID_ARGUMENT argument 'n'
 * ```
 */
export function binomialInterval(successes: number, n: number, confidence = 0.95): BinomialInterval {
  const fn = 'binomialInterval';
  checkCount(fn, 'n', n, 1, MAX_TRIALS);
  const k = checkCount(fn, 'successes', successes, 0, n, `[0, n = ${String(n)}]`);
  if (typeof confidence !== 'number' || !(confidence > 0 && confidence < 1))
    throw fail('INVALID_ARGUMENT', fn, 'confidence', 'a number in (0, 1)', describe(confidence));
  const tail = (1 - confidence) / 2;
  // All failures or all successes: (1 - p)^n = tail and p^n = tail, in closed form.
  const lower = k === 0 ? 0 : k === n ? Math.exp(Math.log(tail) / n) : bisect((p) => upperTail(k, n, p), tail);
  const upper = k === n ? 1 : k === 0 ? -Math.expm1(Math.log(tail) / n) : bisect((p) => -lowerTail(k, n, p), -tail);
  return { lower, upper };
}
