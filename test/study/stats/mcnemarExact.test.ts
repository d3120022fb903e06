import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mcnemarExact } from '../../../src/study/index.js';
import { expectClose, expectError } from './helpers.js';

// SciPy 1.10.1, two-sided exact binomial test of the discordant pairs, for each (b, c):
// /usr/bin/python3 -c "from scipy.stats import binomtest; print(repr(binomtest(b, b + c, 0.5).pvalue))"   ((0, 0): no test, p = 1)
const SCIPY: readonly [b: number, c: number, pValue: number][] = [
  [0, 0, 1.0],
  [1, 0, 1.0],
  [12, 3, 0.03515625],
  [3, 12, 0.03515625],
  [60, 40, 0.05688793364098088],
  [500, 560, 0.06990955946026937],
  [300, 0, 9.818186930595453e-91],
  [600, 0, 4.819839730205768e-181],
];

describe('mcnemarExact', () => {
  it.each(SCIPY)('(%i, %i) has the p-value of SciPy', (b, c, pValue) => {
    const test = mcnemarExact(b, c);
    expect([test.b, test.c, test.n]).toEqual([b, c, b + c]);
    // 1e-9 relative above 1e-12; below, SciPy's own digits are the limit: 1e-6.
    expectClose(test.pValue, pValue, pValue > 1e-12 ? 1e-9 : 1e-6);
  });

  it('is exact for small counts: (12, 3) is 2 (1 + 15 + 105 + 455) / 2^15', () => {
    expect(mcnemarExact(12, 3).pValue).toBe((2 * (1 + 15 + 105 + 455)) / 2 ** 15);
  });

  it('(5000, 300): a p-value below the double range (mpmath: 8.3e-1097) is 0, as in SciPy, not NaN', () => {
    // /usr/bin/python3 -c "from scipy.stats import binomtest; print(repr(binomtest(5000, 5300, 0.5).pvalue))"  -> 0.0
    expect(mcnemarExact(5000, 300).pValue).toBe(0);
  });

  it('b = c gives 1; the p-value is symmetric in b and c and in [0, 1]', () => {
    expect(mcnemarExact(40, 40).pValue).toBe(1);
    expect(mcnemarExact(4000, 4000).pValue).toBe(1);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 0, max: 5000 }), (b, c) => {
        const p = mcnemarExact(b, c).pValue;
        expect(mcnemarExact(c, b).pValue).toBe(p);
        expect(p).toBeGreaterThanOrEqual(0);
        expect(p).toBeLessThanOrEqual(1);
      }),
      { numRuns: 100, seed: 20260103 },
    );
  });

  it('agrees with the exact small-count sum where both apply (n <= 48), and past the switch (n = 49 vs 48)', () => {
    // P(X <= 20), X ~ Bin(49, 1/2), from Python's exact integers:
    // /usr/bin/python3 -c "from math import comb; print(repr(2 * sum(comb(49, j) for j in range(21)) / 2**49))"
    expectClose(mcnemarExact(29, 20).pValue, 0.2528697301676033, 1e-12);
    // /usr/bin/python3 -c "from math import comb; print(repr(2 * sum(comb(48, j) for j in range(21)) / 2**48))"
    expectClose(mcnemarExact(28, 20).pValue, 0.31232680747326924, 1e-12);
  });

  it('rejects negative and non-integer counts', () => {
    expectError(() => mcnemarExact(-1, 3), 'INVALID_ARGUMENT', 'mcnemarExact', 'b');
    expectError(() => mcnemarExact(3, -1), 'INVALID_ARGUMENT', 'mcnemarExact', 'c');
    expectError(() => mcnemarExact(1.5, 3), 'INVALID_ARGUMENT', 'mcnemarExact', 'b');
    expectError(() => mcnemarExact(3, Number.NaN), 'INVALID_ARGUMENT', 'mcnemarExact', 'c');
    expectError(() => mcnemarExact(2 ** 31, 0), 'INVALID_ARGUMENT', 'mcnemarExact', 'b');
    expectError(() => mcnemarExact(2 ** 30, 2 ** 30), 'INVALID_ARGUMENT', 'mcnemarExact', 'c');
  });
});
