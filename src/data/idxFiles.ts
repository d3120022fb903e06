/**
 * The IDX reader behind `readIdx`, `loadIdx` and `loadMnist` (internal, not exported from
 * `blindspots/data`): each takes the public function's name and argument, so an error names what
 * the user called.
 */
import { gunzipSync } from 'node:zlib';
import * as tf from '@tensorflow/tfjs';
import { fail } from '../errors.js';
import { checkChoice } from '../options.js';
import type { ImageArray, ImageBatch } from '../types.js';
import { checkInteger, describe } from '../validate.js';
import type { ImageDataset } from './dataset.js';
import { allocFloat32, readRegularFile } from './files.js';

/** Options of `loadIdx`. */
export interface IdxOptions<As extends 'tensor' | 'array' = 'tensor' | 'array'> {
  /** Labels must be below this (1 to 256); default 10. */
  readonly numClasses?: number;
  /** Class names, one string per class; default '0'..'9'. */
  readonly classNames?: readonly string[];
  /** Return a tf.Tensor4D (default) or a plain `{ data, shape }` batch. */
  readonly as?: As;
}

/** IDX magic numbers: unsigned bytes with 1 dimension (labels) and 3 dimensions (images). */
export const IDX_LABELS_MAGIC = 2049;
export const IDX_IMAGES_MAGIC = 2051;

/** A parsed IDX file of unsigned bytes. */
export interface IdxFile {
  readonly dims: readonly number[];
  readonly data: Uint8Array;
}

/** `readIdx` for a public function `fn` whose argument `arg` led to `path`. */
export function readIdxFile(fn: string, arg: string, path: string, expectedMagic: number | undefined): IdxFile {
  let raw = readRegularFile(fn, arg, path, 'a readable IDX file');
  if (raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b) {
    try {
      raw = gunzipSync(raw);
    } catch (e) {
      throw fail('DATA_FORMAT', fn, arg, `${path}: a complete gzip stream`, (e as Error).message);
    }
  }
  if (raw.length < 4) throw fail('DATA_FORMAT', fn, arg, `${path}: a 4-byte magic number at offset 0`, `${String(raw.length)} bytes`);
  const magic = raw.readUInt32BE(0);
  const known = magic === IDX_LABELS_MAGIC || magic === IDX_IMAGES_MAGIC;
  if ((expectedMagic !== undefined && magic !== expectedMagic) || !known) {
    throw fail(
      'DATA_FORMAT',
      fn,
      arg,
      `${path}: magic number ${String(expectedMagic ?? `${String(IDX_LABELS_MAGIC)} or ${String(IDX_IMAGES_MAGIC)}`)} at offset 0`,
      String(magic),
    );
  }
  const ndims = magic & 0xff;
  const header = 4 + 4 * ndims;
  if (raw.length < header) throw fail('DATA_FORMAT', fn, arg, `${path}: a ${String(header)}-byte header`, `${String(raw.length)} bytes`);
  const dims = Array.from({ length: ndims }, (_, k) => raw.readUInt32BE(4 + 4 * k));
  const expected = dims.reduce((a, b) => a * b, 1);
  const actual = raw.length - header;
  if (actual !== expected) {
    const records = dims[0] ?? 0;
    const per = records === 0 ? 1 : expected / records;
    throw fail(
      'DATA_FORMAT',
      fn,
      arg,
      `${path}: ${String(records)} records (${String(expected)} bytes after the header) as its header says`,
      `${String(actual)} bytes (${actual < expected ? `truncated at record ${String(Math.floor(actual / per))}, byte offset ${String(raw.length)}` : `${String(actual - expected)} extra`})`,
    );
  }
  return { dims, data: new Uint8Array(raw.buffer, raw.byteOffset + header, expected) };
}

/**
 * `loadIdx` for a public function `fn` (loadMnist too), naming the arguments that led to the two
 * files as `args` says, with checked options.
 */
export function loadIdxFiles(
  fn: string,
  args: { images: string; labels: string },
  imagesPath: string,
  labelsPath: string,
  options: IdxOptions,
): ImageDataset<ImageBatch | ImageArray> {
  const numClasses = checkInteger(fn, 'options.numClasses', options.numClasses ?? 10, 1, 256);
  const as = checkChoice(fn, 'options.as', options.as, ['tensor', 'array'] as const, 'tensor');
  const names = options.classNames;
  if (names !== undefined && (!Array.isArray(names) || names.length !== numClasses || !names.every((s) => typeof s === 'string')))
    throw fail('INVALID_ARGUMENT', fn, 'options.classNames', `${String(numClasses)} strings, one per class`, describe(names));
  const img = readIdxFile(fn, args.images, imagesPath, IDX_IMAGES_MAGIC);
  const lab = readIdxFile(fn, args.labels, labelsPath, IDX_LABELS_MAGIC);
  const [n, rows, cols] = img.dims as [number, number, number];
  if (n === 0 || rows === 0 || cols === 0)
    throw fail(
      'DATA_FORMAT',
      fn,
      args.images,
      `${imagesPath}: at least one image of at least 1x1 pixel`,
      `dimensions [${img.dims.join(', ')}]`,
    );
  if (lab.dims[0] !== n) {
    throw fail(
      'DATA_FORMAT',
      fn,
      args.labels,
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
        args.labels,
        `${labelsPath}: labels below ${String(numClasses)}`,
        `${String(v)} at byte offset ${String(8 + i)}`,
      );
    labels[i] = v;
  }
  const data = allocFloat32(fn, args.images, n * rows * cols, 'DATA_FORMAT', `${String(n)} images`);
  for (let j = 0; j < data.length; j++) data[j] = (img.data[j] as number) / 255;
  const shape = [n, rows, cols, 1] as const;
  const images = as === 'array' ? { data, shape } : tf.tensor4d(data, [...shape], 'float32');
  return { images, labels, classNames: names ?? Array.from({ length: numClasses }, (_, k) => String(k)), skipped: 0 };
}
