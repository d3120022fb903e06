import { endianness } from 'node:os';
import { join } from 'node:path';
import { fail } from '../errors.js';
import { readImages } from '../images.js';
import { checkBoolean, checkChoice, checkOptions, optionNames } from '../options.js';
import type { FeatureMatrix, ImageInput, LabelsInput } from '../types.js';
import { checkFinite, checkLabels, describe } from '../validate.js';
import { CIFAR10_RECORD_BYTES } from './cifar10.js';
import { checkPath, makeFolder, readRegularFile, writeFile } from './files.js';

/** Element types NPY files are written with. */
export type NpyDtype = 'float32' | 'uint8' | 'int32';

const DESCR: Record<NpyDtype, string> = { float32: '<f4', uint8: '|u1', int32: '<i4' };

type NpyArray = Float32Array | Uint8Array | Int32Array;

function dtypeOf(data: NpyArray): NpyDtype {
  return data instanceof Float32Array ? 'float32' : data instanceof Uint8Array ? 'uint8' : 'int32';
}

/** The NPY v1.0 header for an array: magic, version, and the dict padded to 64 bytes. */
function npyHeader(dtype: NpyDtype, shape: readonly number[]): Buffer {
  const dims = shape.length === 1 ? `${String(shape[0])},` : shape.join(', ');
  let dict = `{'descr': '${DESCR[dtype]}', 'fortran_order': False, 'shape': (${dims}), }`;
  const unpadded = 10 + dict.length + 1;
  dict += ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  const header = Buffer.alloc(10 + dict.length);
  header.write('\x93NUMPY', 0, 'latin1');
  header[6] = 1;
  header[7] = 0;
  header.writeUInt16LE(dict.length, 8);
  header.write(dict, 10, 'latin1');
  return header;
}

/**
 * Writes an array as a NumPy `.npy` file (format 1.0, C order, little-endian), readable with
 * `numpy.load` and {@link readNpy}. The values are written straight from the typed array, without
 * a copy. `data` must be a Float32Array, Uint8Array or Int32Array (INVALID_DTYPE otherwise: the
 * header would name a type the bytes are not), `shape` non-negative integers whose product is
 * `data.length` (INVALID_SHAPE); nothing is written when either is wrong.
 *
 * @example
 * ```ts
 * import { writeNpy } from 'blindspots/data';
 * writeNpy('labels.npy', Int32Array.of(0, 1, 2), [3]);
 * ```
 */
export function writeNpy(path: string, data: NpyArray, shape: readonly number[]): void {
  const fn = 'writeNpy';
  writeNpyFile(fn, { path: 'path', data: 'data' }, checkPath(fn, 'path', path), data, shape);
}

/** {@link writeNpy} for a public function `fn`, its arguments named as `args` say. */
function writeNpyFile(fn: string, args: { path: string; data: string }, path: string, data: unknown, shape: unknown): void {
  if (!(data instanceof Float32Array || data instanceof Uint8Array || data instanceof Int32Array))
    throw fail('INVALID_DTYPE', fn, args.data, 'a Float32Array, Uint8Array or Int32Array (NPY <f4, |u1, <i4)', describe(data));
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0))
    throw fail('INVALID_SHAPE', fn, 'shape', 'an array of non-negative integer dimensions', describe(shape));
  const count = (shape as number[]).reduce((a, b) => a * b, 1);
  if (count !== data.length) throw fail('INVALID_SHAPE', fn, 'shape', `a shape of ${String(data.length)} values`, `[${shape.join(', ')}]`);
  if (endianness() !== 'LE')
    throw fail('INVALID_ARGUMENT', fn, args.data, 'a little-endian machine (NPY is written as <f4/<i4)', 'big-endian');
  writeFile(fn, args.path, path, (put) => {
    put(npyHeader(dtypeOf(data), shape as number[]));
    put(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  });
}

