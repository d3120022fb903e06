import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { binomialCdf, logBinomialPmf, lowerTail, upperTail } from '../../../src/study/stats/binomialCdf.js';
import { expectClose, expectError } from './helpers.js';

// P(X <= k), X ~ Bin(n, p), with mpmath at 40 digits, summing the exact terms (20 digits printed, rounded here to doubles):
// /usr/bin/python3 -c "import mpmath as mp; mp.mp.dps = 40; p = mp.mpf(P); print(mp.nstr(mp.fsum(mp.binomial(N, j) * p**j * (1 - p)**(N - j) for j in range(K + 1)), 20))"
const SMALL: readonly [k: number, n: number, p: number, cdf: number][] = [
  [0, 1000, 0.5, 9.332636185032189e-302],
  [10, 1000, 0.5, 2.4833387914896352e-278],
  [100, 1000, 0.5, 6.701717790006296e-162],
  [450, 1000, 0.5, 0.0008652680424881588],
  [500, 1000, 0.5, 0.5126125090891804],
  [550, 1000, 0.5, 0.999304129202789],
  [5, 100, 0.3, 3.9929434096461824e-10],
  [0, 1000000, 1e-6, 0.3678792572316451],
  [2, 1000000, 1e-6, 0.9196986948985504],
];

// Large n: mpmath at 40 digits (rounded here to doubles), the terms from k downwards (the first from log-gamma) until one is
// below 1e-45 of the sum:
// /usr/bin/python3 -c "import mpmath as mp; mp.mp.dps = 40; p = mp.mpf(P); q = 1 - p; k, n = K, N
// t = mp.exp(mp.loggamma(n+1) - mp.loggamma(k+1) - mp.loggamma(n-k+1) + k*mp.log(p) + (n-k)*mp.log(q)); s = t; j = k
// while j > 0:
//     t = t*j*q/((n-j+1)*p); s += t; j -= 1
//     if t < s*mp.mpf(10)**-45: break
// print(mp.nstr(s, 20))"
const LARGE: readonly [k: number, n: number, p: number, cdf: number][] = [
  [499000, 1000000, 0.5, 0.02280414993269104],
  [495000, 1000000, 0.5, 7.690777521953676e-24],
  [482000, 1000000, 0.5, 3.7694958097349926e-284],
  [299000, 1000000, 0.3, 0.014568219219937685],
  [3, 1000000, 1e-5, 0.010335785844433463],
  [9069, 10000, 0.9, 0.990274014528925],
];

describe('binomialCdf', () => {
  it.each(SMALL)('P(X <= %i), n = %i, p = %f matches mpmath to 1e-12 relative, deep tails included', (k, n, p, expected) => {
    expectClose(binomialCdf(k, n, p), expected, 1e-12);
  });

  it.each(LARGE)('P(X <= %i), n = %i, p = %f matches mpmath to 1e-12 relative', (k, n, p, expected) => {
    expectClose(binomialCdf(k, n, p), expected, 1e-12);
  });

  it('is 1 at k = n, and exact at the ends of p', () => {
    expect(binomialCdf(7, 7, 0.3)).toBe(1);
    expect(binomialCdf(0, 7, 0)).toBe(1);
    expect(binomialCdf(6, 7, 1)).toBe(0);
    expect(binomialCdf(0, 0, 0.5)).toBe(1);
  });

  it('underflows to 0 only below the double range: P(X <= 0), n = 1100, p = 1/2 is 2^-1100', () => {
    expect(binomialCdf(0, 1100, 0.5)).toBe(0);
    expect(binomialCdf(0, 1020, 0.5)).toBeGreaterThan(0);
    expectClose(binomialCdf(0, 1020, 0.5), 2 ** -1020, 1e-12);
  });

  it('the lower and upper tails add up to 1, and the point probabilities to the tails', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3000 }), fc.double({ min: 0.001, max: 0.999, noNaN: true }), fc.nat(), (n, p, at) => {
        const k = at % (n + 1);
        const lower = lowerTail(k, n, p);
        const upper = upperTail(k + 1, n, p);
        expect(Math.abs(lower + upper - 1)).toBeLessThan(1e-12);
        const step = lowerTail(k, n, p) - lowerTail(k - 1, n, p);
        expect(Math.abs(step - Math.exp(logBinomialPmf(k, n, p)))).toBeLessThan(1e-12);
      }),
      { numRuns: 200, seed: 20260101 },
    );
  });

  it('rejects bad arguments with typed errors', () => {
    expectError(() => binomialCdf(11, 10, 0.5), 'INVALID_ARGUMENT', 'binomialCdf', 'k');
    expectError(() => binomialCdf(-1, 10, 0.5), 'INVALID_ARGUMENT', 'binomialCdf', 'k');
    expectError(() => binomialCdf(1.5, 10, 0.5), 'INVALID_ARGUMENT', 'binomialCdf', 'k');
    expectError(() => binomialCdf(1, -10, 0.5), 'INVALID_ARGUMENT', 'binomialCdf', 'n');
    expectError(() => binomialCdf(1, 10, 1.5), 'INVALID_ARGUMENT', 'binomialCdf', 'p');
    expectError(() => binomialCdf(1, 10, Number.NaN), 'INVALID_ARGUMENT', 'binomialCdf', 'p');
  });
});
