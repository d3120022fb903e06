import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { loadFashionMnist, splitDataset } from '../../../src/data/index.js';
import { injectOnePixel } from '../../../src/encoders/index.js';
import { DecisionTree, type Model } from '../../../src/models/index.js';
import { measureReliance, planStudy, runCell } from '../../../src/study/index.js';
import type { FeatureMatrix, ImageArray } from '../../../src/types.js';

const fashion = loadFashionMnist({ perClass: 12, as: 'array' });
const { train, test } = splitDataset(fashion, 1 / 3, 0);

/** A user's own model: the class whose mean of feature `column` is nearest. */
class NearestMean implements Model<'features'> {
  readonly name = 'nearestMean';
  readonly inputKind = 'features' as const;
  readonly params = {};
  private means: number[] = [];
  constructor(private readonly column: number) {}
  async fit(x: FeatureMatrix, y: ArrayLike<number>): Promise<this> {
    const sums: [number, number][] = [];
    for (let i = 0; i < x.rows; i++) {
      const k = y[i] as number;
      const [s, n] = sums[k] ?? [0, 0];
      sums[k] = [s + (x.data[i * x.cols + this.column] as number), n + 1];
    }
    this.means = sums.map(([s, n]) => s / n);
    return Promise.resolve(this);
  }
  async predict(x: FeatureMatrix): Promise<Int32Array> {
    return Promise.resolve(
      Int32Array.from({ length: x.rows }, (_, i) => {
        const v = x.data[i * x.cols + this.column] as number;
        let best = 0;
        this.means.forEach((m, k) => {
          if (Math.abs(m - v) < Math.abs((this.means[best] as number) - v)) best = k;
        });
        return best;
      }),
    );
  }
  dispose(): void {}
}

describe('measureReliance', () => {
  it("gives a user's model the study's measurement: reads a signal it can see, ignores one it cannot", async () => {
    const reads = await measureReliance({
      model: new NearestMean(0),
      signal: 'onePixel',
      signalOptions: { scale: 0.01 },
      train: { x: train.images, labels: train.labels },
      test: { x: test.images, labels: test.labels },
      cleanModel: new NearestMean(0),
    });
    expect(reads.paired.verdict).toBe('reads');
    expect(reads.accuracy).toBeGreaterThan(reads.shuffledAccuracy + 0.3);
    expect(reads.cleanAccuracy).toBeLessThan(reads.accuracy);
    expect(reads.paired.followsSignal).toBeGreaterThan(0.5);
    // The pixel the model reads is not the one the signal writes: nothing to read.
    const blind = await measureReliance({
      model: new NearestMean(400),
      signal: 'onePixel',
      train: { x: train.images, labels: train.labels },
      test: { x: test.images, labels: test.labels },
    });
    expect(blind.accuracy).toBe(blind.shuffledAccuracy);
    expect(blind.paired.verdict).toBe('ignores');
  });

  it("takes the user's own encoder function", async () => {
    const mine = (x: ImageArray, labels: Int32Array): ImageArray =>
      injectOnePixel(x, labels, { numClasses: 10, scale: 0.05, position: [3, 3] });
    const result = await measureReliance({
      model: new NearestMean(3 * 28 + 3),
      signal: mine,
      train: { x: train.images, labels: train.labels },
      test: { x: test.images, labels: test.labels },
    });
    expect(result.paired.verdict).toBe('reads');
  });

  it("equals runCell's figures for a registered model and signal with the same seed", async () => {
    const plan = planStudy({ dataset: 'f', train, test, signals: ['orthogonalNoise'], models: ['decisionTree'], seeds: [3] });
    const cell = plan.cells.find((c) => c.signal === 'orthogonalNoise');
    if (cell === undefined) throw new Error('a cell');
    const record = await runCell(plan, cell);
    const result = await measureReliance({
      model: new DecisionTree({ seed: 3 }),
      signal: 'orthogonalNoise',
      seed: 3,
      train: { x: train.images, labels: train.labels },
      test: { x: test.images, labels: test.labels },
    });
    expect(result.accuracy).toBe(record.accuracy);
    expect(result.shuffledAccuracy).toBe(record.shuffledAccuracy);
  });

  it('refuses what it cannot measure, with typed errors naming the argument', async () => {
    const base = {
      model: new NearestMean(0),
      signal: 'onePixel',
      train: { x: train.images, labels: train.labels },
      test: { x: test.images, labels: test.labels },
    };
    await expect(measureReliance({ ...base, signal: 'onePixle' })).rejects.toMatchObject({ code: 'UNKNOWN_NAME' });
    await expect(measureReliance({ ...base, signal: 'mnemonic' })).rejects.toMatchObject({ details: { arg: 'options.signal' } });
    await expect(measureReliance({ ...base, model: {} as Model })).rejects.toMatchObject({ details: { arg: 'options.model' } });
    await expect(measureReliance({ ...base, test: { x: test.images, labels: test.labels.slice(1) } })).rejects.toMatchObject({
      details: { arg: 'options.test.labels' },
    });
    await expect(measureReliance({ ...base, test: { x: ['a text'] as unknown as ImageArray, labels: [0] } })).rejects.toMatchObject({
      details: { arg: 'options.test.x' },
    });
    expect(tf.memory().numTensors).toBe(0);
  });
});
