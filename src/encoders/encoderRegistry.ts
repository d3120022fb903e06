import { fail } from '../errors.js';
import type { ParamValue } from '../models/model.js';
import type { ImageInput, ImageShape, LabelsInput, Texts } from '../types.js';
import type { CommonEncoderOption } from './commonOptions.js';
import { DEFAULT_SCALE, type Encoded, type ImageRecoverOptions } from './image/imageCodec.js';
import { injectMeanShift, MEAN_SHIFT_OPTIONS, recoverMeanShift } from './image/meanShift.js';
import {
  injectMultipleLocations,
  MULTIPLE_LOCATIONS_OPTIONS,
  recoverMultipleLocations,
  type MultipleLocationsOptions,
} from './image/multipleLocations.js';
import { injectOnePixel, ONE_PIXEL_OPTIONS, recoverOnePixel, type OnePixelOptions } from './image/onePixel.js';
import {
  injectOrthogonalNoise,
  ORTHOGONAL_NOISE_OPTIONS,
  RECOVER_ORTHOGONAL_NOISE_OPTIONS,
  recoverOrthogonalNoise,
} from './image/orthogonalNoise.js';
import { injectPatternPixels, PATTERN_PIXELS_OPTIONS, recoverPatternPixels, type PatternPixelsOptions } from './image/patternPixels.js';
import { injectRandomPixel, RANDOM_PIXEL_OPTIONS, RECOVER_RANDOM_PIXEL_OPTIONS, recoverRandomPixel } from './image/randomPixel.js';
import {
  classLengths,
  injectLengthEncoding,
  LENGTH_ENCODING_OPTIONS,
  recoverLengthEncoding,
  type LengthEncodingOptions,
} from './text/lengthEncoding.js';
import { DEFAULT_MNEMONIC_SYMBOLS, injectMnemonic, MNEMONIC_OPTIONS, recoverMnemonic, type MnemonicOptions } from './text/mnemonic.js';
import {
  DEFAULT_PATTERN_POSITIONS,
  injectPatternChar,
  PATTERN_CHAR_OPTIONS,
  recoverPatternChar,
  type PatternCharOptions,
} from './text/patternChar.js';

/** How a signal hides the label, in the paper's terms. */
export type SignalFamily = 'low-dimensional' | 'moving-target' | 'global';

/** Whether the oracle can recover every label ('complete') or only some by design ('partial'). */
export type SignalInformation = 'complete' | 'partial';

/**
 * Every option any image signal takes. Each takes the common options (`numClasses`, `scale`,
 * `seed`: used, `entry.options`, or accepted without effect, `entry.ignoredOptions`) and `range`,
 * and rejects the other signals' own options (`position` on mean shift is UNKNOWN_OPTION).
 */
export type ImageSignalOptions = OnePixelOptions & PatternPixelsOptions & MultipleLocationsOptions & ImageRecoverOptions;

/** What {@link ImageEncoderEntry.resolve} needs besides the options: the data's shape and class count. */
export interface ResolveContext {
  readonly numClasses: number;
  /** The image shape, for image signals whose defaults depend on it. */
  readonly shape?: ImageShape;
}

/** Signal options as a record stores them: every option the signal takes, with its value or default. */
export type ResolvedSignalOptions = { readonly [name: string]: ParamValue };

/** A registered image signal: its encoder, oracle decoder and what it is. */
export interface ImageEncoderEntry {
  readonly name: string;
  readonly title: string;
  readonly domain: 'image';
  readonly family: SignalFamily;
  readonly information: SignalInformation;
  /** One line on when the oracle recovers every label. */
  readonly recovery: string;
  readonly inject: <T extends ImageInput>(images: T, labels: LabelsInput, options?: ImageSignalOptions) => Encoded<T>;
  readonly recover: (encoded: ImageInput, options?: ImageSignalOptions) => Int32Array;
  /**
   * The option names that shape what `inject` writes (what `resolve` records and a study can
   * sweep). `inject` and `recover` also accept the {@link ignoredOptions} and `range` (a check of
   * the input's values, which changes nothing written).
   */
  readonly options: readonly string[];
  /** The option names `recover` uses (the encoder's, plus `levels` for off-grid decoders). */
  readonly recoverOptions: readonly string[];
  /**
   * The common options (`numClasses`, `scale`, `seed`) this signal has no use for: `inject` and
   * `recover` accept them and check their values, and they change nothing; `resolve` leaves them
   * out. Every common option is in `options` or here.
   */
  readonly ignoredOptions: readonly CommonEncoderOption[];
  /**
   * Every option `inject` uses, given or defaulted, for the data at hand: what a record stores.
   * Ignored options and `range` are not part of it (they change nothing written).
   */
  readonly resolve: (options: ImageSignalOptions, context: ResolveContext) => ResolvedSignalOptions;
}

