import { describe, expect, it } from 'vitest';
import { binFeatures } from '../../../src/models/classic/binning.js';
import { growTree, lastBinAtOrBelow, type CartOptions, type TreeArrays } from '../../../src/models/classic/cart.js';
import { createRandom, randomInt } from '../../../src/random.js';

const random = createRandom('cart-internals');
const rows = 300;
const cols = 40;
// Pixel-like values (k/255) in a few columns, many distinct values in column 3, constants in 20..39.
const data = Float32Array.from({ length: rows * cols }, (_, i) => {
  const c = i % cols;
  if (c >= 20) return c / 100;
  if (c === 3) return random();
  return Math.floor(random() * 256) / 255;
});
const y = Int32Array.from(
  { length: rows },
  (_, r) => Math.floor(((data[r * cols] as number) + (data[r * cols + 1] as number)) * 2.5 + random() * 0.6) % 4,
);
const x = { data, rows, cols };

describe('binFeatures', () => {
  it('maps every value to the rank of its distinct value, in the requested row order, widening past 256 bins', () => {
    const order = Int32Array.from({ length: rows }, (_, r) => (r * 7) % rows);
    const binned = binFeatures(x, { order });
    expect(binned.bins).toBeInstanceOf(Uint16Array); // column 3 has ~300 distinct values
    for (let f = 0; f < cols; f++) {
      const v = binned.values.subarray(binned.valueStart[f], (binned.valueStart[f] as number) + (binned.numBins[f] as number));
      const distinct = [...new Set(Array.from({ length: rows }, (_, r) => data[r * cols + f] as number))].sort((a, b) => a - b);
      expect(Array.from(v)).toEqual(distinct);
      for (let r = 0; r < rows; r++) {
        const value = data[(order[r] as number) * cols + f] as number;
        expect(v[binned.bins[f * rows + r] as number]).toBe(value);
        expect(binned.rowBins[r * cols + f]).toBe(binned.bins[f * rows + r]);
      }
    }
  });

  it('shares the value run of features with the same distinct values', () => {
    const twin = data.map((v, i) => (i % cols === 1 ? (data[i - 1] as number) : v));
    const binned = binFeatures({ data: twin, rows, cols });
    expect(binned.valueStart[1]).toBe(binned.valueStart[0]);
    expect(binned.values.length).toBe(Array.from(binned.numBins).reduce((a, b) => a + b, 0) - (binned.numBins[1] as number));
  });

  it('uses one byte per bin when every feature has at most 256 distinct values', () => {
    const narrow = binFeatures({ data: data.map((v, i) => (i % cols === 3 ? Math.round(v * 10) : v)), rows, cols });
    expect(narrow.bins).toBeInstanceOf(Uint8Array);
  });
});

describe('lastBinAtOrBelow', () => {
  it('finds the last value <= t, as a linear scan, on even and on skewed values', () => {
    for (const skew of [1, 3, 8]) {
      const values = Float32Array.from({ length: 300 }, (_, i) => (i / 299) ** skew);
      for (let trial = 0; trial < 2000; trial++) {
        const minB = randomInt(random, 299);
        const maxB = minB + 1 + randomInt(random, 299 - minB);
        const lo = values[minB] as number;
        const hi = values[maxB] as number;
        let t = lo + random() * (hi - lo);
        if (t >= hi) t = lo;
        let expected = minB;
        while ((values[expected + 1] as number) <= t) expected++;
        expect(lastBinAtOrBelow(values, 0, minB, maxB, lo, hi, t)).toBe(expected);
      }
    }
  });
});

describe('growTree', () => {
  const options = (splitter: CartOptions['splitter'], maxFeatures: number): CartOptions => ({
    maxDepth: Number.POSITIVE_INFINITY,
    minSamplesSplit: 2,
    minSamplesLeaf: 1,
    maxFeatures,
    splitter,
  });
  const plain = (t: TreeArrays): unknown => ({
    feature: Array.from(t.feature),
    threshold: Array.from(t.threshold),
    left: Array.from(t.left),
    value: Array.from(t.value),
  });

  for (const splitter of ['best', 'random'] as const) {
    it(`${splitter} splitter: the tree does not depend on the order of the rows (bootstrap counts included)`, () => {
      const sample = Int32Array.from({ length: rows }, () => randomInt(random, rows));
      const identity = growTree(binFeatures(x), y, 4, sample, options(splitter, 6), createRandom(5));
      const order = Int32Array.from({ length: rows }, (_, r) => r).sort((a, b) => (y[a] as number) - (y[b] as number) || b - a);
      const position = new Int32Array(rows);
      order.forEach((r, i) => (position[r] = i));
      const permuted = growTree(
        binFeatures(x, { order }),
        Int32Array.from(order, (r) => y[r] as number),
        4,
        sample.map((s) => position[s] as number),
        options(splitter, 6),
        createRandom(5),
      );
      expect(plain(permuted)).toEqual(plain(identity));
      expect(identity.feature.length).toBeGreaterThan(20);
    });

    it(`${splitter} splitter: never splits on a constant feature and grows pure leaves even when most drawn features are constant`, () => {
      const all = Int32Array.from({ length: rows }, (_, r) => r);
      for (const maxFeatures of [1, 3]) {
        const tree = growTree(binFeatures(x), y, 4, all, options(splitter, maxFeatures), createRandom(maxFeatures));
        for (let n = 0; n < tree.feature.length; n++) {
          if ((tree.left[n] as number) < 0) {
            // Leaves are pure: every row reaching one has its class (training rows are distinct).
            expect(Math.max(...tree.value.subarray(n * 4, n * 4 + 4))).toBe(1);
          } else expect(tree.feature[n]).toBeLessThan(20);
        }
      }
    });
  }
});
