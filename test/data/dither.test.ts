import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { dither } from '../../src/data/index.js';
import { recoverability, injectOrthogonalNoise } from '../../src/encoders/index.js';
import { runStudy } from '../../src/study/index.js';
import { splitDataset } from '../../src/data/index.js';
import { cyclicLabels, gridImages } from '../conformance/fixtures.js';

describe('dither (the grid control)', () => {
  const x = gridImages(20, 6, 6, 3);

  it('moves every value by at most half a quantisation step, and off the k/255 grid', () => {
    const d = dither(x, { seed: 4 });
    expect(d.shape).toEqual(x.shape);
    let maxMove = 0;
    let onGrid = 0;
    for (let i = 0; i < x.data.length; i++) {
      maxMove = Math.max(maxMove, Math.abs((d.data[i] as number) - (x.data[i] as number)));
      const q = (d.data[i] as number) * 255;
      if (Math.abs(q - Math.round(q)) < 1e-3) onGrid++;
    }
    expect(maxMove).toBeLessThanOrEqual(0.5 / 255 + 1e-7);
    expect(maxMove).toBeGreaterThan(0.4 / 255);
    // Uniform noise lands within 1e-3 steps of the grid about 0.2% of the time.
    expect(onGrid / x.data.length).toBeLessThan(0.01);
  });

  it('is deterministic for a seed, differs across seeds, keeps the input, and keeps tensors tensors', () => {
    const copy = x.data.slice();
    expect(dither(x, { seed: 1 }).data).toEqual(dither(x, { seed: 1 }).data);
    expect(dither(x, { seed: 1 }).data).not.toEqual(dither(x, { seed: 2 }).data);
    expect(x.data).toEqual(copy);
    const before = tf.memory().numTensors;
    const t = tf.tensor4d(x.data, [...x.shape]);
    const out = dither(t);
    expect(out).toBeInstanceOf(tf.Tensor);
    tf.dispose([t, out]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('removes the off-grid cue the oracle reads: orthogonal noise is no longer recoverable', () => {
    const y = cyclicLabels(20, 4);
    expect(recoverability('orthogonalNoise', injectOrthogonalNoise(x, y), y).accuracy).toBe(1);
    expect(recoverability('orthogonalNoise', injectOrthogonalNoise(dither(x), y), y).accuracy).toBe(0);
  });

  it('refuses bad options with typed errors', () => {
    expect(() => dither(x, { levels: 0 })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }) as Error);
    expect(() => dither(x, { level: 255 } as never)).toThrow(/did you mean 'levels'/);
  });

  it('a study with dither records it, keeps the labels, and changes the keys', async () => {
    const { train, test } = splitDataset(
      { images: gridImages(60, 8, 8, 1), labels: cyclicLabels(60, 3), classNames: ['a', 'b', 'c'] },
      1 / 3,
      0,
    );
    const config = { dataset: 'grid', train, test, signals: ['onePixel'], models: ['decisionTree'] };
    const plain = await runStudy(config);
    const dithered = await runStudy({ ...config, dither: { seed: 3 } });
    expect(dithered[0]?.data.dither).toEqual({ levels: 255, seed: 3 });
    expect(plain[0]?.data.dither).toBeNull();
    expect(dithered[0]?.key).not.toBe(plain[0]?.key);
    expect(dithered.map((r) => r.nTrain)).toEqual(plain.map((r) => r.nTrain));
    // The one-pixel signal's value survives (the pixel is overwritten after dithering).
    expect(dithered.find((r) => r.signal === 'onePixel')?.accuracy).toBe(1);
  });
});
