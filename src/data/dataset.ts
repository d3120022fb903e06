import { fail } from '../errors.js';
import { readImages, wrapImages } from '../images.js';
import { DEFAULT_SEED, type Seed } from '../random.js';
import type { ImageArray, ImageBatch, ImageInput } from '../types.js';
import { checkInteger, checkLabels, checkNumber, describe } from '../validate.js';
import { stratifiedSplitOf } from './split.js';

/** A loaded image dataset: images (a tensor or a plain batch), one label per image, class names. */
export interface ImageDataset<I extends ImageInput = ImageArray> {
  /** [n, height, width, channels] float32, values normally in [0, 1]. */
  readonly images: I;
  readonly labels: Int32Array;
  readonly classNames: readonly string[];
  /** Records of the source that are not images and were left out (Fashion-MNIST has two). */
  readonly skipped?: number;
}

/** A loaded text dataset: texts, one label per text, class names. */
export interface TextDataset {
  readonly texts: readonly string[];
  readonly labels: Int32Array;
  readonly classNames: readonly string[];
}

/** Either kind of dataset. */
export type Dataset = ImageDataset<ImageInput> | TextDataset;

/** The same kind of image batch: a plain batch stays plain, a tensor gives a tensor. */
export type Same<T extends ImageInput> = T extends ImageArray ? ImageArray : ImageBatch;

/** The same kind of dataset as `D`, with its images (if any) of the same kind. */
export type SameDataset<D extends Dataset> = D extends ImageDataset<infer I> ? ImageDataset<Same<I>> : TextDataset;

/**
 * Whether `ds` is a text dataset (it has `texts`).
 *
 * @example
 * ```ts
 * import { isTextDataset } from 'blindspots/data';
 * isTextDataset({ texts: ['a'], labels: Int32Array.of(0), classNames: ['x'] }); //=> true
 * ```
 */
export function isTextDataset(ds: Dataset): ds is TextDataset {
  return Array.isArray((ds as TextDataset).texts);
}

/**
 * Checks a dataset at a public boundary: an object with images or texts and exactly one integral,
 * non-negative label per sample (a shorter label list would silently drop samples). Returns the
 * sample count.
 *
 * @example
 * ```ts
 * import { checkDataset } from 'blindspots/data';
 * checkDataset('subsample', { texts: ['a', 'b'], labels: Int32Array.of(0, 1), classNames: ['x', 'y'] }); //=> 2
 * ```
 */
export function checkDataset(fn: string, ds: unknown, arg = 'ds'): number {
  if (ds === null || typeof ds !== 'object')
    throw fail('INVALID_ARGUMENT', fn, arg, 'a dataset { images | texts, labels, classNames }', describe(ds));
  const d = ds as Partial<ImageDataset<ImageInput> & TextDataset>;
  let n: number;
  if (d.texts !== undefined) {
    if (!Array.isArray(d.texts)) throw fail('INVALID_ARGUMENT', fn, `${arg}.texts`, 'an array of strings', describe(d.texts));
    for (let i = 0; i < d.texts.length; i++) {
      // A hole of a sparse array reads as undefined.
      if (typeof d.texts[i] !== 'string')
        throw fail('INVALID_ARGUMENT', fn, `${arg}.texts`, 'strings', `${describe(d.texts[i])} at index ${String(i)}`);
    }
    n = d.texts.length;
  } else if (d.images !== undefined) {
    n = readImages(fn, d.images, `${arg}.images`, false).shape[0];
  } else {
    throw fail('INVALID_ARGUMENT', fn, arg, 'a dataset with `images` or `texts`', 'neither');
  }
  if (d.labels === undefined) throw fail('INVALID_ARGUMENT', fn, `${arg}.labels`, 'one label per sample', 'undefined');
  checkLabels(fn, d.labels, { length: n, arg: `${arg}.labels` });
  if (!Array.isArray(d.classNames))
    throw fail('INVALID_ARGUMENT', fn, `${arg}.classNames`, 'an array of class names', describe(d.classNames));
  return n;
}

