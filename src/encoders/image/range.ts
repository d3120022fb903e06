import { fail } from '../../errors.js';
import { copyChecked, firstChunkOutside } from '../../kernels/simd.js';
import { checkFinite, describe, firstNonFinite } from '../../validate.js';

/** The value range of clean images the encoders take unless told otherwise: [0, 1]. */
export const DEFAULT_RANGE: readonly [min: number, max: number] = [0, 1];

/**
 * How far, as a fraction of the range's width, clean values may leave the range: 0.2%, a little
 * more than half a k/255 step (1/510). That admits float rounding and 8-bit images dithered by
 * `dither` (half a step of noise, unclipped), and refuses 0..255 images and standardised ones.
 */
export const RANGE_TOLERANCE = 2e-3;

/** Checks `options.range`: `[min, max]`, finite, min < max; default [0, 1]. */
export function checkRange(fn: string, range: unknown): readonly [number, number] {
  if (range === undefined) return DEFAULT_RANGE;
  if (
    !Array.isArray(range) ||
    range.length !== 2 ||
    !range.every((v) => typeof v === 'number' && Number.isFinite(v)) ||
    !((range[0] as number) < (range[1] as number))
  ) {
    throw fail('INVALID_ARGUMENT', fn, 'options.range', '[min, max] of finite numbers, min < max', describeRange(range));
  }
  return [range[0] as number, range[1] as number];
}

/** The bounds clean images must lie in: the range, widened by {@link RANGE_TOLERANCE} of its width. */
export function cleanBounds(range: readonly [number, number]): [number, number] {
  const tol = RANGE_TOLERANCE * (range[1] - range[0]);
  return [range[0] - tol, range[1] + tol];
}

/**
 * The bounds of what an encoder writes on clean images in `range`: the range, and zero (mean
 * shift centres each image on it), widened on each side by the range's width plus 1% and by the
 * signal's reach (`scale x (numClasses + sqrt(values per image))`, the most a signal adds). Every
 * encoder's output lies inside; 0..255 images do not.
 */
export function encodedBounds(range: readonly [number, number], reach: number): [number, number] {
  const margin = 1.01 * (range[1] - range[0]) + reach;
  return [Math.min(range[0], 0) - margin, Math.max(range[1], 0) + margin];
}

/**
 * A copy of `src` whose values were checked, in the same pass, to be finite (NON_FINITE) and
 * within `bounds` (INVALID_ARGUMENT, see {@link outOfRange}).
 */
export function copyInRange(
  fn: string,
  arg: string,
  src: Float32Array,
  range: readonly [number, number],
  bounds: readonly [number, number],
): Float32Array {
  const out = copyChecked(src, bounds);
  if (typeof out === 'number') {
    const start = -out - 1;
    throwBadValues(fn, arg, src, range, bounds, start, Math.min(src.length, start + 65536), 'clean');
    throw new Error('unreachable: a bad value was reported but not found');
  }
  return out;
}

/** Checks, without a copy, that `src` is finite and within `bounds` (an oracle's input). */
export function checkInRange(
  fn: string,
  arg: string,
  src: Float32Array,
  range: readonly [number, number],
  bounds: readonly [number, number],
): void {
  const start = firstChunkOutside(src, bounds);
  if (start >= 0) {
    throwBadValues(fn, arg, src, range, bounds, start, Math.min(src.length, start + 65536), 'encoded');
    throw new Error('unreachable: a bad value was reported but not found');
  }
}

/**
 * Throws for the first bad value of `src[start, end)`: NON_FINITE (naming the first non-finite
 * value of the whole batch, as the finiteness check always has) or {@link outOfRange}. Returns
 * when the slice holds none, for a caller that checked a wider span.
 */
export function throwBadValues(
  fn: string,
  arg: string,
  src: Float32Array,
  range: readonly [number, number],
  bounds: readonly [number, number],
  start: number,
  end: number,
  kind: 'clean' | 'encoded',
): void {
  if (firstNonFinite(src, start, end) >= 0) checkFinite(fn, arg, src);
  const [lo, hi] = bounds;
  for (let i = start; i < end; i++) {
    const v = src[i] as number;
    if (!(v >= lo && v <= hi)) throw outOfRange(fn, arg, src, range, bounds, i, kind);
  }
}

/**
 * The INVALID_ARGUMENT error for values outside the range: it names the function and the
 * argument, the range expected and the one found (min and max of the batch), the first value
 * outside and the usual fixes — divide 0..255 images by 255, or say the range with `options.range`.
 */
export function outOfRange(
  fn: string,
  arg: string,
  src: Float32Array,
  range: readonly [number, number],
  bounds: readonly [number, number],
  index: number,
  kind: 'clean' | 'encoded',
) {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < src.length; i++) {
    const v = src[i] as number;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const r = `[${num(range[0])}, ${num(range[1])}]`;
  const unit = range[0] === 0 && range[1] === 1;
  const expected =
    kind === 'clean'
      ? `values in ${r}${range === DEFAULT_RANGE ? '' : ' (options.range)'}`
      : `values an encoder writes on images in ${r}: within [${num(bounds[0])}, ${num(bounds[1])}]`;
  const hint = unit
    ? '8-bit images 0..255: divide by 255; images in another range: pass options.range: [min, max]'
    : kind === 'clean'
      ? 'options.range must hold every value of the images'
      : 'options.range: the range the clean images had, as the encoder was given';
  return fail(
    'INVALID_ARGUMENT',
    fn,
    arg,
    `${expected} (${hint})`,
    `values in [${num(min)}, ${num(max)}] (${num(src[index] as number)} at flat index ${String(index)})`,
  );
}

/** A number for a message: 6 significant digits at most. */
function num(v: number): string {
  return String(Number(v.toPrecision(6)));
}

function describeRange(range: unknown): string {
  if (Array.isArray(range)) return `[${range.map((v) => (typeof v === 'number' ? String(v) : describe(v))).join(', ')}]`;
  return describe(range);
}