/**
 * Reads a `.npy` file written by {@link writeNpy} (or NumPy: format 1.x, 2.x or 3.x, C order,
 * `<f4`, `|u1`, `<i4`). Anything else is a DATA_FORMAT error naming the file: no such file, a
 * folder, a truncated header, a shape that is not non-negative integers, a body of the wrong size.
 *
 * @example
 * ```ts
 * import { readNpy, writeNpy } from 'blindspots/data';
 * writeNpy('images.npy', new Float32Array(2 * 4 * 4), [2, 4, 4, 1]);
 * const { data, shape, dtype } = readNpy('images.npy');
 * shape; //=> [2, 4, 4, 1]
 * dtype; //=> 'float32'
 * ```
 */
export function readNpy(path: string): { data: NpyArray; shape: number[]; dtype: NpyDtype } {
  const fn = 'readNpy';
  checkPath(fn, 'path', path);
  const raw = readRegularFile(fn, 'path', path, 'a readable NPY file');
  const bad = (expected: string, received: string) => fail('DATA_FORMAT', fn, 'path', `${path}: ${expected}`, received);
  if (raw.length < 10 || raw.toString('latin1', 0, 6) !== '\x93NUMPY') throw bad('the NPY magic at offset 0', 'something else');
  const major = raw[6] as number;
  if (major < 1 || major > 3) throw bad('format version 1, 2 or 3', `version ${String(major)}`);
  // Version 1 has a 2-byte header length at offset 8; versions 2 and 3 a 4-byte one.
  const preamble = major === 1 ? 10 : 12;
  if (raw.length < preamble)
    throw bad(`a ${String(preamble)}-byte preamble (format version ${String(major)})`, `${String(raw.length)} bytes`);
  const headerLength = major === 1 ? raw.readUInt16LE(8) : raw.readUInt32LE(8);
  const start = preamble + headerLength;
  if (raw.length < start) throw bad(`a ${String(headerLength)}-byte header after the preamble`, `${String(raw.length - preamble)} bytes`);
  const dict = raw.toString(major === 3 ? 'utf8' : 'latin1', preamble, start);
  const descr = /'descr':\s*'([^']+)'/.exec(dict)?.[1];
  const dtype = (Object.keys(DESCR) as NpyDtype[]).find((k) => DESCR[k] === descr);
  if (dtype === undefined || /'fortran_order':\s*True/.test(dict)) throw bad('a C-order <f4, |u1 or <i4 array', dict.trim());
  const tuple = /'shape':\s*\(([^)]*)\)/.exec(dict)?.[1];
  if (tuple === undefined) throw bad("a 'shape' tuple in the header", dict.trim());
  const dims = tuple
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  // Python 2 wrote long integers with an L suffix ("3L").
  if (!dims.every((d) => /^\d+L?$/.test(d))) throw bad('non-negative integer dimensions', `(${tuple})`);
  const shape = dims.map((d) => Number.parseInt(d, 10));
  const count = shape.reduce((a, b) => a * b, 1);
  const body = raw.subarray(start);
  const width = dtype === 'uint8' ? 1 : 4;
  if (body.length !== count * width) throw bad(`${String(count * width)} data bytes for shape (${shape.join(', ')})`, String(body.length));
  const copy = new Uint8Array(body).buffer;
  const data = dtype === 'float32' ? new Float32Array(copy) : dtype === 'uint8' ? new Uint8Array(copy) : new Int32Array(copy);
  return { data, shape, dtype };
}

/** Options of the 8-bit exports. */
export interface QuantizeExportOptions {
  /**
   * Round values to the nearest k/255 (clamped to [0, 1]). Off by default: an 8-bit file cannot
   * hold a 1e-3 signal, so values off the k/255 grid are a typed error rather than silently lost.
   */
  readonly quantize?: boolean;
}

/** Values as bytes: exact for k/255 values; otherwise an error or, on request, rounding. */
function toBytes(fn: string, data: Float32Array, quantize: boolean): Uint8Array {
  const out = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const v = (data[i] as number) * 255;
    const k = Math.round(v);
    if (!quantize && (Math.abs(v - k) > 1e-3 || k < 0 || k > 255)) {
      throw fail(
        'INVALID_ARGUMENT',
        fn,
        'images',
        'values on the k/255 grid in [0, 1] for an 8-bit file (an encoded signal below 1/255 would be lost; pass { quantize: true } to round anyway, or export float32)',
        `${String(data[i])} at flat index ${String(i)}`,
      );
    }
    out[i] = Math.min(255, Math.max(0, k));
  }
  return out;
}