/** Every option any text signal takes (the common ones, `scale` and `seed` without effect, and each signal's own). */
export type TextSignalOptions = MnemonicOptions & LengthEncodingOptions & PatternCharOptions;

/** A registered text signal: its encoder, oracle decoder and what it is. */
export interface TextEncoderEntry {
  readonly name: string;
  readonly title: string;
  readonly domain: 'text';
  readonly family: SignalFamily;
  readonly information: SignalInformation;
  readonly recovery: string;
  readonly inject: (texts: Texts, labels: LabelsInput, options?: TextSignalOptions) => string[];
  readonly recover: (encoded: Texts, options?: TextSignalOptions) => Int32Array;
  /** The option names that shape what `inject` writes; `inject` and `recover` also accept the {@link ignoredOptions}. */
  readonly options: readonly string[];
  /** The option names `recover` uses. */
  readonly recoverOptions: readonly string[];
  /** The common options this signal has no use for (`scale` and `seed` for every text signal): accepted, checked, without effect. */
  readonly ignoredOptions: readonly CommonEncoderOption[];
  readonly resolve: (options: TextSignalOptions, context: ResolveContext) => ResolvedSignalOptions;
}

/** Any registered encoder. */
export type EncoderEntry = ImageEncoderEntry | TextEncoderEntry;

/** Options for any signal: an image signal's or a text signal's. */
export type SignalOptions = ImageSignalOptions | TextSignalOptions;

/** Options that only check the input (image signals' `range`): accepted by every image signal, never recorded. */
const CHECK_OPTIONS: readonly string[] = ['range'];

/**
 * Every option name the entry's `recover` accepts (internal): what it uses, the common options it
 * ignores and, for an image signal, `range`. `inject` accepts the same but `levels`, plus its
 * `options`.
 */
export function recoverAccepts(entry: EncoderEntry): readonly string[] {
  return [...new Set([...entry.recoverOptions, ...entry.ignoredOptions, ...(entry.domain === 'image' ? CHECK_OPTIONS : [])])];
}

/** The accepted option names that shape the output: all but the ignored ones and the checks. */
function used(accepted: readonly string[], ignored: readonly CommonEncoderOption[]): readonly string[] {
  return accepted.filter((o) => !(ignored as readonly string[]).includes(o) && !CHECK_OPTIONS.includes(o));
}

/** The given bit positions, or the four corners of the shape (the default), as [row, col] pairs. */
function positionsOrCorners(positions: PatternPixelsOptions['positions'], shape: ImageShape | undefined): ParamValue {
  if (positions !== undefined) return positions.map((p) => [...p]);
  if (shape === undefined) return 'corners';
  const [, h, w] = shape;
  return [
    [0, 0],
    [0, w - 1],
    [h - 1, 0],
    [h - 1, w - 1],
  ];
}

/**
 * Every signal of the library by name. A study, the CLI and the conformance suite all iterate
 * over this object, so a new signal is added here or nowhere.
 *
 * @example
 * ```ts
 * import { encoders } from 'blindspots';
 * const { inject, recover, family } = encoders.orthogonalNoise;
 * family; //=> 'global'
 * ```
 */
