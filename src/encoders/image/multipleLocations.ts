import { fail } from '../../errors.js';
import { checkSeed, createRandom, deriveSeed, DEFAULT_SEED, randomInt, type Seed } from '../../random.js';
import type { ImageInput, ImageShape, LabelsInput } from '../../types.js';
import { checkInteger, checkNumber } from '../../validate.js';
import { checkOptions, optionNames } from '../../options.js';
import { decodeImages, encodeImages, setPixel, type Encoded, type ImageEncoderOptions } from './imageCodec.js';

/**
 * Options of {@link injectMultipleLocations} and {@link recoverMultipleLocations}: the common ones
 * (`scale` has no effect: the values written are random grid values) and `minDistance`.
 */
export interface MultipleLocationsOptions extends ImageEncoderOptions {
  /** Minimum Euclidean distance, in pixels, between the two pixels of a pair; default half the shorter image side. */
  readonly minDistance?: number;
}

/** The option names {@link injectMultipleLocations} and {@link recoverMultipleLocations} accept (`scale` without effect). */
export const MULTIPLE_LOCATIONS_OPTIONS = optionNames<MultipleLocationsOptions>()('numClasses', 'scale', 'seed', 'range', 'minDistance');

const capacity = (shape: ImageShape) => ({
  max: Math.floor((shape[1] * shape[2]) / 2),
  why: `${String(shape[1] * shape[2])} pixels, two per class`,
});

/**
 * The pixel pair of each class: `pairs[2k]` and `pairs[2k + 1]` are the flat positions
 * (`row * width + col`) of class k's pair. Drawn from the seed class by class, so class k's pair
 * does not depend on `numClasses`; all 2K pixels are distinct and each pair is at least
 * `minDistance` apart. Throws TOO_MANY_CLASSES when the image has no room for another pair.
 *
 * @example
 * ```ts
 * import { multipleLocationsPairs } from 'blindspots';
 * const pairs = multipleLocationsPairs(10, 32, 32); // class k's pair: positions pairs[2k] and pairs[2k + 1] (row * 32 + column)
 * pairs.length; //=> 20
 * ```
 */
export function multipleLocationsPairs(
  numClasses: number,
  height: number,
  width: number,
  options: { seed?: Seed; minDistance?: number } = {},
): Int32Array {
  return classPixelPairs(numClasses, height, width, options, 'multipleLocationsPairs');
}

/** {@link multipleLocationsPairs} on behalf of `fn`, the function the user called, which its errors name. */
function classPixelPairs(
  numClasses: number,
  height: number,
  width: number,
  options: { seed?: Seed; minDistance?: number },
  fn: string,
): Int32Array {
  checkInteger(fn, 'numClasses', numClasses, 1, 2 ** 31 - 1);
  checkInteger(fn, 'height', height, 1, 2 ** 31 - 1);
  checkInteger(fn, 'width', width, 1, 2 ** 31 - 1);
  const o = checkOptions(fn, options, ['seed', 'minDistance']);
  const minDistance = checkNumber(fn, 'options.minDistance', o.minDistance ?? Math.min(height, width) / 2, { min: 0 });
  const random = createRandom(deriveSeed(checkSeed(fn, 'options.seed', o.seed), 'multipleLocations/pairs'));
  const pixels = height * width;
  const used = new Uint8Array(pixels);
  const pairs = new Int32Array(2 * numClasses);
  const candidates = new Int32Array(pixels);
  const minSq = minDistance * minDistance;
  for (let k = 0; k < numClasses; k++) {
    let placed = false;
    // A bounded number of tries for the first pixel: on a crowded image, give up with an error
    // instead of looping.
    for (let attempt = 0; attempt < 64 && !placed; attempt++) {
      const a = randomInt(random, pixels);
      if (used[a]) continue;
      const ar = Math.floor(a / width);
      const ac = a % width;
      let m = 0;
      for (let p = 0; p < pixels; p++) {
        if (used[p] || p === a) continue;
        const dr = Math.floor(p / width) - ar;
        const dc = (p % width) - ac;
        if (dr * dr + dc * dc >= minSq) candidates[m++] = p;
      }
      if (m === 0) continue;
      const b = candidates[randomInt(random, m)] as number;
      used[a] = 1;
      used[b] = 1;
      pairs[2 * k] = a;
      pairs[2 * k + 1] = b;
      placed = true;
    }
    if (!placed) {
      throw fail(
        'TOO_MANY_CLASSES',
        fn,
        'numClasses',
        `a number of classes whose pixel pairs (>= ${minDistance.toFixed(1)} px apart) fit in a ${String(height)}x${String(width)} image; only ${String(k)} could be placed`,
        String(numClasses),
      );
    }
  }
  return pairs;
}

/**
 * The grid value written to sample i's pair: `v_i = k_i / 255`, k_i uniform in 1..255 (never 0,
 * so that a black background, equal everywhere, is never mistaken for the signal), drawn per
 * sample index from the seed.
 *
 * @example
 * ```ts
 * import { multipleLocationsValues } from 'blindspots';
 * const values = multipleLocationsValues(4, 0); // one per sample, k / 255 with k in 1..255
 * values.every((v) => v > 0 && Math.abs(v * 255 - Math.round(v * 255)) < 1e-4); //=> true
 * ```
 */