/** Options of {@link exportNpy}. */
export interface ExportNpyOptions extends QuantizeExportOptions {
  /** `float32` (default, keeps any signal) or `uint8` (8-bit, k/255 values only unless `quantize`). */
  readonly dtype?: 'float32' | 'uint8';
}

/**
 * The option names of {@link exportNpy}: anything else is an UNKNOWN_OPTION error.
 *
 * @example
 * ```ts
 * import { EXPORT_NPY_OPTIONS } from 'blindspots/data';
 * EXPORT_NPY_OPTIONS; //=> ['dtype', 'quantize']
 * ```
 */
export const EXPORT_NPY_OPTIONS = optionNames<ExportNpyOptions>()('dtype', 'quantize');

/**
 * Writes a batch and its labels as `images.npy` (NHWC, float32 or uint8) and `labels.npy`
 * (int32) in `dir` (created if needed), for training elsewhere (`numpy.load`, PyTorch).
 *
 * @example
 * ```ts
 * import { injectOnePixel } from 'blindspots';
 * import { exportNpy } from 'blindspots/data';
 * const images = { data: new Float32Array(2 * 8 * 8), shape: [2, 8, 8, 1] as const };
 * const labels = [3, 7];
 * exportNpy('out/encoded', injectOnePixel(images, labels), labels); // out/encoded/images.npy, out/encoded/labels.npy
 * ```
 */
export function exportNpy(
  dir: string,
  images: ImageInput,
  labels: LabelsInput,
  options: ExportNpyOptions = {},
): { images: string; labels: string } {
  const fn = 'exportNpy';
  const o = checkOptions(fn, options, EXPORT_NPY_OPTIONS);
  checkPath(fn, 'dir', dir);
  const dtype = checkChoice(fn, 'options.dtype', o.dtype, ['float32', 'uint8'] as const, 'float32');
  const quantize = checkBoolean(fn, 'options.quantize', o.quantize, false);
  const read = readImages(fn, images);
  const y = checkLabels(fn, labels, { length: read.shape[0] });
  const data = dtype === 'uint8' ? toBytes(fn, read.data, quantize) : read.data;
  makeFolder(fn, 'dir', dir);
  const paths = { images: join(dir, 'images.npy'), labels: join(dir, 'labels.npy') };
  writeNpyFile(fn, { path: 'dir', data: 'images' }, paths.images, data, read.shape);
  writeNpyFile(fn, { path: 'dir', data: 'labels' }, paths.labels, y, [y.length]);
  return paths;
}

/**
 * The option names of {@link writeCifar10Binary}: anything else is an UNKNOWN_OPTION error.
 *
 * @example
 * ```ts
 * import { WRITE_CIFAR10_BINARY_OPTIONS } from 'blindspots/data';
 * WRITE_CIFAR10_BINARY_OPTIONS; //=> ['quantize']
 * ```
 */
export const WRITE_CIFAR10_BINARY_OPTIONS = optionNames<QuantizeExportOptions>()('quantize');

/**
 * Writes a batch of 32x32x3 images in CIFAR-10's binary format (one label byte, then the R, G and
 * B planes), which `loadCifar10` reads back. 8-bit: values must be on the k/255 grid unless
 * `quantize` is set; labels must be 0..9, as `loadCifar10` reads them (LABEL_OUT_OF_RANGE
 * otherwise, before anything is written).
 *
 * @example
 * ```ts
 * import { statSync } from 'node:fs';
 * import { writeCifar10Binary } from 'blindspots/data';
 * const images = { data: new Float32Array(2 * 32 * 32 * 3).fill(128 / 255), shape: [2, 32, 32, 3] as const };
 * writeCifar10Binary('data_batch_1.bin', images, [3, 7]);
 * statSync('data_batch_1.bin').size; //=> 6146
 * // 2 records of 3,073 bytes: a label byte, then the R, G and B planes
 * ```
 */
