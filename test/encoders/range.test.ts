// The value range of images (issue #26, finding 5): 0..255 images used to pass silently, and
// orthogonal noise on them then decoded as `{ accuracy: 0, ambiguous: 20 }`. Every image encoder
// now refuses values outside [0, 1] (beyond a 0.2% tolerance) with an INVALID_ARGUMENT error that
// names the range found and says "divide by 255", unless `options.range` says otherwise; every
// oracle, and so `recoverability`, checks encoded values against what an encoder writes.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { dither } from '../../src/data/dither.js';
import {
  getImageEncoder,
  imageEncoderNames,
  injectMeanShift,
  injectOnePixel,
  injectOrthogonalNoise,
  recoverability,
} from '../../src/encoders/index.js';
import { cyclicLabels, gridImages } from '../conformance/fixtures.js';
import { caught } from '../conformance/typedError.js';

const x = gridImages(20, 8, 8, 3);
const y = cyclicLabels(20, 10);
const byte = { data: x.data.map((v) => Math.round(v * 255)), shape: x.shape };

describe('image values outside [0, 1] (issue #26)', () => {
  it('orthogonal noise on 0..255 images is an error, not { accuracy: 0, ambiguous: 20 }', () => {
    const e = caught(() => recoverability('orthogonalNoise', injectOrthogonalNoise(byte, y), y));
    expect(e.code).toBe('INVALID_ARGUMENT');
    expect(e.details).toMatchObject({ fn: 'injectOrthogonalNoise', arg: 'images' });
    expect(e.message).toMatch(
      /^injectOrthogonalNoise: argument 'images': expected values in \[0, 1\] \(8-bit images 0\.\.255: divide by 255; /,
    );
    expect(e.message).toMatch(/got values in \[0, 255\] \(\d+ at flat index \d+\)$/);
  });

  for (const name of imageEncoderNames) {
    it(`${name}: refuses 0..255 batches and tensors, and takes them with options.range`, () => {
      const { inject } = getImageEncoder(name);
      const fn = `inject${name[0]?.toUpperCase() ?? ''}${name.slice(1)}`;
      expect(caught(() => inject(byte, y)).details).toMatchObject({ fn, arg: 'images' });
      const t = tf.tensor4d(byte.data, [...byte.shape]);
      const before = tf.memory().numTensors;
      expect(caught(() => inject(t, y)).message).toMatch(/divide by 255/);
      expect(tf.memory().numTensors).toBe(before);
      t.dispose();
      expect(inject(byte, y, { range: [0, 255] }).shape).toEqual(byte.shape);
    });
  }

  it('finds a value out of range anywhere in a large batch, in copying and computing encoders alike', () => {
    const big = gridImages(300, 16, 16, 3, 'big');
    const labels = cyclicLabels(300, 10);
    for (const at of [0, 70000, big.data.length - 1]) {
      const data = big.data.slice();
      data[at] = 1.5;
      for (const inject of [injectOnePixel, injectOrthogonalNoise, injectMeanShift]) {
        const e = caught(() => inject({ data, shape: big.shape }, labels));
        expect(e.message).toMatch(new RegExp(`got values in \\[0, 1\\.5\\] \\(1\\.5 at flat index ${String(at)}\\)`));
      }
    }
  });

  it('tolerates float rounding and dithered 8-bit images (half a step), not more', () => {
    const dithered = dither(x, { seed: 1 });
    expect(Math.max(...dithered.data)).toBeGreaterThan(1);
    expect(Math.min(...dithered.data)).toBeLessThan(0);
    for (const name of imageEncoderNames) {
      const encoded = getImageEncoder(name).inject(dithered, y);
      expect(recoverability(name, encoded, y).wrong, name).toBe(0);
    }
    const edge = (v: number) => ({ data: x.data.map((u, i) => (i === 5 ? v : u)), shape: x.shape });
    injectOnePixel(edge(1.001), y);
    injectOnePixel(edge(-0.001), y);
    expect(caught(() => injectOnePixel(edge(1.01), y)).code).toBe('INVALID_ARGUMENT');
    expect(caught(() => injectOnePixel(edge(-0.01), y)).message).toMatch(/got values in \[-0\.01, 1\]/);
  });

  it('says what to do with an explicit range too', () => {
    expect(caught(() => injectOnePixel(byte, y, { range: [0, 1] })).message).toMatch(
      /values in \[0, 1\] \(options\.range\) \(8-bit images 0\.\.255: divide by 255/,
    );
    expect(caught(() => injectOnePixel(byte, y, { range: [0, 100] })).message).toMatch(
      /expected values in \[0, 100\] \(options\.range\) \(options\.range must hold every value of the images\), got values in \[0, 255\]/,
    );
  });

  it('standardised images are refused too; the range they hold can be given', () => {
    const standard = { data: x.data.map((v) => (v - 0.5) / 0.25), shape: x.shape };
    expect(caught(() => injectMeanShift(standard, y)).message).toMatch(/got values in \[-2, 2\]/);
    const e = injectMeanShift(standard, y, { range: [-2, 2] });
    expect(recoverability('meanShift', e, y, { range: [-2, 2] }).accuracy).toBe(1);
  });

  it('NaN is still NON_FINITE, before the range', () => {
    const data = byte.data.slice();
    data[7] = Number.NaN;
    for (const inject of [injectOnePixel, injectOrthogonalNoise, injectMeanShift]) {
      expect(caught(() => inject({ data, shape: byte.shape }, y)).code).toBe('NON_FINITE');
    }
  });

  it('checks options.range', () => {
    for (const bad of [[1, 0], [0], [0, Number.POSITIVE_INFINITY], ['0', 1], 'unit']) {
      const e = caught(() => injectOnePixel(x, y, { range: bad as never }));
      expect([e.code, e.details.arg]).toEqual(['INVALID_ARGUMENT', 'options.range']);
    }
  });
});

describe('oracles and recoverability check the encoded values (issue #26)', () => {
  it('recoverability on 0..255 data names itself, the argument and the fix', () => {
    const e = caught(() => recoverability('orthogonalNoise', byte, y));
    expect(e.details).toMatchObject({ fn: 'recoverability', arg: 'encoded' });
    expect(e.message).toMatch(
      /expected values an encoder writes on images in \[0, 1\]: within \[-[\d.]+, 2\.[\d]+\] \(8-bit images 0\.\.255: divide by 255/,
    );
    expect(e.message).toMatch(/got values in \[0, 255\]/);
    // Encoded with the range said, decoded with it: no error.
    const encoded = injectOnePixel(byte, y, { range: [0, 255], scale: 1 });
    expect(recoverability('onePixel', encoded, y, { range: [0, 255], scale: 1 }).accuracy).toBe(1);
  });

  it('every encoder output, at a large scale and many classes, passes every oracle check', () => {
    const labels = cyclicLabels(20, 16);
    for (const name of imageEncoderNames) {
      const { inject } = getImageEncoder(name);
      for (const scale of [1e-3, 1e-2, 0.04]) {
        const options = { numClasses: 16, scale };
        const r = recoverability(name, inject(x, labels, options), labels, options);
        expect(r.wrong, `${name} at ${String(scale)}`).toBe(0);
      }
    }
  });
});