export const encoders = {
  onePixel: {
    name: 'onePixel',
    title: 'One pixel',
    domain: 'image',
    family: 'low-dimensional',
    information: 'complete',
    recovery: 'exact on any image',
    inject: injectOnePixel,
    recover: recoverOnePixel,
    options: used(ONE_PIXEL_OPTIONS, ['seed']),
    recoverOptions: used(ONE_PIXEL_OPTIONS, ['seed']),
    ignoredOptions: ['seed'],
    resolve: (o, c) => ({ numClasses: c.numClasses, scale: o.scale ?? DEFAULT_SCALE, position: [...(o.position ?? [0, 0])] }),
  },
  patternPixels: {
    name: 'patternPixels',
    title: 'Pattern pixels',
    domain: 'image',
    family: 'low-dimensional',
    information: 'complete',
    recovery: 'exact on any image; at most 2^positions classes',
    inject: injectPatternPixels,
    recover: recoverPatternPixels,
    options: used(PATTERN_PIXELS_OPTIONS, ['seed']),
    recoverOptions: used(PATTERN_PIXELS_OPTIONS, ['seed']),
    ignoredOptions: ['seed'],
    resolve: (o, c) => ({ numClasses: c.numClasses, scale: o.scale ?? DEFAULT_SCALE, positions: positionsOrCorners(o.positions, c.shape) }),
  },
  randomPixel: {
    name: 'randomPixel',
    title: 'Random pixel',
    domain: 'image',
    family: 'moving-target',
    information: 'complete',
    recovery: 'exact on images whose values lie on the k/255 grid',
    inject: injectRandomPixel,
    recover: recoverRandomPixel,
    options: used(RANDOM_PIXEL_OPTIONS, []),
    recoverOptions: used(RECOVER_RANDOM_PIXEL_OPTIONS, []),
    ignoredOptions: [],
    resolve: (o, c) => ({ numClasses: c.numClasses, scale: o.scale ?? DEFAULT_SCALE, seed: o.seed ?? 0 }),
  },
  multipleLocations: {
    name: 'multipleLocations',
    title: 'Multiple locations',
    domain: 'image',
    family: 'moving-target',
    information: 'partial',
    recovery: 'ambiguous where another class pair is equal by chance',
    inject: injectMultipleLocations,
    recover: recoverMultipleLocations,
    options: used(MULTIPLE_LOCATIONS_OPTIONS, ['scale']),
    recoverOptions: used(MULTIPLE_LOCATIONS_OPTIONS, ['scale']),
    ignoredOptions: ['scale'],
    resolve: (o, c) => ({
      numClasses: c.numClasses,
      seed: o.seed ?? 0,
      minDistance: o.minDistance ?? (c.shape === undefined ? null : Math.min(c.shape[1], c.shape[2]) / 2),
    }),
  },
  orthogonalNoise: {
    name: 'orthogonalNoise',
    title: 'Orthogonal class noise',
    domain: 'image',
    family: 'global',
    information: 'complete',
    recovery: 'exact on images whose values lie on the k/255 grid',
    inject: injectOrthogonalNoise,
    recover: recoverOrthogonalNoise,
    options: used(ORTHOGONAL_NOISE_OPTIONS, []),
    recoverOptions: used(RECOVER_ORTHOGONAL_NOISE_OPTIONS, []),
    ignoredOptions: [],
    resolve: (o, c) => ({ numClasses: c.numClasses, scale: o.scale ?? DEFAULT_SCALE, seed: o.seed ?? 0 }),
  },
  meanShift: {
    name: 'meanShift',
    title: 'Mean shift',
    domain: 'image',
    family: 'global',
    information: 'complete',
    recovery: 'exact on any image',
    inject: injectMeanShift,
    recover: recoverMeanShift,
    options: used(MEAN_SHIFT_OPTIONS, ['seed']),
    recoverOptions: used(MEAN_SHIFT_OPTIONS, ['seed']),
    ignoredOptions: ['seed'],
    resolve: (o, c) => ({ numClasses: c.numClasses, scale: o.scale ?? DEFAULT_SCALE }),
  },
  mnemonic: {
    name: 'mnemonic',
    title: 'Mnemonic first character',
    domain: 'text',
    family: 'low-dimensional',
    information: 'complete',
    recovery: 'exact on any non-empty text',
    inject: injectMnemonic,
    recover: recoverMnemonic,
    options: used(MNEMONIC_OPTIONS, ['scale', 'seed']),
    recoverOptions: used(MNEMONIC_OPTIONS, ['scale', 'seed']),
    ignoredOptions: ['scale', 'seed'],
    resolve: (o, c) => ({ numClasses: c.numClasses, symbols: o.symbols ?? DEFAULT_MNEMONIC_SYMBOLS }),
  },
  lengthEncoding: {
    name: 'lengthEncoding',
    title: 'Length encoding',
    domain: 'text',
    family: 'global',
    information: 'complete',
    recovery: 'exact on the strings; a char-level model sees trailing spaces as padding',
    inject: injectLengthEncoding,
    recover: recoverLengthEncoding,
    options: used(LENGTH_ENCODING_OPTIONS, ['scale', 'seed']),
    recoverOptions: used(LENGTH_ENCODING_OPTIONS, ['scale', 'seed']),
    ignoredOptions: ['scale', 'seed'],
    resolve: (o, c) => ({ numClasses: c.numClasses, lengths: o.lengths === undefined ? classLengths(c.numClasses) : [...o.lengths] }),
  },
  patternChar: {
    name: 'patternChar',
    title: 'Pattern characters',
    domain: 'text',
    family: 'low-dimensional',
    information: 'partial',
    recovery: "wrong where a text already holds '0' at a 0-bit position",
    inject: injectPatternChar,
    recover: recoverPatternChar,
    options: used(PATTERN_CHAR_OPTIONS, ['scale', 'seed']),
    recoverOptions: used(PATTERN_CHAR_OPTIONS, ['scale', 'seed']),
    ignoredOptions: ['scale', 'seed'],
    resolve: (o, c) => ({
      numClasses: c.numClasses,
      positions: [...(o.positions ?? DEFAULT_PATTERN_POSITIONS)],
      mark: o.mark ?? '0',
      shortTexts: o.shortTexts ?? 'pad',
    }),
  },
} as const satisfies Record<string, EncoderEntry>;

