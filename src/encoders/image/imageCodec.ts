import type { Tensor4D } from '@tensorflow/tfjs';
import { fail } from '../../errors.js';
import { readImages, wrapImages, type ReadImages } from '../../images.js';
import { checkOptions } from '../../options.js';
import { checkSeed, type Seed } from '../../random.js';
import { checkInteger, checkLabels, checkNumber, resolveNumClasses } from '../../validate.js';
import type { ImageArray, ImageInput, ImageShape, LabelsInput } from '../../types.js';
import type { EncoderOptions } from '../commonOptions.js';
import { checkInRange, checkRange, cleanBounds, copyInRange, encodedBounds, throwBadValues } from './range.js';

/** The paper's signal amplitude: 1e-3 on images with values in [0, 1]. */
export const DEFAULT_SCALE = 1e-3;

/** The default quantisation of clean images: values on the k/255 grid (8-bit images). */
export const DEFAULT_LEVELS = 255;

/**
 * The options every image encoder and oracle takes: the common ones ({@link EncoderOptions}:
 * `numClasses`, `scale`, `seed`; a signal that has no use for one accepts it without effect and
 * lists it in its registry entry's `ignoredOptions`) and `range`. An encoder's own options
 * (`position`, `minDistance`, …) are an UNKNOWN_OPTION error on the others.
 */
export interface ImageEncoderOptions extends EncoderOptions {
  /**
   * The range of the clean images' values; default [0, 1]. Values outside it (by more than 0.2%
   * of its width: float rounding, `dither`'s half step) are an INVALID_ARGUMENT error naming the
   * range found, so that 0..255 images are not encoded with a 1e-3 signal they would drown.
   * Oracles take it too (the range the images had before encoding) and check the encoded values
   * against what an encoder writes on such images. It is a check only: it changes nothing written.
   */
  readonly range?: readonly [min: number, max: number];
}

/** The decoders' extra option, for the signals found as an off-grid residual. */
export interface ImageRecoverOptions extends ImageEncoderOptions {
  /**
   * Clean images are assumed to hold values on the k/levels grid (default 255, 8-bit images).
   * Decoders that find the signal as an off-grid residual use it.
   */
  readonly levels?: number;
}

/** The largest magnitude a signal may reach: float32 overflows to Infinity above ~3.4e38. */
const MAX_SIGNAL = 1e38;

/** An encoder returns the same kind of batch it was given. */
export type Encoded<T extends ImageInput> = T extends ImageArray ? ImageArray : Tensor4D;

/** What an image encoder's kernel is given after validation. */
export interface EncodeContext {
  readonly fn: string;
  readonly shape: ImageShape;
  readonly labels: Int32Array;
  readonly numClasses: number;
  readonly scale: number;
  readonly seed: Seed;
  /** Where every value of `images` must lie: `options.range`, with its tolerance. */
  readonly bounds: readonly [number, number];
  /**
   * Throws for the first bad value of `images` in [start, end), if any: NON_FINITE, or
   * INVALID_ARGUMENT for a value outside `bounds`.
   */
  readonly checkValues: (start: number, end: number) => void;
}

/** What a decoder's kernel is given after validation. */
export interface DecodeContext {
  readonly fn: string;
  readonly data: Float32Array;
  readonly shape: ImageShape;
  /** Undefined when the caller did not say; decoders that need it have checked. */
  readonly numClasses: number | undefined;
  readonly scale: number;
  readonly seed: Seed;
  readonly levels: number;
}

/**
 * How an encoder's kernel works: `copy` kernels write a few values into a checked copy of the
 * input (`out` is given); `compute` kernels read the input and return new values, and check
 * finiteness and range themselves where they already pass over the values (`ctx.bounds` to the
 * SIMD kernels, `ctx.checkValues` on the slice they report). The conformance suite feeds every
 * encoder a NaN and 0..255 images, so a kernel that skips the check fails it.
 */
export type EncodeKernel =
  | { readonly mode: 'copy'; readonly run: (out: Float32Array, ctx: EncodeContext) => void }
  | { readonly mode: 'compute'; readonly run: (src: Float32Array, ctx: EncodeContext) => Float32Array };

/**
 * The shared boundary of every image encoder: validates images (finite, within `options.range`,
 * in the same pass as the copy or the kernel's own), labels and options, checks the signal's class
 * capacity, runs the pure kernel and wraps the result like the input. The input is never written.
 */
export function encodeImages<T extends ImageInput>(
  fn: string,
  images: T,
  labels: LabelsInput,
  given: ImageEncoderOptions | undefined,
  names: readonly string[],
  capacity: (shape: ImageShape) => { max: number; why: string },
  kernel: EncodeKernel,
): Encoded<T> {
  const options = checkOptions(fn, given, names);
  // Finiteness and range are checked below, fused with the copy or the kernel's pass.
  const read = readImages(fn, images, 'images', false);
  const y = checkLabels(fn, labels, { length: read.shape[0] });
  const numClasses = resolveNumClasses(fn, options.numClasses, y);
  checkCapacity(fn, numClasses, capacity(read.shape));
  const range = checkRange(fn, options.range);
  const bounds = cleanBounds(range);
  const ctx: EncodeContext = {
    fn,
    shape: read.shape,
    labels: y,
    numClasses,
    scale: checkScale(fn, options.scale, numClasses, read.shape),
    seed: checkSeed(fn, 'options.seed', options.seed),
    bounds,
    checkValues: (start, end) => throwBadValues(fn, 'images', read.data, range, bounds, start, end, 'clean'),
  };
  let out: Float32Array;
  if (kernel.mode === 'copy') {
    out = copyInRange(fn, 'images', read.data, range, bounds);
    kernel.run(out, ctx);
  } else {
    out = kernel.run(read.data, ctx);
  }
  return wrapImages(read, out) as Encoded<T>;
}

