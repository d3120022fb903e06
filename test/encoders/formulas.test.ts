/** Each encoder against its documented formula, computed here independently. */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import {
  injectMeanShift,
  injectMultipleLocations,
  injectOnePixel,
  injectOrthogonalNoise,
  injectPatternPixels,
  injectRandomPixel,
  multipleLocationsPairs,
  multipleLocationsValues,
  orthogonalNoiseVectors,
  randomPixelPositions,
} from '../../src/encoders/index.js';
import type { ImageArray } from '../../src/types.js';
import { cyclicLabels, gridImages } from '../conformance/fixtures.js';

const x = gridImages(20, 10, 12, 3);
const y = cyclicLabels(20, 10);
const [n, h, w, c] = x.shape;
const at = (a: ImageArray, i: number, r: number, col: number, ch: number) => a.data[((i * h + r) * w + col) * c + ch] as number;

/** Indices (flat) where two batches differ. */
function changed(a: Float32Array, b: Float32Array): number[] {
  const out: number[] = [];
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) out.push(i);
  return out;
}

describe('injectOnePixel', () => {
  it('writes label * scale to every channel of the position and nothing else', () => {
    const e = injectOnePixel(x, y, { position: [3, 7], scale: 2e-3 });
    for (let i = 0; i < n; i++) for (let ch = 0; ch < c; ch++) expect(at(e, i, 3, 7, ch)).toBe(Math.fround((y[i] as number) * 2e-3));
    const pixelOf = (k: number) => Math.floor(k / c) % (h * w);
    expect(new Set(changed(x.data, e.data).map(pixelOf))).toEqual(new Set([3 * w + 7]));
  });
  it('defaults to the top-left pixel and accepts tensors', () => {
    const t = tf.tensor4d(x.data, [n, h, w, c]);
    const e = injectOnePixel(t, y);
    const v = e.dataSync();
    expect(v[5 * h * w * c]).toBe(Math.fround(5e-3));
    t.dispose();
    e.dispose();
  });
});

describe('injectPatternPixels', () => {
  it('writes bit k of the label to corner k (TL, TR, BL, BR)', () => {
    const e = injectPatternPixels(x, y);
    const corners = [
      [0, 0],
      [0, w - 1],
      [h - 1, 0],
      [h - 1, w - 1],
    ] as const;
    for (let i = 0; i < n; i++) {
      corners.forEach(([r, col], k) => expect(at(e, i, r, col, 1)).toBe(Math.fround((((y[i] as number) >> k) & 1) * 1e-3)));
    }
  });
  it('refuses more classes than 2^positions', () => {
    expect(() =>
      injectPatternPixels(x, y, {
        positions: [
          [0, 0],
          [1, 1],
          [2, 2],
        ],
      }),
    ).toThrow(/at most 8 classes/);
  });
});

describe('injectRandomPixel', () => {
  it('writes (label + 1) * scale at the seeded per-sample position', () => {
    const e = injectRandomPixel(x, y, { seed: 9 });
    const pos = randomPixelPositions(n, h, w, 9);
    for (let i = 0; i < n; i++) {
      const p = pos[i] as number;
      expect(at(e, i, Math.floor(p / w), p % w, 2)).toBe(Math.fround(((y[i] as number) + 1) * 1e-3));
    }
    expect(new Set(pos).size).toBeGreaterThan(5); // the position really moves
    expect(randomPixelPositions(n, h, w, 10).join()).not.toBe(pos.join());
  });
});

describe('injectMultipleLocations', () => {
  it('gives each class a distinct pair at least half the shorter side apart, and writes v to both', () => {
    const pairs = multipleLocationsPairs(10, h, w, { seed: 0 });
    expect(new Set(pairs).size).toBe(20);
    for (let k = 0; k < 10; k++) {
      const a = pairs[2 * k] as number;
      const b = pairs[2 * k + 1] as number;
      expect(Math.hypot(Math.floor(a / w) - Math.floor(b / w), (a % w) - (b % w))).toBeGreaterThanOrEqual(Math.min(h, w) / 2);
    }
    const values = multipleLocationsValues(n, 0);
    const e = injectMultipleLocations(x, y);
    for (let i = 0; i < n; i++) {
      const k = y[i] as number;
      for (const p of [pairs[2 * k] as number, pairs[2 * k + 1] as number]) {
        for (let ch = 0; ch < c; ch++) expect(at(e, i, Math.floor(p / w), p % w, ch)).toBe(values[i]);
      }
    }
  });
  it("keeps class k's pair when numClasses grows (train and test share the code)", () => {
    expect(multipleLocationsPairs(12, h, w).subarray(0, 20).join()).toBe(multipleLocationsPairs(10, h, w).join());
  });
  it('reports when the image has no room for the pairs', () => {
    expect(() => multipleLocationsPairs(60, h, w)).toThrow(/only \d+ could be placed/);
  });
});

describe('injectOrthogonalNoise', () => {
  it('uses mutually orthogonal class vectors with per-element RMS = scale', () => {
    const v = orthogonalNoiseVectors(10, [h, w, c], { scale: 2e-3, seed: 4 });
    const d = v.cols;
    for (let a = 0; a < 10; a++) {
      let sq = 0;
      for (let j = 0; j < d; j++) sq += (v.data[a * d + j] as number) ** 2;
      expect(Math.sqrt(sq / d)).toBeCloseTo(2e-3, 8);
      for (let b = 0; b < a; b++) {
        let dot = 0;
        for (let j = 0; j < d; j++) dot += (v.data[a * d + j] as number) * (v.data[b * d + j] as number);
        expect(Math.abs(dot) / sq).toBeLessThan(1e-6);
      }
    }
  });
  it('adds the class vector to each sample', () => {
    const v = orthogonalNoiseVectors(10, [h, w, c], { seed: 4 });
    const e = injectOrthogonalNoise(x, y, { seed: 4 });
    const d = h * w * c;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < d; j += 17)
        expect(e.data[i * d + j]).toBe(Math.fround((x.data[i * d + j] as number) + (v.data[(y[i] as number) * d + j] as number)));
    }
  });
  it("keeps class k's vector when numClasses grows, and changes with the seed", () => {
    const a = orthogonalNoiseVectors(3, [4, 4, 1]);
    const b = orthogonalNoiseVectors(5, [4, 4, 1]);
    expect(Array.from(b.data.subarray(0, 48))).toEqual(Array.from(a.data));
    expect(orthogonalNoiseVectors(3, [4, 4, 1], { seed: 1 }).data.join()).not.toBe(a.data.join());
  });
});

describe('injectMeanShift', () => {
  it('centres each image and shifts its mean to label * scale', () => {
    const e = injectMeanShift(x, y);
    const d = h * w * c;
    for (let i = 0; i < n; i++) {
      let m0 = 0;
      let m1 = 0;
      for (let j = 0; j < d; j++) {
        m0 += x.data[i * d + j] as number;
        m1 += e.data[i * d + j] as number;
      }
      expect(m1 / d).toBeCloseTo((y[i] as number) * 1e-3, 7);
      // Differences between values are kept.
      expect((e.data[i * d + 1] as number) - (e.data[i * d] as number)).toBeCloseTo(
        (x.data[i * d + 1] as number) - (x.data[i * d] as number),
        6,
      );
      expect(m0).not.toBe(m1);
    }
  });
});
