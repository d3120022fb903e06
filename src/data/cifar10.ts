import { closeSync, existsSync, fstatSync, openSync, readdirSync, readFileSync, readSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { fail } from '../errors.js';
import type { ImageArray, ImageBatch } from '../types.js';
import type { ImageDataset } from './dataset.js';

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

/** Records read per chunk: ~3 MB, so memory stays at the output plus one chunk. */
const CHUNK_RECORDS = 1024;

/**
 * CIFAR-10 from its binary version (`cifar-10-batches-bin`: `data_batch_1.bin` … `data_batch_5.bin`,
 * `test_batch.bin`) in a folder you name. Images come back NHWC float32 in [0, 1] (pixel / 255).
 * Files are read in ~3 MB chunks straight into the output, so loading needs little more than the
 * output tensor. A missing or truncated file, or a label byte above 9, is a DATA_FORMAT error
 * naming the file (and the byte offset); nothing is partially returned.
 *
 * @example
 * ```ts
 * import { loadCifar10 } from 'blindspots/data';
 * const { images, labels } = loadCifar10('cifar-10-batches-bin', { split: 'test' }); // [10000, 32, 32, 3]
 * ```
 */
export function loadCifar10(dir: string, options: Cifar10Options<'array'> & { as: 'array' }): ImageDataset<ImageArray>;
export function loadCifar10(dir: string, options?: Cifar10Options<'tensor'>): ImageDataset<ImageBatch>;
export function loadCifar10(dir: string, options: Cifar10Options = {}): ImageDataset<ImageBatch | ImageArray> {
  const fn = 'loadCifar10';
  if (typeof dir !== 'string' || !existsSync(dir))
    throw fail('DATA_FORMAT', fn, 'dir', 'an existing folder holding the CIFAR-10 binary files', String(dir));
  const split = options.split ?? 'train';
  if (split !== 'train' && split !== 'test' && split !== 'all')
    throw fail('INVALID_ARGUMENT', fn, 'options.split', "'train', 'test' or 'all'", String(split));
  const files = split === 'all' ? [...CIFAR10_FILES.train, ...CIFAR10_FILES.test] : [...CIFAR10_FILES[split]];
  const present = readdirSync(dir);
  const missing = files.filter((f) => !present.includes(f));
  if (missing.length > 0) {
    throw fail(
      'DATA_FORMAT',
      fn,
      'dir',
      `${join(dir, missing[0] as string)} (the ${split} split needs ${files.join(', ')})`,
      present.length === 0 ? 'an empty folder' : `${String(missing.length)} missing`,
    );
  }
  // Sizes first, so a truncated file fails before anything is allocated or read.
  const counts = files.map((f) => {
    const path = join(dir, f);
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
  const n = counts.reduce((a, b) => a + b, 0);
  const data = new Float32Array(n * 3072);
  const labels = new Int32Array(n);
  const chunk = Buffer.allocUnsafe(CHUNK_RECORDS * CIFAR10_RECORD_BYTES);
  let record = 0;
  files.forEach((f, fi) => {
    const path = join(dir, f);
    const fd = openSync(path, 'r');
    try {
      for (let r = 0; r < (counts[fi] as number); r += CHUNK_RECORDS) {
        const m = Math.min(CHUNK_RECORDS, (counts[fi] as number) - r);
        const bytes = m * CIFAR10_RECORD_BYTES;
        let got = 0;
        while (got < bytes) {
          const k = readSync(fd, chunk, got, bytes - got, r * CIFAR10_RECORD_BYTES + got);
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
  const images = options.as === 'array' ? { data, shape } : tf.tensor4d(data, [...shape], 'float32');
  return { images, labels, classNames: classNames(dir), skipped: 0 };
}

function classNames(dir: string): readonly string[] {
  const meta = join(dir, 'batches.meta.txt');
  if (!existsSync(meta)) return CIFAR10_CLASSES;
  const names = readFileSync(meta, 'utf8')
    .split(/\r?\n/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  return names.length === 10 ? names : CIFAR10_CLASSES;
}
