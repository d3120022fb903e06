import { addClassVectors } from '../../kernels/simd.js';
import { checkSeed, createRandom, deriveSeed, randomNormal, type Seed } from '../../random.js';
import type { FeatureMatrix, ImageInput, ImageShape, LabelsInput } from '../../types.js';
import { fail } from '../../errors.js';
import { checkOptions, optionNames } from '../../options.js';
import { checkInteger, checkNumber, describe } from '../../validate.js';
import {
  DEFAULT_SCALE,
  decodeImages,
  encodeImages,
  GRID_TOLERANCE,
  gridResidual,
  type Encoded,
  type ImageEncoderOptions,
  type ImageRecoverOptions,
} from './imageCodec.js';

/** Options of {@link injectOrthogonalNoise}. */
export type OrthogonalNoiseOptions = ImageEncoderOptions;

/** The option names of {@link injectOrthogonalNoise}. */
export const ORTHOGONAL_NOISE_OPTIONS = optionNames<OrthogonalNoiseOptions>()('numClasses', 'scale', 'seed', 'range');

/** The option names of {@link recoverOrthogonalNoise}: the encoder's and `levels`. */
export const RECOVER_ORTHOGONAL_NOISE_OPTIONS = optionNames<ImageRecoverOptions>()(...ORTHOGONAL_NOISE_OPTIONS, 'levels');

const capacity = (shape: ImageShape) => {
  const d = shape[1] * shape[2] * shape[3];
  return { max: d, why: `at most as many orthogonal vectors as the ${String(d)} values of an image` };
};

/**
 * The class noise vectors of {@link injectOrthogonalNoise}: row k is class k's vector over the
 * `height * width * channels` values of an image (NHWC order). Seeded Gaussian draws,
 * orthonormalised by modified Gram–Schmidt in float64 (twice, for orthogonality to machine
 * precision), then scaled to a per-element RMS of `scale` (norm `scale * sqrt(D)`). Row k depends
 * only on the seed, the image size and rows 0..k-1, so it does not change with `numClasses`.
 *
 * @example
 * ```ts
 * import { orthogonalNoiseVectors } from 'blindspots';
 * const v = orthogonalNoiseVectors(10, [32, 32, 3]); // RMS 1e-3 per row
 * [v.rows, v.cols]; //=> [10, 3072]
 * ```
 */
export function orthogonalNoiseVectors(
  numClasses: number,
  imageShape: readonly [height: number, width: number, channels: number],
  options: { scale?: number; seed?: Seed } = {},
): FeatureMatrix {
  const fn = 'orthogonalNoiseVectors';
  const o = checkOptions(fn, options, ['scale', 'seed']);
  if (!Array.isArray(imageShape) || imageShape.length !== 3) {
    throw fail('INVALID_ARGUMENT', fn, 'imageShape', '[height, width, channels]', describe(imageShape));
  }
  const [h, w, c] = imageShape;
  checkInteger(fn, 'imageShape[0]', h, 1, 2 ** 31 - 1);
  checkInteger(fn, 'imageShape[1]', w, 1, 2 ** 31 - 1);
  checkInteger(fn, 'imageShape[2]', c, 1, 2 ** 31 - 1);
  const d = h * w * c;
  checkInteger(fn, 'numClasses', numClasses, 1, d);
  const scale = checkNumber(fn, 'options.scale', o.scale ?? DEFAULT_SCALE, { positive: true });
  const random = createRandom(deriveSeed(checkSeed(fn, 'options.seed', o.seed), 'orthogonalNoise'));
  const basis: Float64Array[] = [];
  const out = new Float32Array(numClasses * d);
  const norm = scale * Math.sqrt(d);
  for (let k = 0; k < numClasses; k++) {
    const v = new Float64Array(d);
    for (let j = 0; j < d; j++) v[j] = randomNormal(random);
    for (let pass = 0; pass < 2; pass++) {
      for (const u of basis) {
        let dot = 0;
        for (let j = 0; j < d; j++) dot += (v[j] as number) * (u[j] as number);
        for (let j = 0; j < d; j++) v[j] = (v[j] as number) - dot * (u[j] as number);
      }
    }
    let sq = 0;
    for (let j = 0; j < d; j++) sq += (v[j] as number) ** 2;
    const inv = 1 / Math.sqrt(sq);
    for (let j = 0; j < d; j++) v[j] = (v[j] as number) * inv;
    basis.push(v);
    for (let j = 0; j < d; j++) out[k * d + j] = (v[j] as number) * norm;
  }
  return { data: out, rows: numClasses, cols: d };
}

