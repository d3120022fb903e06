import { optionNames } from '../options.js';
import { checkSeed, type Seed } from '../random.js';
import { checkNumber } from '../validate.js';

/**
 * The options every encoder and every oracle takes, image or text, by the same names. An option
 * that means nothing to a signal (`seed` for one that draws nothing, `scale` for multiple
 * locations and the text signals) is accepted and checked, and changes nothing: the registry lists
 * it in the signal's `ignoredOptions`. Options of one signal only (`position`, `symbols`, …) stay
 * an UNKNOWN_OPTION error elsewhere.
 */
export interface EncoderOptions {
  /** Number of classes; default: largest label + 1. A class's code never depends on it. */
  readonly numClasses?: number;
  /** Signal amplitude, a finite number > 0; default 1e-3 (the paper's). Signals that write no amplitude ignore it. */
  readonly scale?: number;
  /** Seed of every random choice; default 0. Signals that draw nothing ignore it. */
  readonly seed?: Seed;
}

/** The name of an option every encoder takes. */
export type CommonEncoderOption = keyof EncoderOptions;

/**
 * The options every encoder and oracle takes, in the docs' order.
 *
 * @example
 * ```ts
 * import { COMMON_ENCODER_OPTIONS, encoderNames, getEncoder } from 'blindspots';
 * COMMON_ENCODER_OPTIONS; //=> ['numClasses', 'scale', 'seed']
 * // What each is to a signal: used (entry.options) or accepted without effect (entry.ignoredOptions).
 * getEncoder('onePixel').ignoredOptions; //=> ['seed']
 * ```
 */
export const COMMON_ENCODER_OPTIONS = optionNames<EncoderOptions>()('numClasses', 'scale', 'seed') as readonly CommonEncoderOption[];

/**
 * Checks the values of `scale` and `seed` where a signal ignores them, so that a bad value is an
 * error on every signal alike (a `scale` of -1 is as wrong for a text signal as for one pixel).
 * `numClasses` is never ignored: every encoder checks the labels against it.
 */
export function checkIgnoredOptions(fn: string, options: EncoderOptions): void {
  if (options.scale !== undefined) checkNumber(fn, 'options.scale', options.scale, { positive: true });
  checkSeed(fn, 'options.seed', options.seed);
}