export function writeCifar10Binary(path: string, images: ImageInput, labels: LabelsInput, options: QuantizeExportOptions = {}): void {
  const fn = 'writeCifar10Binary';
  const o = checkOptions(fn, options, WRITE_CIFAR10_BINARY_OPTIONS);
  checkPath(fn, 'path', path);
  const quantize = checkBoolean(fn, 'options.quantize', o.quantize, false);
  const read = readImages(fn, images);
  const [n, h, w, c] = read.shape;
  if (h !== 32 || w !== 32 || c !== 3)
    throw fail('INVALID_SHAPE', fn, 'images', '[n, 32, 32, 3] (pad or resize first)', `[${read.shape.join(', ')}]`);
  // loadCifar10 refuses label bytes above 9: a file it cannot read back is not written.
  const y = checkLabels(fn, labels, { length: n, numClasses: 10 });
  const bytes = toBytes(fn, read.data, quantize);
  const out = Buffer.alloc(n * CIFAR10_RECORD_BYTES);
  for (let i = 0; i < n; i++) {
    const base = i * CIFAR10_RECORD_BYTES;
    out[base] = y[i] as number;
    for (let p = 0; p < 1024; p++) {
      for (let ch = 0; ch < 3; ch++) out[base + 1 + ch * 1024 + p] = bytes[i * 3072 + p * 3 + ch] as number;
    }
  }
  writeFile(fn, 'path', path, (put) => put(out));
}

/**
 * Writes a feature matrix as CSV: a header `f0,…,f{cols-1}[,label]`, one row per sample, values in
 * JavaScript's shortest round-trip form (reading them back as float32 gives the same bits). NaN
 * and infinite values are a NON_FINITE error (a CSV reader would take them for text), no rows an
 * EMPTY_INPUT error; nothing is written then.
 *
 * @example
 * ```ts
 * import { writeFeaturesCsv, flatten } from 'blindspots/data';
 * const images = { data: Float32Array.of(0, 0.5, 1, 0.25), shape: [2, 1, 2, 1] as const };
 * writeFeaturesCsv('features.csv', flatten(images), [0, 1]); // f0,f1,label / 0,0.5,0 / 1,0.25,1
 * ```
 */
export function writeFeaturesCsv(path: string, features: FeatureMatrix, labels?: LabelsInput): void {
  const fn = 'writeFeaturesCsv';
  checkPath(fn, 'path', path);
  if (typeof features !== 'object' || features === null)
    throw fail('INVALID_ARGUMENT', fn, 'features', 'a FeatureMatrix { data, rows, cols }', describe(features));
  const { data, rows, cols } = features;
  if (!Number.isSafeInteger(rows) || rows < 0 || !Number.isSafeInteger(cols) || cols < 1)
    throw fail('INVALID_SHAPE', fn, 'features', 'rows >= 0 and cols >= 1 (integers)', `rows ${describe(rows)}, cols ${describe(cols)}`);
  if (!(data instanceof Float32Array)) throw fail('INVALID_DTYPE', fn, 'features.data', 'a Float32Array', describe(data));
  if (data.length !== rows * cols)
    throw fail('INVALID_SHAPE', fn, 'features.data', `${String(rows * cols)} values (rows x cols)`, String(data.length));
  if (rows === 0) throw fail('EMPTY_INPUT', fn, 'features', 'at least one row', 'none');
  checkFinite(fn, 'features', data);
  const y = labels === undefined ? undefined : checkLabels(fn, labels, { length: rows });
  writeFile(fn, 'path', path, (put) => {
    const header = Array.from({ length: cols }, (_, j) => `f${String(j)}`);
    if (y !== undefined) header.push('label');
    put(`${header.join(',')}\n`);
    let buffer = '';
    for (let r = 0; r < rows; r++) {
      const cells: string[] = new Array<string>(cols);
      for (let j = 0; j < cols; j++) cells[j] = String(data[r * cols + j]);
      buffer += cells.join(',') + (y === undefined ? '' : `,${String(y[r])}`) + '\n';
      if (buffer.length > 1 << 20) {
        put(buffer);
        buffer = '';
      }
    }
    put(buffer);
  });
}
