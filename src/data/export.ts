import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { endianness } from 'node:os';
import { join } from 'node:path';
import { fail } from '../errors.js';
import { readImages } from '../images.js';
import type { FeatureMatrix, ImageInput, LabelsInput } from '../types.js';
import { checkLabels } from '../validate.js';
import { CIFAR10_RECORD_BYTES } from './cifar10.js';

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
 * `numpy.load`. The values are written straight from the typed array, without a copy.
 *
 * @example
 * ```ts
 * import { writeNpy } from 'blindspots/data';
 * writeNpy('labels.npy', Int32Array.of(0, 1, 2), [3]);
 * ```
 */
export function writeNpy(path: string, data: NpyArray, shape: readonly number[]): void {
  const fn = 'writeNpy';
  if (endianness() !== 'LE')
    throw fail('INVALID_ARGUMENT', fn, 'data', 'a little-endian machine (NPY is written as <f4/<i4)', 'big-endian');
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== data.length) throw fail('INVALID_SHAPE', fn, 'shape', `a shape of ${String(data.length)} values`, `[${shape.join(', ')}]`);
  const fd = openSync(path, 'w');
  try {
    writeSync(fd, npyHeader(dtypeOf(data), shape));
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    // Chunked: writeSync takes at most 2 GiB at once.
    for (let off = 0; off < bytes.length; off += 1 << 28) writeSync(fd, bytes.subarray(off, Math.min(bytes.length, off + (1 << 28))));
  } finally {
    closeSync(fd);
  }
}

/**
 * Reads a `.npy` file written by {@link writeNpy} (or NumPy: format 1.x/2.x, C order, `<f4`,
 * `|u1`, `<i4`).
 *
 * @example
 * ```ts
 * import { readNpy } from 'blindspots/data';
 * const { data, shape } = readNpy('images.npy');
 * ```
 */
