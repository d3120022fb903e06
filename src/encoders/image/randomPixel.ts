import { createRandom, deriveSeed, DEFAULT_SEED, randomInt, type Seed } from '../../random.js';
import type { ImageInput, LabelsInput } from '../../types.js';
import { optionNames } from '../../options.js';
import { checkInteger } from '../../validate.js';
import {
  decodeImages,
  encodeImages,
  GRID_TOLERANCE,
  gridResidual,
  nearestMultiple,
  setPixel,
  toLabel,
  type Encoded,
  type ImageEncoderOptions,
  type ImageRecoverOptions,
} from './imageCodec.js';

/** Options of {@link injectRandomPixel}. */
export type RandomPixelOptions = ImageEncoderOptions;

/** The option names of {@link injectRandomPixel}. */
export const RANDOM_PIXEL_OPTIONS = optionNames<RandomPixelOptions>()('numClasses', 'scale', 'seed', 'range');

/** The option names of {@link recoverRandomPixel}: the encoder's (the seed is not needed) and `levels`. */
export const RECOVER_RANDOM_PIXEL_OPTIONS = optionNames<ImageRecoverOptions>()(...RANDOM_PIXEL_OPTIONS, 'levels');

const noLimit = () => ({ max: Number.POSITIVE_INFINITY, why: '' });

/**
 * The per-sample pixel positions (flat `row * width + col`) that {@link injectRandomPixel} uses:
 * one uniform draw per sample index from the seed, independent of the labels and the data.
 *
 * @example
 * ```ts
 * import { randomPixelPositions } from 'blindspots';
 * const positions = randomPixelPositions(3, 32, 32, 0); // one per sample, row * 32 + column
 * positions.every((p) => p >= 0 && p < 1024); //=> true
 * ```
 */
export function randomPixelPositions(n: number, height: number, width: number, seed: Seed = DEFAULT_SEED): Int32Array {
  const fn = 'randomPixelPositions';
  checkInteger(fn, 'n', n, 0, 2 ** 31 - 1);
  checkInteger(fn, 'height', height, 1, 2 ** 31 - 1);
  checkInteger(fn, 'width', width, 1, 2 ** 31 - 1);
  const random = createRandom(deriveSeed(seed, 'randomPixel'));
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = randomInt(random, height * width);
  return out;
}

/**
 * Random pixel: a pixel position drawn per sample; all its channels are set to
 * `(label + 1) * scale` (the +1 keeps class 0 distinguishable from a black pixel).
 *
 * Formula: `out[i, r_i, c_i, :] = (labels[i] + 1) * scale`, `(r_i, c_i)` from
 * {@link randomPixelPositions}. Family: moving target; information: complete on images whose
 * values lie on the k/255 grid (8-bit images): the signal pixel is then the only off-grid one,
 * which is what the decoder looks for. On real-valued images the decoder can report ambiguity.
 *
 * @example
 * ```ts
 * import { injectRandomPixel } from 'blindspots';
 * const x = { data: new Float32Array(2 * 8 * 8 * 3), shape: [2, 8, 8, 3] as const };
 * const encoded = injectRandomPixel(x, [0, 4], { seed: 1 });
 * ```
 */
export function injectRandomPixel<T extends ImageInput>(images: T, labels: LabelsInput, options: RandomPixelOptions = {}): Encoded<T> {
  return encodeImages('injectRandomPixel', images, labels, options, RANDOM_PIXEL_OPTIONS, noLimit, {
    mode: 'copy',
    run: (out, ctx) => {
      const [n, h, w] = ctx.shape;
      const positions = randomPixelPositions(n, h, w, ctx.seed);
      const y = ctx.labels;
      for (let i = 0; i < n; i++) setPixel(out, ctx.shape, i, positions[i] as number, ((y[i] as number) + 1) * ctx.scale);
    },
  });
}

/**
 * Oracle decoder of {@link injectRandomPixel}: finds, per sample, the one pixel whose channels are
 * equal, off the k/levels grid and a multiple of the scale; label = value / scale - 1. It does not
 * use the positions, so it works on shuffled batches. -1 when no such pixel or several exist
 * (real-valued images, or a scale whose multiples fall on the grid, e.g. 1/255).
 *
 * @example
 * ```ts
 * import { injectRandomPixel, recoverRandomPixel } from 'blindspots';
 * const x = { data: new Float32Array(2 * 8 * 8 * 3).fill(128 / 255), shape: [2, 8, 8, 3] as const };
 * recoverRandomPixel(injectRandomPixel(x, [0, 4])); //=> Int32Array [0, 4]
 * ```
 */
export function recoverRandomPixel(encoded: ImageInput, options: ImageRecoverOptions = {}): Int32Array {
  return decodeImages(
    'recoverRandomPixel',
    encoded,
    options,
    RECOVER_RANDOM_PIXEL_OPTIONS,
    { numClasses: false, capacity: noLimit },
    (ctx) => {
      const [n, h, w, c] = ctx.shape;
      const { data, scale, levels } = ctx;
      const out = new Int32Array(n).fill(-1);
      for (let i = 0; i < n; i++) {
        let found = -1;
        let count = 0;
        const sampleBase = i * h * w * c;
        for (let p = 0; p < h * w; p++) {
          const base = sampleBase + p * c;
          const v = data[base] as number;
          if (gridResidual(v, levels) <= GRID_TOLERANCE) continue;
          let equal = true;
          for (let ch = 1; ch < c; ch++) if (data[base + ch] !== v) equal = false;
          if (!equal) continue;
          const label = toLabel(nearestMultiple(v, scale) - 1, ctx.numClasses);
          if (label < 0) continue;
          found = label;
          count++;
          if (count > 1) break;
        }
        if (count === 1) out[i] = found;
      }
      return out;
    },
  );
}