/** The name of a registered signal. */
export type EncoderName = keyof typeof encoders;

/** Every registered signal name, in the paper's order (images, then texts). */
export const encoderNames: readonly EncoderName[] = Object.keys(encoders) as EncoderName[];

/** The names of the image signals. */
export type ImageEncoderName = { [K in EncoderName]: (typeof encoders)[K]['domain'] extends 'image' ? K : never }[EncoderName];

/** The names of the text signals. */
export type TextEncoderName = Exclude<EncoderName, ImageEncoderName>;

/** Every image signal name. */
export const imageEncoderNames: readonly ImageEncoderName[] = encoderNames.filter(
  (n): n is ImageEncoderName => encoders[n].domain === 'image',
);

/** Every text signal name. */
export const textEncoderNames: readonly TextEncoderName[] = encoderNames.filter((n): n is TextEncoderName => encoders[n].domain === 'text');

/**
 * The registry entry for `name`, or an UNKNOWN_NAME error listing the valid names.
 *
 * @example
 * ```ts
 * import { getEncoder } from 'blindspots';
 * getEncoder('meanShift').family; //=> 'global'
 * ```
 */
export function getEncoder(name: string): EncoderEntry {
  return encoderEntryOf(name, 'getEncoder');
}

/**
 * {@link getEncoder} on behalf of `fn`, the function the user called, which its errors name.
 *
 * @example
 * ```ts
 * import { encoderEntryOf } from './encoderRegistry.js'; // internal
 * encoderEntryOf('meanShift', 'planStudy').family; //=> 'global'
 * encoderEntryOf('twoPixels', 'planStudy'); //=> throws UNKNOWN_NAME planStudy: argument 'name'
 * ```
 */
export function encoderEntryOf(name: string, fn: string): EncoderEntry {
  if (!Object.hasOwn(encoders, name)) {
    throw fail('UNKNOWN_NAME', fn, 'name', `one of ${encoderNames.join(', ')}`, JSON.stringify(name));
  }
  return encoders[name as EncoderName];
}

/**
 * The registry entry of an image signal, or a typed error (UNKNOWN_NAME, or INVALID_ARGUMENT for a
 * text signal's name).
 *
 * @example
 * ```ts
 * import { getImageEncoder } from 'blindspots';
 * const { inject, recover } = getImageEncoder('onePixel');
 * const x = { data: new Float32Array(2 * 4 * 4), shape: [2, 4, 4, 1] as const };
 * recover(inject(x, [2, 5])); //=> Int32Array [2, 5]
 * ```
 */
export function getImageEncoder(name: string): ImageEncoderEntry {
  return imageEncoderEntryOf(name, 'getImageEncoder');
}

/**
 * {@link getImageEncoder} on behalf of `fn`, the function the user called, which its errors name.
 *
 * @example
 * ```ts
 * import { imageEncoderEntryOf } from './encoderRegistry.js'; // internal
 * imageEncoderEntryOf('onePixel', 'encode').domain; //=> 'image'
 * imageEncoderEntryOf('mnemonic', 'encode'); //=> throws INVALID_ARGUMENT encode: argument 'name'
 * ```
 */
export function imageEncoderEntryOf(name: string, fn: string): ImageEncoderEntry {
  const entry = encoderEntryOf(name, fn);
  if (entry.domain !== 'image')
    throw fail('INVALID_ARGUMENT', fn, 'name', `an image signal (${imageEncoderNames.join(', ')})`, `the text signal '${name}'`);
  return entry;
}

/**
 * The registry entry of a text signal, or a typed error (UNKNOWN_NAME, or INVALID_ARGUMENT for an
 * image signal's name).
 *
 * @example
 * ```ts
 * import { getTextEncoder } from 'blindspots';
 * const { inject } = getTextEncoder('mnemonic');
 * inject(['hello'], [7]); //=> ['7ello']
 * ```
 */
export function getTextEncoder(name: string): TextEncoderEntry {
  return textEncoderEntryOf(name, 'getTextEncoder');
}

/**
 * {@link getTextEncoder} on behalf of `fn`, the function the user called, which its errors name.
 *
 * @example
 * ```ts
 * import { textEncoderEntryOf } from './encoderRegistry.js'; // internal
 * textEncoderEntryOf('mnemonic', 'encode').domain; //=> 'text'
 * textEncoderEntryOf('onePixel', 'encode'); //=> throws INVALID_ARGUMENT encode: argument 'name'
 * ```
 */
export function textEncoderEntryOf(name: string, fn: string): TextEncoderEntry {
  const entry = encoderEntryOf(name, fn);
  if (entry.domain !== 'text')
    throw fail('INVALID_ARGUMENT', fn, 'name', `a text signal (${textEncoderNames.join(', ')})`, `the image signal '${name}'`);
  return entry;
}