export function readNpy(path: string): { data: NpyArray; shape: number[]; dtype: NpyDtype } {
  const fn = 'readNpy';
  const raw = readFileSync(path);
  if (raw.length < 10 || raw.toString('latin1', 0, 6) !== '\x93NUMPY')
    throw fail('DATA_FORMAT', fn, 'path', `${path}: the NPY magic at offset 0`, 'something else');
  const major = raw[6] as number;
  const headerLength = major === 1 ? raw.readUInt16LE(8) : raw.readUInt32LE(8);
  const start = (major === 1 ? 10 : 12) + headerLength;
  const dict = raw.toString('latin1', major === 1 ? 10 : 12, start);
  const descr = /'descr':\s*'([^']+)'/.exec(dict)?.[1];
  const dtype = (Object.keys(DESCR) as NpyDtype[]).find((k) => DESCR[k] === descr);
  if (dtype === undefined || /'fortran_order':\s*True/.test(dict))
    throw fail('DATA_FORMAT', fn, 'path', `${path}: a C-order <f4, |u1 or <i4 array`, dict.trim());
  const shape = (/'shape':\s*\(([^)]*)\)/.exec(dict)?.[1] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map(Number);
  const count = shape.reduce((a, b) => a * b, 1);
  const body = raw.subarray(start);
  const width = dtype === 'uint8' ? 1 : 4;
  if (body.length !== count * width)
    throw fail(
      'DATA_FORMAT',
      fn,
      'path',
      `${path}: ${String(count * width)} data bytes for shape (${shape.join(', ')})`,
      String(body.length),
    );
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
function toBytes(fn: string, data: Float32Array, options: QuantizeExportOptions): Uint8Array {
  const out = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const v = (data[i] as number) * 255;
    const k = Math.round(v);
    if (options.quantize !== true && (Math.abs(v - k) > 1e-3 || k < 0 || k > 255)) {
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
 * Writes a batch and its labels as `images.npy` (NHWC, float32 or uint8) and `labels.npy`
 * (int32) in `dir` (created if needed), for training elsewhere (`numpy.load`, PyTorch).
 *
 * @example
 * ```ts
 * import { exportNpy } from 'blindspots/data';
 * exportNpy('out/encoded', encoded, labels); // out/encoded/images.npy, out/encoded/labels.npy
 * ```
 */
export function exportNpy(
  dir: string,
  images: ImageInput,
  labels: LabelsInput,
  options: ExportNpyOptions = {},
): { images: string; labels: string } {
  const fn = 'exportNpy';
  const read = readImages(fn, images);
  const y = checkLabels(fn, labels, { length: read.shape[0] });
  const dtype = options.dtype ?? 'float32';
  if (dtype !== 'float32' && dtype !== 'uint8') throw fail('INVALID_ARGUMENT', fn, 'options.dtype', "'float32' or 'uint8'", String(dtype));
  const data = dtype === 'uint8' ? toBytes(fn, read.data, options) : read.data;
  mkdirSync(dir, { recursive: true });
  const paths = { images: join(dir, 'images.npy'), labels: join(dir, 'labels.npy') };
  writeNpy(paths.images, data, read.shape);
  writeNpy(paths.labels, y, [y.length]);
  return paths;
}

/**
 * Writes a batch of 32x32x3 images in CIFAR-10's binary format (one label byte, then the R, G and
 * B planes), which `loadCifar10` reads back. 8-bit: values must be on the k/255 grid unless
 * `quantize` is set; labels must be 0..255.
 *
 * @example
 * ```ts
 * import { writeCifar10Binary } from 'blindspots/data';
 * writeCifar10Binary('out/data_batch_1.bin', images, labels);
 * ```
 */
export function writeCifar10Binary(path: string, images: ImageInput, labels: LabelsInput, options: QuantizeExportOptions = {}): void {
  const fn = 'writeCifar10Binary';
  const read = readImages(fn, images);
  const [n, h, w, c] = read.shape;
  if (h !== 32 || w !== 32 || c !== 3)
    throw fail('INVALID_SHAPE', fn, 'images', '[n, 32, 32, 3] (pad or resize first)', `[${read.shape.join(', ')}]`);
  const y = checkLabels(fn, labels, { length: n, numClasses: 256 });
  const bytes = toBytes(fn, read.data, options);
  const out = Buffer.alloc(n * CIFAR10_RECORD_BYTES);
  for (let i = 0; i < n; i++) {
    const base = i * CIFAR10_RECORD_BYTES;
    out[base] = y[i] as number;
    for (let p = 0; p < 1024; p++) {
      for (let ch = 0; ch < 3; ch++) out[base + 1 + ch * 1024 + p] = bytes[i * 3072 + p * 3 + ch] as number;
    }
  }
  writeFileSync(path, out);
}

/**
 * Writes a feature matrix as CSV: a header `f0,…,f{cols-1}[,label]`, one row per sample, values in
 * JavaScript's shortest round-trip form (reading them back as float32 gives the same bits).
 *
 * @example
 * ```ts
 * import { writeFeaturesCsv, flatten } from 'blindspots/data';
 * writeFeaturesCsv('features.csv', flatten(images), labels);
 * ```
 */
export function writeFeaturesCsv(path: string, features: FeatureMatrix, labels?: LabelsInput): void {
  const fn = 'writeFeaturesCsv';
  const { data, rows, cols } = features;
  if (!(data instanceof Float32Array) || data.length !== rows * cols)
    throw fail('INVALID_SHAPE', fn, 'features', `${String(rows * cols)} float32 values (rows x cols)`, String(data?.length));
  const y = labels === undefined ? undefined : checkLabels(fn, labels, { length: rows });
  const fd = openSync(path, 'w');
  try {
    const header = Array.from({ length: cols }, (_, j) => `f${String(j)}`);
    if (y !== undefined) header.push('label');
    writeSync(fd, `${header.join(',')}\n`);
    let buffer = '';
    for (let r = 0; r < rows; r++) {
      const cells: string[] = new Array<string>(cols);
      for (let j = 0; j < cols; j++) cells[j] = String(data[r * cols + j]);
      buffer += cells.join(',') + (y === undefined ? '' : `,${String(y[r])}`) + '\n';
      if (buffer.length > 1 << 20) {
        writeSync(fd, buffer);
        buffer = '';
      }
    }
    writeSync(fd, buffer);
  } finally {
    closeSync(fd);
  }
}
