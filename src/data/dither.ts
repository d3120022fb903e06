import { readImages, wrapImages } from '../images.js';
import { checkOptions, optionNames } from '../options.js';
import { checkSeed, createRandom, deriveSeed, type Seed } from '../random.js';
import type { ImageInput } from '../types.js';
import { checkInteger } from '../validate.js';
import type { Same } from './dataset.js';

/** Options of {@link dither}. */
export interface DitherOptions {
  /** The quantisation of the clean images: values on the k/levels grid; default 255 (8-bit). */
  readonly levels?: number;
  /** Seed of the noise; default 0. */
  readonly seed?: Seed;
}

/** The option names of {@link dither}. */
export const DITHER_OPTIONS = optionNames<DitherOptions>()('levels', 'seed');

/**
 * The grid control: adds seeded uniform noise in [-0.5, 0.5) / levels — plus or minus half a
 * quantisation step — to every value. On 8-bit images every clean value is a multiple of 1/255, and
 * a 1e-3 signal moves a value off that grid, which a tree can read whatever the signal's value
 * means; after dithering no value is on the grid, so that cue is gone and only the signal's
 * content is left. No clipping (it would put values back on the grid at 0 and 1): values can leave
 * [0, 1] by half a step. Each value moves by at most half a step; the labels are untouched.
 *
 * @example
 * ```ts
 * import { dither } from 'blindspots/data';
 * const x = { data: new Float32Array([0, 128 / 255, 1]), shape: [1, 1, 3, 1] as const };
 * const moved = dither(x, { seed: 1 }).data.map((v, i) => Math.abs(v - (x.data[i] as number)));
 * moved.every((d) => d > 0 && d <= 1 / 510); //=> true
 * ```
 */
export function dither<T extends ImageInput>(images: T, options?: DitherOptions): Same<T> {
  const fn = 'dither';
  const o = checkOptions(fn, options, DITHER_OPTIONS);
  const levels = checkInteger(fn, 'options.levels', o.levels ?? 255, 1, 2 ** 24);
  const random = createRandom(deriveSeed(checkSeed(fn, 'options.seed', o.seed), 'dither'));
  const read = readImages(fn, images);
  const out = new Float32Array(read.data.length);
  const step = 1 / levels;
  for (let i = 0; i < out.length; i++) out[i] = (read.data[i] as number) + (random() - 0.5) * step;
  return wrapImages(read, out) as Same<T>;
}
