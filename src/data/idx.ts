import { fail } from '../errors.js';
import { checkOptions, optionNames } from '../options.js';
import type { ImageArray, ImageBatch } from '../types.js';
import { describe } from '../validate.js';
import type { ImageDataset } from './dataset.js';
import { checkPath } from './files.js';
import { IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC, loadIdxFiles, readIdxFile, type IdxFile, type IdxOptions } from './idxFiles.js';

export { IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC, type IdxFile, type IdxOptions } from './idxFiles.js';

/**
 * Reads an IDX file of unsigned bytes (LeCun's MNIST format), plain or gzip-compressed (`.gz`,
 * detected by its magic bytes), and checks it: the magic number (`expectedMagic` when given:
 * {@link IDX_IMAGES_MAGIC} or {@link IDX_LABELS_MAGIC}), and that the data holds exactly the
 * number of bytes the header's dimensions say. Errors are DATA_FORMAT, naming the file (and the
 * offset); a missing file, a folder or a dangling link included.
 *
 * @example
 * ```ts
 * import { readIdx, IDX_IMAGES_MAGIC } from 'blindspots/data';
 * const { dims, data } = readIdx('train-images-idx3-ubyte.gz', IDX_IMAGES_MAGIC); // dims [60000, 28, 28] for MNIST's
 * ```
 */
export function readIdx(path: string, expectedMagic?: number): IdxFile {
  const fn = 'readIdx';
  checkPath(fn, 'path', path);
  if (expectedMagic !== undefined && expectedMagic !== IDX_IMAGES_MAGIC && expectedMagic !== IDX_LABELS_MAGIC)
    throw fail(
      'INVALID_ARGUMENT',
      fn,
      'expectedMagic',
      `${String(IDX_IMAGES_MAGIC)} (images), ${String(IDX_LABELS_MAGIC)} (labels) or undefined`,
      describe(expectedMagic),
    );
  return readIdxFile(fn, 'path', path, expectedMagic);
}

/**
 * The option names of {@link loadIdx}: anything else is an UNKNOWN_OPTION error.
 *
 * @example
 * ```ts
 * import { LOAD_IDX_OPTIONS } from 'blindspots/data';
 * LOAD_IDX_OPTIONS; //=> ['numClasses', 'classNames', 'as']
 * ```
 */
export const LOAD_IDX_OPTIONS = optionNames<IdxOptions>()('numClasses', 'classNames', 'as');

/**
 * An image dataset from an IDX images file and an IDX labels file (MNIST, Fashion-MNIST's
 * original files): images `[n, rows, cols, 1]` float32 in [0, 1]. The two files must hold the same
 * number of records, at least one, and every label must be below `numClasses`; errors name the file.
 *
 * @example
 * ```ts
 * import { loadIdx } from 'blindspots/data';
 * const { images, labels } = loadIdx('t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte');
 * ```
 */
export function loadIdx(imagesPath: string, labelsPath: string, options: IdxOptions<'array'> & { as: 'array' }): ImageDataset<ImageArray>;
export function loadIdx(imagesPath: string, labelsPath: string, options?: IdxOptions<'tensor'>): ImageDataset<ImageBatch>;
export function loadIdx(imagesPath: string, labelsPath: string, options: IdxOptions = {}): ImageDataset<ImageBatch | ImageArray> {
  const fn = 'loadIdx';
  const o = checkOptions(fn, options, LOAD_IDX_OPTIONS);
  checkPath(fn, 'imagesPath', imagesPath);
  checkPath(fn, 'labelsPath', labelsPath);
  return loadIdxFiles(fn, { images: 'imagesPath', labels: 'labelsPath' }, imagesPath, labelsPath, o);
}
