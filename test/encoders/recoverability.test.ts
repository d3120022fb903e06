import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { getEncoder, getImageEncoder, imageEncoderNames as encoderNames, recoverability } from '../../src/encoders/index.js';
import { loadFashionMnist } from '../../src/data/index.js';
import { BlindspotsError } from '../../src/errors.js';
import { cyclicLabels, gridImages } from '../conformance/fixtures.js';

describe('recoverability on real images (Fashion-MNIST, 200 per class)', () => {
  const fashion = loadFashionMnist({ perClass: 200, as: 'array' });

  for (const name of encoderNames) {
    const entry = getImageEncoder(name);
    it(`${name}: ${entry.information === 'complete' ? 'recovers 100% at the default scale' : 'never decodes a wrong label; reports its ambiguity'}`, () => {
      const encoded = entry.inject(fashion.images, fashion.labels, { numClasses: 10 });
      const r = recoverability(name, encoded, fashion.labels, { numClasses: 10 });
      expect(r.n).toBe(2000);
      expect(r.wrong).toBe(0);
      if (entry.information === 'complete') expect(r.accuracy).toBe(1);
      else expect(r.accuracy + r.ambiguous / r.n).toBeCloseTo(1, 10);
    });
  }

  it('the clean images carry no signal: oracles do not recover the labels from them', () => {
    for (const name of encoderNames) {
      const r = recoverability(name, fashion.images, fashion.labels, { numClasses: 10 });
      // Chance is 10%; one pixel reads class 0 from black pixels (value 0) — 10% by construction.
      expect(r.accuracy).toBeLessThanOrEqual(0.11);
    }
  });
});

describe('recoverability on synthetic CIFAR-shaped 8-bit batches', () => {
  const x = gridImages(300, 32, 32, 3, 'cifar');
  const y = cyclicLabels(300, 10);
  for (const name of encoderNames) {
    it(`${name} recovers 100% (including multiple locations: natural-noise images rarely tie)`, () => {
      const encoded = getImageEncoder(name).inject(x, y);
      expect(recoverability(name, encoded, y).accuracy).toBe(1);
    });
  }

  it('orthogonal noise survives a larger scale, where the residual wraps the grid', () => {
    const e = getImageEncoder('orthogonalNoise').inject(x, y, { scale: 5e-3 });
    expect(recoverability('orthogonalNoise', e, y, { scale: 5e-3 }).accuracy).toBe(1);
  });

  it('decoding with the wrong seed or scale recovers nothing rather than wrong labels', () => {
    const e = getImageEncoder('orthogonalNoise').inject(x, y, { seed: 1 });
    const r = recoverability('orthogonalNoise', e, y, { seed: 2 });
    expect(r.accuracy).toBe(0);
    expect(r.wrong).toBe(0);
  });

  it('random pixel on real-valued grey images reports ambiguity honestly, never a wrong label', () => {
    const grey = gridImages(300, 32, 32, 1, 'grey');
    // Off the k/255 grid everywhere, and near multiples of the scale: every pixel looks like a signal.
    const data = grey.data.map((_, i) => ((i * 7919) % 1000) / 1000 + 1e-4);
    const e = getImageEncoder('randomPixel').inject({ data, shape: grey.shape }, y);
    const r = recoverability('randomPixel', e, y);
    expect(r.ambiguous).toBe(300);
    expect(r.wrong).toBe(0);
  });

  it('random pixel on real-valued colour images still finds the one pixel with equal channels', () => {
    const data = x.data.map((_, i) => ((i * 7919) % 1000) / 1000 + 1e-4);
    const e = getImageEncoder('randomPixel').inject({ data, shape: x.shape }, y);
    expect(recoverability('randomPixel', e, y).accuracy).toBe(1);
  });
});

describe('registry and recoverability errors', () => {
  it('names the valid signals for an unknown name', () => {
    expect(() => getEncoder('twoPixels')).toThrow(/one of onePixel, patternPixels/);
    try {
      recoverability('nope', gridImages(1, 2, 2, 1), [0]);
    } catch (e) {
      expect(e).toBeInstanceOf(BlindspotsError);
      expect((e as BlindspotsError).code).toBe('UNKNOWN_NAME');
      expect((e as BlindspotsError).details.fn).toBe('recoverability');
    }
  });
  it('refuses labels that do not match the batch', () => {
    const x = gridImages(4, 4, 4, 1);
    const e = getImageEncoder('onePixel').inject(x, [0, 1, 2, 3]);
    expect(() => recoverability('onePixel', e, [0, 1, 2])).toThrow(/LENGTH|one per sample/);
  });
  it('decoders that need numClasses say so', () => {
    expect(() => getImageEncoder('orthogonalNoise').recover(gridImages(1, 4, 4, 1))).toThrow(/options.numClasses/);
  });
  it('every decoder leaves no tensor behind', () => {
    const t = tf.tensor4d(gridImages(4, 8, 8, 3).data, [4, 8, 8, 3]);
    const before = tf.memory().numTensors;
    for (const name of encoderNames) getImageEncoder(name).recover(t, { numClasses: 4 });
    expect(tf.memory().numTensors).toBe(before);
    t.dispose();
  });
});
