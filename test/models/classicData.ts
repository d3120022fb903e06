/**
 * The data the classical models' tests of both tiers share (classic.test.ts and
 * classic.integration.test.ts): a small Fashion-MNIST split, and test accuracy.
 */
import { loadFashionMnist, padTo, splitDataset } from '../../src/data/index.js';
import type { Model } from '../../src/models/model.js';
import type { FeatureMatrix } from '../../src/types.js';

/** The share of `x`'s rows `model` labels as `y`. */
export async function accuracy(model: Model<'features'>, x: FeatureMatrix, y: Int32Array): Promise<number> {
  const p = await model.predict(x);
  return p.filter((v, i) => v === y[i]).length / y.length;
}

/** Fashion-MNIST, 60 per class, 32x32 grey (as the paper's CIFAR-sized inputs), split 2:1. */
export const fashion = loadFashionMnist({ perClass: 60, as: 'array' });
const padded = { ...fashion, images: padTo(fashion.images, 32, 32) };
export const { train, test } = splitDataset(padded, 1 / 3, 0);