/**
 * The samples at `indices` (in that order) of a dataset: a new dataset of the same kind (images
 * or texts; a tensor gives a tensor). The input is not disposed.
 *
 * @example
 * ```ts
 * import { take } from 'blindspots/data';
 * const ds = { texts: ['a', 'b', 'c', 'd'], labels: Int32Array.of(0, 1, 0, 1), classNames: ['x', 'y'] };
 * take(ds, [3, 0]).texts; //=> ['d', 'a']
 * ```
 */
export function take<D extends Dataset>(ds: D, indices: ArrayLike<number>): SameDataset<D> {
  return samplesAt(ds, indices, 'take');
}

/** {@link take} on behalf of `fn`, the function the user called, which its errors name. */
function samplesAt<D extends Dataset>(ds: D, indices: ArrayLike<number>, fn: string): SameDataset<D> {
  const n = checkDataset(fn, ds);
  const idx = checkLabels(fn, indices, { numClasses: n, arg: 'indices' });
  const labels = Int32Array.from(idx, (i) => ds.labels[i] as number);
  if (isTextDataset(ds)) {
    return { texts: Array.from(idx, (i) => ds.texts[i] as string), labels, classNames: ds.classNames } as unknown as SameDataset<D>;
  }
  const read = readImages(fn, ds.images, 'ds.images', false);
  const [, h, w, c] = read.shape;
  const d = h * w * c;
  const data = new Float32Array(idx.length * d);
  idx.forEach((i, k) => data.set(read.data.subarray(i * d, (i + 1) * d), k * d));
  const images = wrapImages({ isTensor: read.isTensor, shape: [idx.length, h, w, c] }, data);
  return { images, labels, classNames: ds.classNames, ...(ds.skipped === undefined ? {} : { skipped: ds.skipped }) } as SameDataset<D>;
}

/**
 * A deterministic stratified subset of a dataset (images or texts): `size` is a fraction in (0, 1]
 * of the samples (the paper trained its classical models on 1/4 of CIFAR-10) or a count; each
 * class keeps its share. Indices stay in their original order.
 *
 * @example
 * ```ts
 * import { subsample } from 'blindspots/data';
 * const train = { texts: ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'], labels: Int32Array.of(0, 0, 0, 0, 1, 1, 1, 1), classNames: ['x', 'y'] };
 * const quarter = subsample(train, 0.25, 0);
 * quarter.labels; //=> Int32Array [0, 1]
 * ```
 */
export function subsample<D extends Dataset>(ds: D, size: number, seed: Seed = DEFAULT_SEED): SameDataset<D> {
  const fn = 'subsample';
  const n = checkDataset(fn, ds);
  const fraction =
    Number.isInteger(size) && size > 1
      ? checkInteger(fn, 'size', size, 1, n) / n
      : checkNumber(fn, 'size', size, { positive: true, max: 1 });
  const all = Int32Array.from({ length: n }, (_, i) => i);
  return samplesAt(ds, fraction === 1 ? all : stratifiedSplitOf(ds.labels, fraction, seed, fn).test, fn);
}

/**
 * A deterministic stratified train/test split of a dataset, images or texts (see
 * `stratifiedSplit`).
 *
 * @example
 * ```ts
 * import { splitDataset } from 'blindspots/data';
 * const images = { data: new Float32Array(10 * 8 * 8), shape: [10, 8, 8, 1] as const };
 * const ds = { images, labels: Int32Array.of(0, 0, 0, 0, 0, 1, 1, 1, 1, 1), classNames: ['x', 'y'] };
 * const { train, test } = splitDataset(ds, 0.2, 0);
 * test.images.shape; //=> [2, 8, 8, 1]
 * ```
 */
export function splitDataset<D extends Dataset>(
  ds: D,
  testFraction: number,
  seed: Seed = DEFAULT_SEED,
): { train: SameDataset<D>; test: SameDataset<D> } {
  const fn = 'splitDataset';
  checkDataset(fn, ds);
  const { train, test } = stratifiedSplitOf(ds.labels, testFraction, seed, fn);
  return { train: samplesAt(ds, train, fn), test: samplesAt(ds, test, fn) };
}
