import type { ImageInput, LabelsInput } from '../../types.js';
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
import { optionNames } from '../../options.js';

/** Options of {@link injectOnePixel} and {@link recoverOnePixel}: the common ones (`seed` has no effect: the pixel is fixed) and `position`. */
export interface OnePixelOptions extends ImageEncoderOptions {
  /** [row, col] of the signal pixel; default [0, 0] (top-left, as in the paper). */
  readonly position?: readonly [row: number, col: number];
}

/** The option names {@link injectOnePixel} and {@link recoverOnePixel} accept. */
export const ONE_PIXEL_OPTIONS = optionNames<OnePixelOptions>()('numClasses', 'scale', 'seed', 'range', 'position');

const noLimit = (): { max: number; why: string } => ({ max: Number.POSITIVE_INFINITY, why: '' });

/**
 * One pixel: every channel of one fixed pixel is set to `label * scale`.
 *
 * Formula: `out[i, r, c, :] = labels[i] * scale`, all other values copied. Family:
 * low-dimensional; information: complete (decoded exactly from the pixel's value on any image).
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { injectOnePixel } from 'blindspots';
 * const x = tf.zeros([2, 32, 32, 3]) as tf.Tensor4D;
 * const encoded = injectOnePixel(x, [3, 7]); // pixel (0, 0) = 0.003 and 0.007 in every channel
 * encoded.shape; //=> [2, 32, 32, 3]
 * ```
 */
export function injectOnePixel<T extends ImageInput>(images: T, labels: LabelsInput, options: OnePixelOptions = {}): Encoded<T> {
  const fn = 'injectOnePixel';
  return encodeImages(fn, images, labels, options, ONE_PIXEL_OPTIONS, noLimit, {
    mode: 'copy',
    run: (out, ctx) => {
      const pixel = checkPosition(fn, 'options.position', options?.position ?? [0, 0], ctx.shape);
      const y = ctx.labels;
      for (let i = 0; i < y.length; i++) setPixel(out, ctx.shape, i, pixel, (y[i] as number) * ctx.scale);
    },
  });
}

/**
 * Oracle decoder of {@link injectOnePixel}: label = round(pixel value / scale). Exact on any
 * image; -1 where the value is not a multiple of the scale (or out of range).
 *
 * @example
 * ```ts
 * import { injectOnePixel, recoverOnePixel } from 'blindspots';
 * const x = { data: new Float32Array(2 * 4 * 4), shape: [2, 4, 4, 1] as const };
 * recoverOnePixel(injectOnePixel(x, [1, 2])); //=> Int32Array [1, 2]
 * ```
 */
export function recoverOnePixel(encoded: ImageInput, options: OnePixelOptions = {}): Int32Array {
  const fn = 'recoverOnePixel';
  return decodeImages(fn, encoded, options, ONE_PIXEL_OPTIONS, { numClasses: false, capacity: noLimit }, (ctx) => {
    const pixel = checkPosition(fn, 'options.position', options?.position ?? [0, 0], ctx.shape);
    const n = ctx.shape[0];
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) out[i] = toLabel(nearestMultiple(pixelMean(ctx.data, ctx.shape, i, pixel), ctx.scale), ctx.numClasses);
    return out;
  });
}
