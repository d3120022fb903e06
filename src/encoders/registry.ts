import { fail } from '../errors.js';
import type { ImageInput, LabelsInput, Texts } from '../types.js';
import { DEFAULT_LEVELS, DEFAULT_SCALE, type Encoded, type ImageRecoverOptions } from './image/common.js';
import { injectMeanShift, recoverMeanShift } from './image/meanShift.js';
import { injectMultipleLocations, recoverMultipleLocations, type MultipleLocationsOptions } from './image/multipleLocations.js';
import { injectOnePixel, recoverOnePixel, type OnePixelOptions } from './image/onePixel.js';
import { injectOrthogonalNoise, recoverOrthogonalNoise } from './image/orthogonalNoise.js';
import { injectPatternPixels, recoverPatternPixels, type PatternPixelsOptions } from './image/patternPixels.js';
import { injectRandomPixel, recoverRandomPixel } from './image/randomPixel.js';
import { injectLengthEncoding, recoverLengthEncoding, type LengthEncodingOptions } from './text/lengthEncoding.js';
import { injectMnemonic, recoverMnemonic, type MnemonicOptions } from './text/mnemonic.js';
import { injectPatternChar, recoverPatternChar, type PatternCharOptions } from './text/patternChar.js';

/** How a signal hides the label, in the paper's terms. */
export type SignalFamily = 'low-dimensional' | 'moving-target' | 'global';

/** Whether the oracle can recover every label ('complete') or only some by design ('partial'). */
export type SignalInformation = 'complete' | 'partial';

/** Every option any image signal takes; each encoder reads its own and ignores none silently. */
export type ImageSignalOptions = OnePixelOptions & PatternPixelsOptions & MultipleLocationsOptions & ImageRecoverOptions;

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
  readonly defaults: Readonly<Record<string, unknown>>;
}

/** Every option any text signal takes. */
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
  readonly defaults: Readonly<Record<string, unknown>>;
}

/** Any registered encoder. */
export type EncoderEntry = ImageEncoderEntry | TextEncoderEntry;

/** Options for any signal: an image signal's or a text signal's. */
export type SignalOptions = ImageSignalOptions | TextSignalOptions;

/**
 * Every signal of the library by name. A study, the CLI and the conformance suite all iterate
 * over this object, so a new signal is added here or nowhere.
 *
 * @example
 * ```ts
 * import { encoders } from 'blindspots';
 * const { inject, recover, family } = encoders.orthogonalNoise; // family: 'global'
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
    defaults: { scale: DEFAULT_SCALE, seed: 0, position: [0, 0] },
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
    defaults: { scale: DEFAULT_SCALE, seed: 0, positions: 'the four corners TL, TR, BL, BR' },
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
    defaults: { scale: DEFAULT_SCALE, seed: 0, levels: DEFAULT_LEVELS },
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
    defaults: { seed: 0, minDistance: 'half the shorter image side' },
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
    defaults: { scale: DEFAULT_SCALE, seed: 0, levels: DEFAULT_LEVELS },
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
    defaults: { scale: DEFAULT_SCALE, seed: 0 },
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
    defaults: { symbols: '0123456789abcdefghijklmnopqrstuvwxyz' },
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
    defaults: { lengths: '50 * (k + 1), up to 20 classes' },
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
    defaults: { positions: [50, 150, 200], mark: '0', shortTexts: 'pad' },
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
 * getEncoder('meanShift').family; // 'global'
 * ```
 */
export function getEncoder(name: string, fn = 'getEncoder'): EncoderEntry {
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
 * const { inject } = getImageEncoder('onePixel');
 * ```
 */
export function getImageEncoder(name: string, fn = 'getImageEncoder'): ImageEncoderEntry {
  const entry = getEncoder(name, fn);
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
 * ```
 */
export function getTextEncoder(name: string, fn = 'getTextEncoder'): TextEncoderEntry {
  const entry = getEncoder(name, fn);
  if (entry.domain !== 'text')
    throw fail('INVALID_ARGUMENT', fn, 'name', `a text signal (${textEncoderNames.join(', ')})`, `the image signal '${name}'`);
  return entry;
}
