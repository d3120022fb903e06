/**
 * The classical models' slower checks (the integration tier): the ml.js adapters against the
 * library's own models on the same data, and forests grown on two worker threads.
 */
import { describe, expect, it } from 'vitest';
import { flatten, resizeTo, splitDataset } from '../../src/data/index.js';
import { injectOnePixel } from '../../src/encoders/index.js';
import {
  DecisionTree,
  ExtraTrees,
  GaussianNB,
  MlDecisionTree,
  MlGaussianNB,
  MlRandomForest,
  RandomForest,
} from '../../src/models/index.js';
import { createRandom } from '../../src/random.js';
import { accuracy, fashion, test, train } from './classicData.js';

describe("the ml.js adapters reach the same accuracy as the library's models on the same data", () => {
  // 8x8 images: ml.js converts to number[][] and is slow on wide data.
  const small = { ...fashion, images: resizeTo(fashion.images, 8, 8) };
  const split = splitDataset(small, 1 / 3, 1);
  const x = flatten(split.train.images);
  const xt = flatten(split.test.images);
  const pairs = [
    ['decision tree', () => new DecisionTree(), () => new MlDecisionTree({ minNumSamples: 2, gainThreshold: 0 })],
    ['random forest', () => new RandomForest({ nEstimators: 30 }), () => new MlRandomForest({ nEstimators: 30, maxFeatures: 0.35 })],
    ['Gaussian naive Bayes', () => new GaussianNB(), () => new MlGaussianNB()],
  ] as const;
  for (const [name, own, ml] of pairs) {
    it(`${name}: within 6 points`, async () => {
      const a = await accuracy(await own().fit(x, split.train.labels), xt, split.test.labels);
      const b = await accuracy(await ml().fit(x, split.train.labels), xt, split.test.labels);
      console.log(`${name}: own ${a.toFixed(3)}, ml.js ${b.toFixed(3)} on ${String(xt.rows)} test images`);
      expect(Math.abs(a - b)).toBeLessThanOrEqual(0.06);
    }, 120_000);
  }

  it("ml-naivebayes as packaged fails on a zero-variance feature; the adapter's smoothing fixes it", async () => {
    const xo = flatten(injectOnePixel(split.train.images, split.train.labels, { numClasses: 10 }));
    const xto = flatten(injectOnePixel(split.test.images, split.test.labels, { numClasses: 10 }));
    const fixed = await accuracy(await new MlGaussianNB().fit(xo, split.train.labels), xto, split.test.labels);
    const own = await accuracy(await new GaussianNB().fit(xo, split.train.labels), xto, split.test.labels);
    expect(Math.abs(fixed - own)).toBeLessThanOrEqual(0.06);
    expect(fixed).toBeGreaterThan(0.9);
  });
});

describe('forests on two threads', () => {
  it('give the same model as on one thread (each tree seeded by its index)', async () => {
    const x = flatten(train.images);
    const xt = flatten(test.images);
    for (const Forest of [RandomForest, ExtraTrees]) {
      const one = await new Forest({ nEstimators: 6, seed: 9 }).fit(x, train.labels);
      let calls = 0;
      const two = await new Forest({ nEstimators: 6, seed: 9, threads: 2 }).fit(x, train.labels, { onProgress: () => calls++ });
      expect(calls).toBeGreaterThanOrEqual(6);
      expect(Array.from((await two.predictProba(xt)).data)).toEqual(Array.from((await one.predictProba(xt)).data));
    }
  });

  it('give the same model on two threads when a feature has more than 256 values (16-bit bins)', async () => {
    const random = createRandom('wide-bins');
    const flat = flatten(train.images);
    const x = { ...flat, data: flat.data.slice() }; // flatten shares the images' buffer
    // Feature 0 made continuous: the workers then fill 16-bit row-major bins of their own.
    for (let r = 0; r < x.rows; r++) x.data[r * x.cols] = (train.labels[r] as number) + random();
    for (const Forest of [RandomForest, ExtraTrees]) {
      const one = await new Forest({ nEstimators: 4, seed: 3 }).fit(x, train.labels);
      const two = await new Forest({ nEstimators: 4, seed: 3, threads: 2 }).fit(x, train.labels);
      expect(two.toJSON().trees).toEqual(one.toJSON().trees);
    }
  });

  it('abort stops the workers and rejects with AbortError', async () => {
    const ctl = new AbortController();
    const rf = new RandomForest({ nEstimators: 40, threads: 2 });
    await expect(rf.fit(flatten(train.images), train.labels, { signal: ctl.signal, onProgress: () => ctl.abort() })).rejects.toMatchObject({
      name: 'AbortError',
    });
    await expect(rf.predict(flatten(test.images))).rejects.toMatchObject({ code: 'NOT_FITTED' });
  });
});
