import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { binomialInterval } from '../../../src/study/index.js';
import { expectClose, expectError } from './helpers.js';

// SciPy 1.10.1, for each (k, n):
// /usr/bin/python3 -c "from scipy.stats import binomtest; ci = binomtest(k, n).proportion_ci(0.95, method='exact'); print(repr(ci.low), repr(ci.high))"
const SCIPY_95: readonly [k: number, n: number, lower: number, upper: number][] = [
  [0, 10, 0.0, 0.30849710781876294],
  [10, 10, 0.6915028921812371, 1.0],
  [9069, 10000, 0.901035744662369, 0.912526019901639],
  [5, 7, 0.29042086373734255, 0.9633074338239144],
  [1, 1000000, 2.5317805139113815e-8, 5.571630655512304e-6],
  [9, 10, 0.5549838829718047, 0.9974714214555375],
  [90, 100, 0.8237774022598247, 0.9509953107785141],
];

describe('binomialInterval', () => {
  it.each(SCIPY_95)('(%i of %i) is the Clopper–Pearson interval of SciPy, to 1e-6 relative', (k, n, lower, upper) => {
    const ci = binomialInterval(k, n);
    expectClose(ci.lower, lower, 1e-6);
    expectClose(ci.upper, upper, 1e-6);
  });

  it('takes other confidence levels', () => {
    // /usr/bin/python3 -c "from scipy.stats import binomtest; ci = binomtest(5, 7).proportion_ci(0.99, method='exact'); print(repr(ci.low), repr(ci.high))"
    const ci99 = binomialInterval(5, 7, 0.99);
    expectClose(ci99.lower, 0.20297239570310208, 1e-6);
    expectClose(ci99.upper, 0.9841556705712318, 1e-6);
    // Same with 0.5.
    const ci50 = binomialInterval(5, 7, 0.5);
    expectClose(ci50.lower, 0.5139030105191447, 1e-6);
    expectClose(ci50.upper, 0.8620259661449827, 1e-6);
  });

  it('one success in a million: the lower end solves 1 - (1 - p)^n = 0.025, to 1e-12', () => {
    // The closed form with mpmath at 40 digits (rounded here to a double):
    // /usr/bin/python3 -c "import mpmath as mp; mp.mp.dps = 40; print(mp.nstr(-mp.expm1(mp.log(1 - (1 - mp.mpf(0.95)) / 2) / 10**6), 20))"
    // (SciPy's betaincinv gives 2.5317805139e-8 here, 1e-7 off.)
    expectClose(binomialInterval(1, 1000000).lower, 2.53178076637942e-8, 1e-12);
  });

  it('has lower 0 with no successes and upper 1 with all', () => {
    expect(binomialInterval(0, 1).lower).toBe(0);
    expect(binomialInterval(0, 5000).lower).toBe(0);
    expect(binomialInterval(1, 1).upper).toBe(1);
    expect(binomialInterval(5000, 5000).upper).toBe(1);
  });

  it('holds k / n, narrows with lower confidence, and is the mirror image of n - k', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20000 }), fc.nat(), (n, at) => {
        const k = at % (n + 1);
        const ci = binomialInterval(k, n);
        expect(ci.lower).toBeGreaterThanOrEqual(0);
        expect(ci.upper).toBeLessThanOrEqual(1);
        expect(ci.lower).toBeLessThanOrEqual(k / n);
        expect(ci.upper).toBeGreaterThanOrEqual(k / n);
        const narrow = binomialInterval(k, n, 0.8);
        expect(narrow.lower).toBeGreaterThanOrEqual(ci.lower);
        expect(narrow.upper).toBeLessThanOrEqual(ci.upper);
        const mirror = binomialInterval(n - k, n);
        expect(Math.abs(mirror.lower - (1 - ci.upper))).toBeLessThan(1e-12);
        expect(Math.abs(mirror.upper - (1 - ci.lower))).toBeLessThan(1e-12);
      }),
      { numRuns: 100, seed: 20260102 },
    );
  });

  it('rejects n = 0, k > n, negative and non-integer counts, and bad confidence levels', () => {
    expectError(() => binomialInterval(0, 0), 'INVALID_ARGUMENT', 'binomialInterval', 'n');
    expectError(() => binomialInterval(11, 10), 'INVALID_ARGUMENT', 'binomialInterval', 'successes');
    expectError(() => binomialInterval(-1, 10), 'INVALID_ARGUMENT', 'binomialInterval', 'successes');
    expectError(() => binomialInterval(2.5, 10), 'INVALID_ARGUMENT', 'binomialInterval', 'successes');
    expectError(() => binomialInterval(2, 10.5), 'INVALID_ARGUMENT', 'binomialInterval', 'n');
    expectError(() => binomialInterval(2, -10), 'INVALID_ARGUMENT', 'binomialInterval', 'n');
    expectError(() => binomialInterval(Number.NaN, 10), 'INVALID_ARGUMENT', 'binomialInterval', 'successes');
    expectError(() => binomialInterval(2, 10, 1), 'INVALID_ARGUMENT', 'binomialInterval', 'confidence');
    expectError(() => binomialInterval(2, 10, 0), 'INVALID_ARGUMENT', 'binomialInterval', 'confidence');
    expectError(() => binomialInterval(2, 10, Number.NaN), 'INVALID_ARGUMENT', 'binomialInterval', 'confidence');
  });
});