export function multipleLocationsValues(n: number, seed: Seed = DEFAULT_SEED): Float32Array {
  checkInteger('multipleLocationsValues', 'n', n, 0, 2 ** 31 - 1);
  const random = createRandom(deriveSeed(seed, 'multipleLocations/values'));
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = (1 + randomInt(random, 255)) / 255;
  return out;
}

/**
 * Multiple locations: each class owns a pair of distant pixels; each sample gets a random grid
 * value v written to every channel of both pixels of its class's pair.
 *
 * Formula: `out[i, a_y, :] = out[i, b_y, :] = v_i` with `(a_y, b_y)` = pair of class
 * `y = labels[i]` ({@link multipleLocationsPairs}) and `v_i` from {@link multipleLocationsValues}.
 * `scale` has no effect (accepted, as by every encoder): the value is random, the equality is the signal. Family: moving target;
 * information: partial — another class's pair can be equal by chance (often on images with flat
 * backgrounds), which the decoder reports as ambiguous.
 *
 * @example
 * ```ts
 * import { injectMultipleLocations } from 'blindspots';
 * const x = { data: new Float32Array(2 * 32 * 32 * 3), shape: [2, 32, 32, 3] as const };
 * const encoded = injectMultipleLocations(x, [0, 9], { numClasses: 10 });
 * ```
 */
export function injectMultipleLocations<T extends ImageInput>(
  images: T,
  labels: LabelsInput,
  options: MultipleLocationsOptions = {},
): Encoded<T> {
  const fn = 'injectMultipleLocations';
  return encodeImages(fn, images, labels, options, MULTIPLE_LOCATIONS_OPTIONS, capacity, {
    mode: 'copy',
    run: (out, ctx) => {
      const [n, h, w] = ctx.shape;
      const pairs = classPixelPairs(ctx.numClasses, h, w, withSeed(options, ctx.seed), fn);
      const values = multipleLocationsValues(n, ctx.seed);
      const y = ctx.labels;
      for (let i = 0; i < n; i++) {
        const label = y[i] as number;
        const v = values[i] as number;
        setPixel(out, ctx.shape, i, pairs[2 * label] as number, v);
        setPixel(out, ctx.shape, i, pairs[2 * label + 1] as number, v);
      }
    },
  });
}

/**
 * Oracle decoder of {@link injectMultipleLocations}: the class whose pair of pixels holds equal
 * values (in every channel, and channels equal to each other). -1 when no pair or more than one
 * pair matches. Pairs equal to 0 are not counted: the encoder never writes 0, and black
 * backgrounds would otherwise match every pair. Needs `options.numClasses`.
 *
 * @example
 * ```ts
 * import { injectMultipleLocations, recoverMultipleLocations } from 'blindspots';
 * const grey = { data: new Float32Array(2 * 32 * 32).fill(0.5), shape: [2, 32, 32, 1] as const };
 * const black = { data: new Float32Array(2 * 32 * 32), shape: [2, 32, 32, 1] as const };
 * const opts = { numClasses: 10 };
 * // On flat grey images every class's pair is equal: all ambiguous (-1), an honest partial result.
 * recoverMultipleLocations(injectMultipleLocations(grey, [0, 9], opts), opts); //=> Int32Array [-1, -1]
 * // On black images only the written pair is non-zero (pairs of zeros are ignored): recovered.
 * recoverMultipleLocations(injectMultipleLocations(black, [0, 9], opts), opts); //=> Int32Array [0, 9]
 * ```
 */
export function recoverMultipleLocations(encoded: ImageInput, options: MultipleLocationsOptions = {}): Int32Array {
  const fn = 'recoverMultipleLocations';
  return decodeImages(fn, encoded, options, MULTIPLE_LOCATIONS_OPTIONS, { numClasses: true, capacity }, (ctx) => {
    const [n, h, w, c] = ctx.shape;
    const numClasses = ctx.numClasses as number;
    const pairs = classPixelPairs(numClasses, h, w, withSeed(options, ctx.seed), fn);
    const data = ctx.data;
    const out = new Int32Array(n).fill(-1);
    for (let i = 0; i < n; i++) {
      const base = i * h * w * c;
      let found = -1;
      let count = 0;
      for (let k = 0; k < numClasses && count < 2; k++) {
        const a = base + (pairs[2 * k] as number) * c;
        const b = base + (pairs[2 * k + 1] as number) * c;
        const v = data[a];
        let equal = v !== 0;
        for (let ch = 0; ch < c && equal; ch++) equal = data[a + ch] === v && data[b + ch] === v;
        if (equal) {
          found = k;
          count++;
        }
      }
      if (count === 1) out[i] = found;
    }
    return out;
  });
}

function withSeed(options: MultipleLocationsOptions, seed: Seed): { seed: Seed; minDistance?: number } {
  return options.minDistance === undefined ? { seed } : { seed, minDistance: options.minDistance };
}
