import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pairedTest } from '../../../src/study/index.js';
import { expectClose, expectError } from './helpers.js';

const N = 10000;
const labels = Int32Array.from({ length: N }, (_, i) => i % 10);

/** The labels with images [from, to) predicted wrong (the next class). */
function wrongOn(from: number, to: number): Int32Array {
  return labels.map((y, i) => (i >= from && i < to ? (y + 1) % 10 : y));
}

describe('pairedTest', () => {
  it('finds a planted drop of 6 points: 600 more of 10,000 images wrong with the shuffled signal', () => {
    // Right signal wrong on images 0..899, shuffled wrong on 300..1799: b = 900 (900..1799), c = 300 (0..299).
    const test = pairedTest(labels, wrongOn(0, 900), wrongOn(300, 1800));
    expect([test.n, test.accuracy, test.shuffledAccuracy, test.drop]).toEqual([N, 0.91, 0.85, 0.06]);
    expect([test.mcnemar.b, test.mcnemar.c, test.mcnemar.n]).toEqual([900, 300, 1200]);
    // /usr/bin/python3 -c "from scipy.stats import binomtest; print(repr(binomtest(300, 1200, 0.5).pvalue))"
    expectClose(test.mcnemar.pValue, 5.34512207281104e-70, 1e-6);
    expect(test.verdict).toBe('reads'); // 6 points >= 5, p < 0.001
    // /usr/bin/python3 -c "from scipy.stats import binomtest; ci = binomtest(K, 10000).proportion_ci(0.95, method='exact'); print(repr(ci.low), repr(ci.high))"  K = 9100, 8500
    expectClose(test.accuracyInterval.lower, 0.9042208407056719, 1e-6);
    expectClose(test.accuracyInterval.upper, 0.9155390668536542, 1e-6);
    expectClose(test.shuffledInterval.lower, 0.8428497111444121, 1e-6);
    expectClose(test.shuffledInterval.upper, 0.8569458032978522, 1e-6);
    expect(test.followsSignal).toBeUndefined();
  });

  it('a planted drop of 3 points is certain (p < 0.001) but below 5 points: a trace, not a reading', () => {
    // b = 600 (900..1499), c = 300 (0..299).
    const test = pairedTest(labels, wrongOn(0, 900), wrongOn(300, 1500));
    expect([test.accuracy, test.shuffledAccuracy, test.drop]).toEqual([0.91, 0.88, 0.03]);
    // /usr/bin/python3 -c "from scipy.stats import binomtest; print(repr(binomtest(300, 900, 0.5).pvalue))"
    expectClose(test.mcnemar.pValue, 8.196500619333494e-24, 1e-6);
    expect(test.mcnemar.pValue).toBeLessThan(0.001);
    expect(test.verdict).toBe('trace');
    // /usr/bin/python3 -c "from scipy.stats import binomtest; ci = binomtest(8800, 10000).proportion_ci(0.95, method='exact'); print(repr(ci.low), repr(ci.high))"
    expectClose(test.shuffledInterval.lower, 0.8734699825463323, 1e-6);
    expectClose(test.shuffledInterval.upper, 0.8863078002684035, 1e-6);
  });

  it('exactly 5 points (500 of 10,000) reads: the drop comes from counts, not from a difference of rounded fractions', () => {
    // 0.95 - 0.9 is 0.04999999999999993 in doubles; (b - c) / n is 0.05.
    const test = pairedTest(labels, wrongOn(0, 500), wrongOn(0, 1000));
    expect(test.drop).toBe(0.05);
    expect(test.verdict).toBe('reads');
  });

  it('a small drop that could be chance is ignored: 40 images against 50', () => {
    // Right signal wrong on 0..39, shuffled wrong on 100..149: b = 50, c = 40.
    const test = pairedTest(labels, wrongOn(0, 40), wrongOn(100, 150));
    expect([test.mcnemar.b, test.mcnemar.c]).toEqual([50, 40]);
    // /usr/bin/python3 -c "from scipy.stats import binomtest; print(repr(binomtest(40, 90, 0.5).pvalue))"
    expectClose(test.mcnemar.pValue, 0.34283311942078837, 1e-9);
    expect(test.verdict).toBe('ignores');
  });

  it('finds none where there is none: identical predictions give p = 1 and ignores', () => {
    const same = wrongOn(0, 900);
    const test = pairedTest(labels, same, same);
    expect([test.drop, test.mcnemar.b, test.mcnemar.c, test.mcnemar.pValue, test.verdict]).toEqual([0, 0, 0, 1, 'ignores']);
    expect(test.accuracyInterval).toEqual(test.shuffledInterval);
  });

  it('a shuffled signal that helps is ignored, however certain', () => {
    const test = pairedTest(labels, wrongOn(0, 2000), labels);
    expect(test.drop).toBe(-0.2);
    expect(test.mcnemar.pValue).toBeLessThan(1e-100);
    expect(test.verdict).toBe('ignores');
  });

  it('followsSignal: of the images whose label moved, the fraction predicted as the signal label', () => {
    const y = Int32Array.of(0, 1, 2, 3, 0, 1, 2, 3);
    const pointed = Int32Array.of(1, 1, 3, 0, 2, 3, 0, 1);
    const shuffled = Int32Array.of(1, 1, 3, 0, 2, 1, 2, 3); // the signal's label on 0..4, the true label on 5..7
    const test = pairedTest(y, y, shuffled, pointed);
    // Image 1's signal points to its own label: left out. Of the other 7, images 0, 2, 3 and 4 follow it.
    expect(test.followsSignal).toBe(4 / 7);
    expect(pairedTest(y, y, shuffled, y).followsSignal).toBeUndefined();
    expect(test.shuffledAccuracy).toBe(4 / 8); // images 1 (pointed = own label), 5, 6, 7
  });

  it('swapping the two conditions swaps b and c, negates the drop, keeps the p-value', () => {
    const classes = 4;
    const arrays = fc
      .integer({ min: 1, max: 300 })
      .chain((n) =>
        fc.tuple(
          fc.array(fc.integer({ min: 0, max: classes - 1 }), { minLength: n, maxLength: n }),
          fc.array(fc.integer({ min: 0, max: classes - 1 }), { minLength: n, maxLength: n }),
          fc.array(fc.integer({ min: 0, max: classes - 1 }), { minLength: n, maxLength: n }),
        ),
      );
    fc.assert(
      fc.property(arrays, ([y, a, b]) => {
        const ab = pairedTest(y, a, b);
        const ba = pairedTest(y, b, a);
        expect([ba.mcnemar.b, ba.mcnemar.c]).toEqual([ab.mcnemar.c, ab.mcnemar.b]);
        expect(ba.mcnemar.pValue).toBe(ab.mcnemar.pValue);
        expect(ba.drop + ab.drop).toBe(0);
        expect([ba.accuracy, ba.shuffledAccuracy]).toEqual([ab.shuffledAccuracy, ab.accuracy]);
      }),
      { numRuns: 100, seed: 20260104 },
    );
  });

  it('rejects length mismatches, no images, and predictions that are not class ids', () => {
    const y = Int32Array.of(0, 1, 2);
    expectError(() => pairedTest(y, Int32Array.of(0, 1), y), 'LENGTH_MISMATCH', 'pairedTest', 'signalPredictions');
    expectError(() => pairedTest(y, y, Int32Array.of(0, 1, 2, 3)), 'LENGTH_MISMATCH', 'pairedTest', 'shuffledPredictions');
    expectError(() => pairedTest(y, y, y, [0]), 'LENGTH_MISMATCH', 'pairedTest', 'shuffledLabels');
    expectError(() => pairedTest([], [], []), 'EMPTY_INPUT', 'pairedTest', 'labels');
    expectError(() => pairedTest(y, [0, 1.5, 2], y), 'NON_INTEGER_LABEL', 'pairedTest', 'signalPredictions');
    expectError(() => pairedTest(y, y, [0, Number.NaN, 2]), 'NON_INTEGER_LABEL', 'pairedTest', 'shuffledPredictions');
    expectError(() => pairedTest([0, -1, 2], y, y), 'LABEL_OUT_OF_RANGE', 'pairedTest', 'labels');
    expectError(() => pairedTest(y, null as unknown as number[], y), 'INVALID_ARGUMENT', 'pairedTest', 'signalPredictions');
  });
});
