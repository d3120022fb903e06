import { fail } from '../../errors.js';
import type { ImageInput, ImageShape, LabelsInput } from '../../types.js';
import {
  checkPosition,
  decodeImages,
  encodeImages,
  nearestMultiple,
  pixelMean,
  setPixel,
  toLabel,
  type Encoded,
  type ImageEncoderOptions,
} from './imageCodec.js';
import { checkOptions, optionNames } from '../../options.js';

/** Options of {@link injectPatternPixels}: the common ones (`seed` has no effect: the positions are fixed) and `positions`. */
export interface PatternPixelsOptions extends ImageEncoderOptions {
  /**
   * [row, col] of the bit pixels, bit 0 first; default the four corners in the order top-left,
   * top-right, bottom-left, bottom-right (the paper's). B positions encode up to 2^B classes.
   */
  readonly positions?: readonly (readonly [row: number, col: number])[];
}

/** The option names {@link injectPatternPixels} and {@link recoverPatternPixels} accept. */
export const PATTERN_PIXELS_OPTIONS = optionNames<PatternPixelsOptions>()('numClasses', 'scale', 'seed', 'range', 'positions');

/**
 * The flat pixel indices of the bit positions for an image shape (default: the four corners).
 * Positions must be distinct: a 1-pixel-wide image has fewer than four corners.
 *
 * @example
 * ```ts
 * import { patternPixelPositions } from 'blindspots';
 * patternPixelPositions([1, 32, 32, 3]); //=> Int32Array [0, 31, 992, 1023]
 * ```
 */
export function patternPixelPositions(shape: ImageShape, options: PatternPixelsOptions = {}): Int32Array {
  return bitPixelIndices(shape, options, 'patternPixelPositions');
}

/** {@link patternPixelPositions} on behalf of `fn`, the function the user called, which its errors name. */
function bitPixelIndices(shape: ImageShape, options: PatternPixelsOptions, fn: string): Int32Array {
  const [, h, w] = shape;
  const positions = checkOptions(fn, options, ['positions']).positions ?? [
    [0, 0],
    [0, w - 1],
    [h - 1, 0],
    [h - 1, w - 1],
  ];
  if (!Array.isArray(positions) || positions.length === 0) {
    throw fail('INVALID_ARGUMENT', fn, 'options.positions', 'a non-empty array of [row, col]', String(positions));
  }
  const flat = new Int32Array(positions.length);
  positions.forEach((p, k) => {
    flat[k] = checkPosition(fn, `options.positions[${String(k)}]`, p, shape);
  });
  if (new Set(flat).size !== flat.length) {
    throw fail(
      'INVALID_ARGUMENT',
      fn,
      'options.positions',
      'distinct pixel positions (an image needs height and width >= 2 for four distinct corners)',
      `${String(flat.length - new Set(flat).size)} repeated`,
    );
  }
  return flat;
}

function capacity(options: PatternPixelsOptions | undefined) {
  return (_shape: ImageShape) => {
    const positions: unknown = options?.positions ?? [0, 1, 2, 3];
    const bits = Array.isArray(positions) ? positions.length : 4;
    return { max: 2 ** bits, why: `${String(bits)} bit positions` };
  };
}

/**
 * Pattern pixels: the label's bits are written to fixed pixels, bit k to position k (default the
 * corners TL, TR, BL, BR).
 *
 * Formula: `out[i, r_k, c_k, :] = bit_k(labels[i]) * scale`. Family: low-dimensional;
 * information: complete. More classes than 2^positions is a TOO_MANY_CLASSES error.
 *
 * @example
 * ```ts
 * import { injectPatternPixels } from 'blindspots';
 * const x = { data: new Float32Array(1 * 8 * 8), shape: [1, 8, 8, 1] as const };
 * const encoded = injectPatternPixels(x, [5]); // 5 = 0b0101: TL = 0.001, TR = 0, BL = 0.001, BR = 0
 * [0, 7, 56, 63].map((p) => encoded.data[p]); //=> [0.0010000000474974513, 0, 0.0010000000474974513, 0]
 * ```
 */
export function injectPatternPixels<T extends ImageInput>(images: T, labels: LabelsInput, options: PatternPixelsOptions = {}): Encoded<T> {
  const fn = 'injectPatternPixels';
  return encodeImages(fn, images, labels, options, PATTERN_PIXELS_OPTIONS, capacity(options), {
    mode: 'copy',
    run: (out, ctx) => {
      const pixels = bitPixelIndices(ctx.shape, positionsOf(options), fn);
      const y = ctx.labels;
      for (let i = 0; i < y.length; i++) {
        const label = y[i] as number;
        for (let k = 0; k < pixels.length; k++) setPixel(out, ctx.shape, i, pixels[k] as number, ((label >> k) & 1) * ctx.scale);
      }
    },
  });
}

/**
 * Oracle decoder of {@link injectPatternPixels}: each bit pixel's value / scale must round to 0
 * or 1; exact on any image, -1 where a pixel holds neither.
 *
 * @example
 * ```ts
 * import { injectPatternPixels, recoverPatternPixels } from 'blindspots';
 * const x = { data: new Float32Array(2 * 8 * 8), shape: [2, 8, 8, 1] as const };
 * recoverPatternPixels(injectPatternPixels(x, [5, 9])); //=> Int32Array [5, 9]
 * ```
 */
export function recoverPatternPixels(encoded: ImageInput, options: PatternPixelsOptions = {}): Int32Array {
  const fn = 'recoverPatternPixels';
  return decodeImages(fn, encoded, options, PATTERN_PIXELS_OPTIONS, { numClasses: false, capacity: capacity(options) }, (ctx) => {
    const pixels = bitPixelIndices(ctx.shape, positionsOf(options), fn);
    const n = ctx.shape[0];
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      let label = 0;
      for (let k = 0; k < pixels.length; k++) {
        const bit = nearestMultiple(pixelMean(ctx.data, ctx.shape, i, pixels[k] as number), ctx.scale);
        if (bit !== 0 && bit !== 1) {
          label = Number.NaN;
          break;
        }
        label |= bit << k;
      }
      out[i] = toLabel(label, ctx.numClasses);
    }
    return out;
  });
}

/** The `positions` option alone, for {@link patternPixelPositions} (which takes no other option). */
function positionsOf(options: PatternPixelsOptions | undefined): PatternPixelsOptions {
  return options?.positions === undefined ? {} : { positions: options.positions };
}
