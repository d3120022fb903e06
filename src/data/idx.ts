import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import * as tf from '@tensorflow/tfjs';
import { fail } from '../errors.js';
import type { ImageArray, ImageBatch } from '../types.js';
import { checkInteger } from '../validate.js';
import type { ImageDataset } from './dataset.js';

/** IDX magic numbers: unsigned bytes with 1 dimension (labels) and 3 dimensions (images). */
export const IDX_LABELS_MAGIC = 2049;
export const IDX_IMAGES_MAGIC = 2051;

/** A parsed IDX file of unsigned bytes. */
export interface IdxFile {
  readonly dims: readonly number[];
  readonly data: Uint8Array;
}

/**
 * Reads an IDX file of unsigned bytes (LeCun's MNIST format), plain or gzip-compressed (`.gz`,
 * detected by its magic bytes), and checks it: the magic number (`expectedMagic` when given),
 * and that the data holds exactly the number of bytes the header's dimensions say. Errors are
 * DATA_FORMAT, naming the file (and the offset).
 *
 * @example
 * ```ts
 * import { readIdx, IDX_IMAGES_MAGIC } from 'blindspots/data';
 * const { dims, data } = readIdx('train-images-idx3-ubyte.gz', IDX_IMAGES_MAGIC); // dims [60000, 28, 28]
 * ```
 */
export function readIdx(path: string, expectedMagic?: number): IdxFile {
  const fn = 'readIdx';
  let raw: Buffer;
  try {
    raw = readFileSync(path);
  } catch (e) {
    throw fail('DATA_FORMAT', fn, 'path', 'a readable IDX file', `${path}: ${(e as Error).message}`);
  }
  if (raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b) {
    try {
      raw = gunzipSync(raw);
    } catch (e) {
      throw fail('DATA_FORMAT', fn, 'path', `${path}: a complete gzip stream`, (e as Error).message);
    }
  }
  if (raw.length < 4) throw fail('DATA_FORMAT', fn, 'path', `${path}: a 4-byte magic number at offset 0`, `${String(raw.length)} bytes`);
  const magic = raw.readUInt32BE(0);
  const known = magic === IDX_LABELS_MAGIC || magic === IDX_IMAGES_MAGIC;
  if ((expectedMagic !== undefined && magic !== expectedMagic) || !known) {
    throw fail(
      'DATA_FORMAT',
      fn,
      'path',
      `${path}: magic number ${String(expectedMagic ?? `${String(IDX_LABELS_MAGIC)} or ${String(IDX_IMAGES_MAGIC)}`)} at offset 0`,
      String(magic),
    );
  }
  const ndims = magic & 0xff;
  const header = 4 + 4 * ndims;
  if (raw.length < header) throw fail('DATA_FORMAT', fn, 'path', `${path}: a ${String(header)}-byte header`, `${String(raw.length)} bytes`);
  const dims = Array.from({ length: ndims }, (_, k) => raw.readUInt32BE(4 + 4 * k));
  const expected = dims.reduce((a, b) => a * b, 1);
  const actual = raw.length - header;
  if (actual !== expected) {
    const records = dims[0] ?? 0;
    const per = records === 0 ? 1 : expected / records;
    throw fail(
      'DATA_FORMAT',
      fn,
      'path',
      `${path}: ${String(records)} records (${String(expected)} bytes after the header) as its header says`,
      `${String(actual)} bytes (${actual < expected ? `truncated at record ${String(Math.floor(actual / per))}, byte offset ${String(raw.length)}` : `${String(actual - expected)} extra`})`,
    );
  }
  return { dims, data: new Uint8Array(raw.buffer, raw.byteOffset + header, expected) };
}

/** Options of {@link loadIdx}. */
export interface IdxOptions<As extends 'tensor' | 'array' = 'tensor' | 'array'> {
  /** Labels must be below this; default 10. */
  readonly numClasses?: number;
  /** Class names; default '0'..'9'. */
  readonly classNames?: readonly string[];
  /** Return a tf.Tensor4D (default) or a plain `{ data, shape }` batch. */
  readonly as?: As;
}

/**
 * An image dataset from an IDX images file and an IDX labels file (MNIST, Fashion-MNIST's
 * original files): images `[n, rows, cols, 1]` float32 in [0, 1]. The two files must hold the same
 * number of records and every label must be below `numClasses`; errors name the file.
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
  const numClasses = checkInteger(fn, 'options.numClasses', options.numClasses ?? 10, 1, 256);
  const img = readIdx(imagesPath, IDX_IMAGES_MAGIC);
  const lab = readIdx(labelsPath, IDX_LABELS_MAGIC);
  const [n, rows, cols] = img.dims as [number, number, number];
  if (lab.dims[0] !== n) {
    throw fail(
      'DATA_FORMAT',
      fn,
      'labelsPath',
      `${labelsPath}: as many labels as ${imagesPath} has images (${String(n)})`,
      String(lab.dims[0]),
    );
  }
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const v = lab.data[i] as number;
    if (v >= numClasses)
      throw fail(
        'DATA_FORMAT',
        fn,
        'labelsPath',
        `${labelsPath}: labels below ${String(numClasses)}`,
        `${String(v)} at byte offset ${String(8 + i)}`,
      );
    labels[i] = v;
  }
  const data = new Float32Array(n * rows * cols);
  for (let j = 0; j < data.length; j++) data[j] = (img.data[j] as number) / 255;
  const shape = [n, rows, cols, 1] as const;
  const images = options.as === 'array' ? { data, shape } : tf.tensor4d(data, [...shape], 'float32');
  return { images, labels, classNames: options.classNames ?? Array.from({ length: numClasses }, (_, k) => String(k)), skipped: 0 };
}