/**
 * Orthogonal class noise: each class has a dense noise vector, the vectors mutually orthogonal,
 * and every sample gets its class's vector added (no clipping, so values can leave [0, 1] by about
 * `4 * scale`).
 *
 * Formula: `out[i] = images[i] + V[labels[i]]`, V from {@link orthogonalNoiseVectors}. Family:
 * global; information: complete on images on the k/255 grid — the decoder matches the off-grid
 * residual against each class vector, exactly (no correlation threshold).
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { injectOrthogonalNoise } from 'blindspots';
 * const x = tf.zeros([4, 32, 32, 3]) as tf.Tensor4D;
 * const encoded = injectOrthogonalNoise(x, [0, 1, 2, 3], { numClasses: 10, seed: 7 });
 * ```
 */
export function injectOrthogonalNoise<T extends ImageInput>(
  images: T,
  labels: LabelsInput,
  options: OrthogonalNoiseOptions = {},
): Encoded<T> {
  return encodeImages('injectOrthogonalNoise', images, labels, options, ORTHOGONAL_NOISE_OPTIONS, capacity, {
    mode: 'compute',
    run: (src, ctx) => {
      const [, h, w, c] = ctx.shape;
      const d = h * w * c;
      const vectors = orthogonalNoiseVectors(ctx.numClasses, [h, w, c], { scale: ctx.scale, seed: ctx.seed }).data;
      const out = new Float32Array(src.length);
      addClassVectors(
        src,
        out,
        vectors,
        ctx.labels,
        d,
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

/** Values checked before a full check: enough that a wrong class passes with odds ~ (2e-3)^16. */
const PROBE = 16;

/**
 * Oracle decoder of {@link injectOrthogonalNoise}: the class k for which `encoded[i] - V[k]` lies
 * on the k/levels grid in (nearly) every value. Exact for images on the grid; -1 when no class
 * or several fit (e.g. real-valued images). Needs `options.numClasses`.
 *
 * @example
 * ```ts
 * import { injectOrthogonalNoise, recoverOrthogonalNoise } from 'blindspots';
 * const x = { data: new Float32Array(2 * 8 * 8 * 3).fill(128 / 255), shape: [2, 8, 8, 3] as const };
 * const opts = { numClasses: 10 };
 * recoverOrthogonalNoise(injectOrthogonalNoise(x, [3, 8], opts), opts); //=> Int32Array [3, 8]
 * ```
 */
export function recoverOrthogonalNoise(encoded: ImageInput, options: OrthogonalNoiseOptions & ImageRecoverOptions = {}): Int32Array {
  return decodeImages(
    'recoverOrthogonalNoise',
    encoded,
    options,
    RECOVER_ORTHOGONAL_NOISE_OPTIONS,
    { numClasses: true, capacity },
    (ctx) => {
      const [n, h, w, c] = ctx.shape;
      const d = h * w * c;
      const numClasses = ctx.numClasses as number;
      const vectors = orthogonalNoiseVectors(numClasses, [h, w, c], { scale: ctx.scale, seed: ctx.seed }).data;
      const { data, levels } = ctx;
      const probe = Math.min(PROBE, d);
      const out = new Int32Array(n).fill(-1);
      // Fraction of values that must sit on the grid: the float32 sum can round a value off the
      // grid only by ~1e-5 steps, so anything but a sliver of misses means "not this class".
      const needed = Math.ceil(0.99 * d);
      for (let i = 0; i < n; i++) {
        const base = i * d;
        let found = -1;
        let count = 0;
        for (let k = 0; k < numClasses && count < 2; k++) {
          const vBase = k * d;
          let hits = 0;
          for (let j = 0; j < probe; j++)
            if (gridResidual((data[base + j] as number) - (vectors[vBase + j] as number), levels) <= GRID_TOLERANCE) hits++;
          if (hits < probe / 2) continue;
          hits = 0;
          for (let j = 0; j < d; j++)
            if (gridResidual((data[base + j] as number) - (vectors[vBase + j] as number), levels) <= GRID_TOLERANCE) hits++;
          if (hits >= needed) {
            found = k;
            count++;
          }
        }
        if (count === 1) out[i] = found;
      }
      return out;
    },
  );
}
