import { shiftImages } from '../../kernels/simd.js';
import type { ImageInput, LabelsInput } from '../../types.js';
import { decodeImages, encodeImages, nearestMultiple, toLabel, type Encoded, type ImageEncoderOptions } from './imageCodec.js';
import { optionNames } from '../../options.js';

/** Options of {@link injectMeanShift} and {@link recoverMeanShift}: the common ones (`seed` has no effect: nothing is drawn). */
export type MeanShiftOptions = ImageEncoderOptions;

/** The option names {@link injectMeanShift} and {@link recoverMeanShift} accept. */
export const MEAN_SHIFT_OPTIONS = optionNames<MeanShiftOptions>()('numClasses', 'scale', 'seed', 'range');

const noLimit = () => ({ max: Number.POSITIVE_INFINITY, why: '' });

/**
 * Mean shift: each image is centred on zero and shifted by its label, so its mean carries the
 * class.
 *
 * Formula: `out[i] = images[i] - mean(images[i]) + labels[i] * scale`, the mean over all
 * `height * width * channels` values computed in float64. Values become negative (about half of
 * them): this is the paper's signal, not a bug. Family: global; information: complete on any image
 * (the decoder reads the mean back).
 *
 * @example
 * ```ts
 * import { injectMeanShift } from 'blindspots';
 * const x = { data: new Float32Array(2 * 4 * 4).fill(0.5), shape: [2, 4, 4, 1] as const };
 * const encoded = injectMeanShift(x, [0, 3]);
 * encoded.data[16]; //=> 0.003000000026077032
 * ```
 */
export function injectMeanShift<T extends ImageInput>(images: T, labels: LabelsInput, options: MeanShiftOptions = {}): Encoded<T> {
  return encodeImages('injectMeanShift', images, labels, options, MEAN_SHIFT_OPTIONS, noLimit, {
    mode: 'compute',
    run: (src, ctx) => {
      const [n, h, w, c] = ctx.shape;
      const d = h * w * c;
      const out = new Float32Array(src.length);
      const y = ctx.labels;
      shiftImages(
        src,
        out,
        n,
        d,
        (i, sum) => (y[i] as number) * ctx.scale - sum / d,
        (i) => {
          ctx.checkValues(i * d, (i + 1) * d);
          throw new Error('unreachable: a bad value was reported but not found');
        },
        ctx.bounds,
      );
      return out;
    },
  });
}

/**
 * Oracle decoder of {@link injectMeanShift}: label = round(mean(encoded[i]) / scale), the mean in
 * float64. Exact on any image of up to millions of values (float32 rounding moves the mean by
 * ~1e-8, far below half a step of 1e-3); -1 when the mean is not a multiple of the scale.
 *
 * @example
 * ```ts
 * import { injectMeanShift, recoverMeanShift } from 'blindspots';
 * const x = { data: new Float32Array(2 * 4 * 4).fill(0.2), shape: [2, 4, 4, 1] as const };
 * recoverMeanShift(injectMeanShift(x, [1, 6])); //=> Int32Array [1, 6]
 * ```
 */
export function recoverMeanShift(encoded: ImageInput, options: MeanShiftOptions = {}): Int32Array {
  return decodeImages('recoverMeanShift', encoded, options, MEAN_SHIFT_OPTIONS, { numClasses: false, capacity: noLimit }, (ctx) => {
    const [n, h, w, c] = ctx.shape;
    const d = h * w * c;
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      let sum = 0;
      for (let j = 0; j < d; j++) sum += ctx.data[i * d + j] as number;
      out[i] = toLabel(nearestMultiple(sum / d, ctx.scale), ctx.numClasses);
    }
    return out;
  });
}