/**
 * The shared boundary of every image decoder: validates the batch (finite, and within what an
 * encoder writes on images in `options.range`: see `encodedBounds`) and options and runs the
 * kernel, which returns one label per sample, -1 where the signal is ambiguous or absent.
 */
export function decodeImages(
  fn: string,
  encoded: ImageInput,
  given: ImageRecoverOptions | undefined,
  names: readonly string[],
  needs: { numClasses: boolean; capacity: (shape: ImageShape) => { max: number; why: string } },
  kernel: (ctx: DecodeContext) => Int32Array,
): Int32Array {
  const options = checkOptions(fn, given, names);
  // Finiteness is checked with the range, below.
  const read: ReadImages = readImages(fn, encoded, 'encoded', false);
  let numClasses: number | undefined;
  if (options.numClasses !== undefined) {
    numClasses = checkInteger(fn, 'options.numClasses', options.numClasses, 1, 2 ** 31 - 1);
    checkCapacity(fn, numClasses, needs.capacity(read.shape));
  } else if (needs.numClasses) {
    throw fail('INVALID_ARGUMENT', fn, 'options.numClasses', 'the number of classes the data was encoded with', 'undefined');
  }
  const scale = checkNumber(fn, 'options.scale', options.scale ?? DEFAULT_SCALE, { positive: true });
  const range = checkRange(fn, options.range);
  const [, h, w, c] = read.shape;
  checkInRange(fn, 'encoded', read.data, range, encodedBounds(range, scale * ((numClasses ?? 0) + Math.sqrt(h * w * c))));
  return kernel({
    fn,
    data: read.data,
    shape: read.shape,
    numClasses,
    scale,
    seed: checkSeed(fn, 'options.seed', options.seed),
    levels: checkNumber(fn, 'options.levels', options.levels ?? DEFAULT_LEVELS, { positive: true }),
  });
}

/**
 * The signal amplitude, checked so that the largest value a signal writes (up to numClasses x
 * scale for a pixel signal, scale x sqrt(values per image) for a noise vector) stays finite in
 * float32: a scale of 1e39 would otherwise give Infinity.
 */
function checkScale(fn: string, scale: unknown, numClasses: number, shape: ImageShape): number {
  const s = checkNumber(fn, 'options.scale', scale ?? DEFAULT_SCALE, { positive: true });
  const reach = s * (numClasses + Math.sqrt(shape[1] * shape[2] * shape[3]));
  if (!(reach <= MAX_SIGNAL)) {
    throw fail(
      'INVALID_ARGUMENT',
      fn,
      'options.scale',
      `a scale whose signal stays finite in float32: scale x (numClasses + sqrt(values per image)) <= ${String(MAX_SIGNAL)}`,
      String(s),
    );
  }
  return s;
}

function checkCapacity(fn: string, numClasses: number, cap: { max: number; why: string }): void {
  if (numClasses > cap.max) {
    throw fail('TOO_MANY_CLASSES', fn, 'options.numClasses', `at most ${String(cap.max)} classes (${cap.why})`, String(numClasses));
  }
}

/**
 * Checks a [row, col] position against the image shape and returns the flat pixel index.
 */
export function checkPosition(fn: string, arg: string, position: unknown, shape: ImageShape): number {
  const [, h, w] = shape;
  if (!Array.isArray(position) || position.length !== 2) {
    throw fail('INVALID_ARGUMENT', fn, arg, '[row, col]', String(position));
  }
  const r = checkInteger(fn, `${arg}[0]`, position[0], 0, h - 1);
  const c = checkInteger(fn, `${arg}[1]`, position[1], 0, w - 1);
  return r * w + c;
}

/** Writes `value` into every channel of pixel `pixel` of sample `i`. */
export function setPixel(out: Float32Array, shape: ImageShape, i: number, pixel: number, value: number): void {
  const [, h, w, c] = shape;
  const base = (i * h * w + pixel) * c;
  for (let ch = 0; ch < c; ch++) out[base + ch] = value;
}

/** Mean over the channels of pixel `pixel` of sample `i`. */
export function pixelMean(data: Float32Array, shape: ImageShape, i: number, pixel: number): number {
  const [, h, w, c] = shape;
  const base = (i * h * w + pixel) * c;
  let s = 0;
  for (let ch = 0; ch < c; ch++) s += data[base + ch] as number;
  return s / c;
}

/**
 * Rounds `value / scale` to an integer when it is within a quarter step of one; NaN otherwise.
 * A quarter step leaves room for float32 rounding of the stored value and still rejects values
 * that are not a multiple of the scale.
 */
export function nearestMultiple(value: number, scale: number): number {
  const q = value / scale;
  const k = Math.round(q);
  return Math.abs(q - k) <= 0.25 ? k : Number.NaN;
}

/** Distance of `value * levels` from the nearest integer, in grid steps. */
export function gridResidual(value: number, levels: number): number {
  const q = value * levels;
  return Math.abs(q - Math.round(q));
}

/**
 * Tolerance, in grid steps, for "on the grid": float32 holds k/255 to ~3e-8, i.e. ~1e-5 steps;
 * 1e-3 leaves a wide margin and still sees a 1e-3 signal as off-grid (0.255 steps).
 */
export const GRID_TOLERANCE = 1e-3;

/** A decoded integer as a label, or -1 when it is not one (NaN, negative, >= numClasses). */
export function toLabel(k: number, numClasses: number | undefined): number {
  if (!Number.isInteger(k) || k < 0 || (numClasses !== undefined && k >= numClasses)) return -1;
  return k;
}
