import { closeSync, fstatSync, openSync, readdirSync, readSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { fail } from '../errors.js';
import { checkChoice, checkOptions, optionNames } from '../options.js';
import type { ImageArray, ImageBatch } from '../types.js';
import type { ImageDataset } from './dataset.js';
import { allocFloat32, checkPath, inspectPath, kindOf, NO_SUCH_PATH, readingFile, readRegularFile } from './files.js';

/** CIFAR-10's class names, by label (used when the folder has no `batches.meta.txt`). */
export const CIFAR10_CLASSES: readonly string[] = [
  'airplane',
  'automobile',
  'bird',
  'cat',
  'deer',
  'dog',
  'frog',
  'horse',
  'ship',
  'truck',
];

/** Bytes of one CIFAR-10 binary record: a label byte and 32x32x3 pixels, channel-major (CHW). */
export const CIFAR10_RECORD_BYTES = 1 + 3072;

/** The files of each split, in order. */
export const CIFAR10_FILES = {
  train: ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin'],
  test: ['test_batch.bin'],
} as const;

/** Options of {@link loadCifar10}. */
export interface Cifar10Options<As extends 'tensor' | 'array' = 'tensor' | 'array'> {
  /** `train` (the five data batches, 50,000 images), `test` (10,000) or `all` (train then test). Default `train`. */
  readonly split?: 'train' | 'test' | 'all';
  /** Return a tf.Tensor4D (default) or a plain `{ data, shape }` batch. */
  readonly as?: As;
}

/**
 * The option names of {@link loadCifar10}: anything else is an UNKNOWN_OPTION error.
 *
 * @example
 * ```ts
 * import { LOAD_CIFAR10_OPTIONS } from 'blindspots/data';
 * LOAD_CIFAR10_OPTIONS; //=> ['split', 'as']
 * ```
 */
export const LOAD_CIFAR10_OPTIONS = optionNames<Cifar10Options>()('split', 'as');

/**
 * Where CIFAR-10's binary files come from: the "CIFAR-10 binary version" on Alex Krizhevsky's
 * page, a tarball that unpacks to the folder `cifar-10-batches-bin`.
 *
 * @example
 * ```ts
 * import { CIFAR10_BINARY_URL } from 'blindspots/data';
 * console.log(`download and unpack ${CIFAR10_BINARY_URL}`);
 * ```
 */
export const CIFAR10_BINARY_URL = 'https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz';

const SOURCE = `the "CIFAR-10 binary version", ${CIFAR10_BINARY_URL}, unpacks to cifar-10-batches-bin`;

/** Records read per chunk: ~3 MB, so memory stays at the output plus one chunk. */
const CHUNK_RECORDS = 1024;

/**
 * CIFAR-10 from its binary version (`cifar-10-batches-bin`: `data_batch_1.bin` … `data_batch_5.bin`,
 * `test_batch.bin`; download the "CIFAR-10 binary version", {@link CIFAR10_BINARY_URL}) in a folder
 * you name. Images come back NHWC float32 in [0, 1] (pixel / 255). Files are read in ~3 MB chunks
 * straight into the output, so loading needs little more than the output tensor. A missing folder
 * (the error says where the files come from), a regular file or a dangling link in its place, a
 * missing or truncated file, or a label byte above 9 is a DATA_FORMAT error naming the path (and
 * the byte offset); nothing is partially returned.
 *
 * @example
 * ```ts
 * import { loadCifar10 } from 'blindspots/data';
 * const { images, labels } = loadCifar10('cifar-10-batches-bin', { split: 'test' }); // images: Tensor4D [10000, 32, 32, 3]
 * ```
 */
export function loadCifar10(dir: string, options: Cifar10Options<'array'> & { as: 'array' }): ImageDataset<ImageArray>;
export function loadCifar10(dir: string, options?: Cifar10Options<'tensor'>): ImageDataset<ImageBatch>;
export function loadCifar10(dir: string, options: Cifar10Options = {}): ImageDataset<ImageBatch | ImageArray> {
  const fn = 'loadCifar10';
  const o = checkOptions(fn, options, LOAD_CIFAR10_OPTIONS);
  checkPath(fn, 'dir', dir);
  const split = checkChoice(fn, 'options.split', o.split, ['train', 'test', 'all'] as const, 'train');
  const as = checkChoice(fn, 'options.as', o.as, ['tensor', 'array'] as const, 'tensor');
  const folder = inspectPath(dir);
  const expected = `a folder holding CIFAR-10's binary files (${SOURCE})`;
  if (folder.problem !== undefined) throw fail('DATA_FORMAT', fn, 'dir', expected, `${dir}: ${folder.problem}`);
  if (!folder.stats.isDirectory()) throw fail('DATA_FORMAT', fn, 'dir', expected, `${dir}: ${kindOf(folder.stats)}, not a folder`);
  const files = split === 'all' ? [...CIFAR10_FILES.train, ...CIFAR10_FILES.test] : [...CIFAR10_FILES[split]];
  const problems = files.map((f) => {
    const at = inspectPath(join(dir, f));
    return at.problem ?? (at.stats.isFile() ? undefined : kindOf(at.stats));
  });
  const first = problems.findIndex((p) => p !== undefined);
  if (first >= 0) {
    const present = readingFile(fn, 'dir', dir, expected, () => readdirSync(dir));
    const count = problems.filter((p) => p !== undefined).length;
    throw fail(
      'DATA_FORMAT',
      fn,
      'dir',
      `${join(dir, files[first] as string)} (the ${split} split needs ${files.join(', ')}; ${SOURCE})`,
      present.length === 0
        ? 'an empty folder'
        : `${problems[first] as string}${count > 1 ? ` (${String(count)} of the ${String(files.length)} files missing or unreadable)` : ''}`,
    );
  }
  // Read before the records, so a bad meta file fails before anything large is allocated.
  const names = classNames(fn, dir);
  // Sizes first, so a truncated file fails before anything is allocated or read.
  const counts = files.map((f) => {
    const path = join(dir, f);
    return readingFile(fn, 'dir', path, 'a readable CIFAR-10 binary file', () => {
      const fd = openSync(path, 'r');
      try {
        const size = fstatSync(fd).size;
        if (size === 0 || size % CIFAR10_RECORD_BYTES !== 0) {
          const whole = Math.floor(size / CIFAR10_RECORD_BYTES);
          throw fail(
            'DATA_FORMAT',
            fn,
            'dir',
            `${path}: a whole number of ${String(CIFAR10_RECORD_BYTES)}-byte records`,
            `${String(size)} bytes (an incomplete record at byte offset ${String(whole * CIFAR10_RECORD_BYTES)})`,
          );
        }
        return size / CIFAR10_RECORD_BYTES;
      } finally {
        closeSync(fd);
      }
    });
  });
  const n = counts.reduce((a, b) => a + b, 0);
  const data = allocFloat32(fn, 'dir', n * 3072, 'DATA_FORMAT', `${String(n)} images`);
  const labels = new Int32Array(n);
  const chunk = Buffer.allocUnsafe(CHUNK_RECORDS * CIFAR10_RECORD_BYTES);
  let record = 0;
  files.forEach((f, fi) => {
    const path = join(dir, f);
    const fd = readingFile(fn, 'dir', path, 'a readable CIFAR-10 binary file', () => openSync(path, 'r'));
    try {
      for (let r = 0; r < (counts[fi] as number); r += CHUNK_RECORDS) {
        const m = Math.min(CHUNK_RECORDS, (counts[fi] as number) - r);
        const bytes = m * CIFAR10_RECORD_BYTES;
        let got = 0;
        while (got < bytes) {
          const k = readingFile(fn, 'dir', path, 'a readable CIFAR-10 binary file', () =>
            readSync(fd, chunk, got, bytes - got, r * CIFAR10_RECORD_BYTES + got),
          );
          if (k === 0)
            throw fail(
              'DATA_FORMAT',
              fn,
              'dir',
              `${path}: ${String(bytes)} bytes at offset ${String(r * CIFAR10_RECORD_BYTES)}`,
              `end of file after ${String(got)}`,
            );
          got += k;
        }
        for (let j = 0; j < m; j++) {
          const base = j * CIFAR10_RECORD_BYTES;
          const label = chunk[base] as number;
          if (label > 9) {
            throw fail(
              'DATA_FORMAT',
              fn,
              'dir',
              `${path}: label bytes 0..9`,
              `${String(label)} at byte offset ${String((r + j) * CIFAR10_RECORD_BYTES)}`,
            );
          }
          labels[record] = label;
          // CHW planes to HWC.
          const out = record * 3072;
          for (let p = 0; p < 1024; p++) {
            data[out + p * 3] = (chunk[base + 1 + p] as number) / 255;
            data[out + p * 3 + 1] = (chunk[base + 1 + 1024 + p] as number) / 255;
            data[out + p * 3 + 2] = (chunk[base + 1 + 2048 + p] as number) / 255;
          }
          record++;
        }
      }
    } finally {
      closeSync(fd);
    }
  });
  const shape = [n, 32, 32, 3] as const;
  const images = as === 'array' ? { data, shape } : tf.tensor4d(data, [...shape], 'float32');
  return { images, labels, classNames: names, skipped: 0 };
}

/** Class names from `batches.meta.txt` when it is there and holds 10 names; CIFAR-10's otherwise. */
function classNames(fn: string, dir: string): readonly string[] {
  const meta = join(dir, 'batches.meta.txt');
  const at = inspectPath(meta);
  // The file is optional; a dangling link or an unreadable file in its place is an error below.
  if (at.problem === NO_SUCH_PATH) return CIFAR10_CLASSES;
  const names = readRegularFile(fn, 'dir', meta, 'a readable batches.meta.txt (or none)')
    .toString('utf8')
    .split(/\r?\n/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  return names.length === 10 ? names : CIFAR10_CLASSES;
}
