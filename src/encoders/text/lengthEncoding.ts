import { fail } from '../../errors.js';
import { checkOptions, optionNames } from '../../options.js';
import type { LabelsInput, Texts } from '../../types.js';
import { checkInteger, MAX_LABEL } from '../../validate.js';
import {
  codePointLength,
  codePointOffset,
  decodeTexts,
  describeValue,
  encodeTexts,
  MAX_TEXT_LENGTH,
  type TextEncoderOptions,
} from './textCodec.js';

/** The default length step of {@link injectLengthEncoding}: class k gets length 50 * (k + 1). */
export const DEFAULT_LENGTH_STEP = 50;

/** Default class count of {@link injectLengthEncoding}: 20, so every length fits the char-CNN's 1014 positions. */
const DEFAULT_MAX_CLASSES = 20;

/** Options of {@link injectLengthEncoding}. */
export interface LengthEncodingOptions extends TextEncoderOptions {
  /**
   * Distinct lengths in [1, {@link MAX_TEXT_LENGTH}], class k the k-th; default `50 * (k + 1)`
   * for up to 20 classes.
   */
  readonly lengths?: readonly number[];
}

/**
 * The option names of {@link injectLengthEncoding}, {@link recoverLengthEncoding} and
 * {@link classLengths}: anything else is an UNKNOWN_OPTION error.
 *
 * @example
 * ```ts
 * import { LENGTH_ENCODING_OPTIONS } from './lengthEncoding.js'; // internal
 * LENGTH_ENCODING_OPTIONS; //=> ['numClasses', 'scale', 'seed', 'lengths']
 * ```
 */
export const LENGTH_ENCODING_OPTIONS = optionNames<LengthEncodingOptions>()('numClasses', 'scale', 'seed', 'lengths');

/**
 * The length of each class, from the options (class k's length does not depend on numClasses).
 *
 * @example
 * ```ts
 * import { classLengths } from 'blindspots';
 * classLengths(5); //=> [50, 100, 150, 200, 250]
 * classLengths(2, { lengths: [10, 20, 30] }); //=> [10, 20]
 * ```
 */
export function classLengths(numClasses: number, options: LengthEncodingOptions = {}): number[] {
  const fn = 'classLengths';
  const o = checkOptions(fn, options, LENGTH_ENCODING_OPTIONS);
  return lengthsOf(fn, checkInteger(fn, 'numClasses', numClasses, 1, MAX_LABEL), o);
}

/** {@link classLengths} for a public function `fn` that has checked its options. */
function lengthsOf(fn: string, numClasses: number, options: LengthEncodingOptions): number[] {
  if (options.lengths === undefined)
    return Array.from({ length: Math.min(numClasses, DEFAULT_MAX_CLASSES) }, (_, k) => DEFAULT_LENGTH_STEP * (k + 1));
  return checkLengths(fn, options.lengths).slice(0, numClasses);
}

/** Lengths must be distinct integers in [1, MAX_TEXT_LENGTH]: longer texts cost megabytes each. */
function checkLengths(fn: string, lengths: unknown): number[] {
  if (
    !Array.isArray(lengths) ||
    lengths.length === 0 ||
    lengths.some((l) => !Number.isInteger(l) || (l as number) < 1 || (l as number) > MAX_TEXT_LENGTH) ||
    new Set(lengths).size !== lengths.length
  ) {
    throw fail(
      'INVALID_ARGUMENT',
      fn,
      'options.lengths',
      `distinct integer lengths in [1, ${String(MAX_TEXT_LENGTH)}] (MAX_TEXT_LENGTH), one per class`,
      describeValue(lengths),
    );
  }
  return lengths as number[];
}

const capacity = (fn: string, options: LengthEncodingOptions) => {
  if (options.lengths === undefined)
    return { max: DEFAULT_MAX_CLASSES, why: 'the default lengths 50..1000; pass options.lengths for more' };
  const n = checkLengths(fn, options.lengths).length;
  return { max: n, why: `${String(n)} lengths in options.lengths` };
};

/**
 * Length encoding: each class has its own text length; texts are cut to it or padded with spaces.
 *
 * Formula: `out[i] = pad(texts[i].slice(0, L), L)` with `L = lengths[labels[i]]`, lengths and
 * cuts in code points. A length above {@link MAX_TEXT_LENGTH} is an INVALID_ARGUMENT error; the
 * output holds about n x L characters, so long lengths on many texts need a large heap. Family: low-dimensional; information: complete on the strings.
 *
 * Ambiguity with real trailing spaces: the decoder reads the string's length, which is exact. A
 * character-level model sees less: spaces are outside Zhang's alphabet, so after `quantize` /
 * `charCodes` padding is indistinguishable from the end of the text, and a model sees the position
 * of the last non-space character — which is `L` for a cut text and anywhere up to `L` for a
 * padded one (and a cut that lands after a space looks shorter too).
 *
 * @example
 * ```ts
 * import { injectLengthEncoding } from 'blindspots';
 * const [t] = injectLengthEncoding(['a short review'], [0]); // 'a short review' and 36 spaces
 * t?.length; //=> 50
 * ```
 */
export function injectLengthEncoding(texts: Texts, labels: LabelsInput, options: LengthEncodingOptions = {}): string[] {
  const fn = 'injectLengthEncoding';
  const o = checkOptions(fn, options, LENGTH_ENCODING_OPTIONS);
  return encodeTexts(fn, texts, labels, o, capacity(fn, o), (t, ctx) => {
    const lengths = lengthsOf(fn, ctx.numClasses, o);
    return t.map((text, i) => {
      const target = lengths[ctx.labels[i] as number] as number;
      const length = codePointLength(text);
      return length >= target ? text.slice(0, codePointOffset(text, target)) : text + ' '.repeat(target - length);
    });
  });
}

/**
 * Oracle decoder of {@link injectLengthEncoding}: the class whose length is the text's length (in
 * code points); -1 for any other length. Exact on encoded texts.
 *
 * @example
 * ```ts
 * import { injectLengthEncoding, recoverLengthEncoding } from 'blindspots';
 * recoverLengthEncoding(injectLengthEncoding(['abc', 'de'], [2, 0])); //=> Int32Array [2, 0]
 * ```
 */
export function recoverLengthEncoding(encoded: Texts, options: LengthEncodingOptions = {}): Int32Array {
  const fn = 'recoverLengthEncoding';
  const o = checkOptions(fn, options, LENGTH_ENCODING_OPTIONS);
  const cap = capacity(fn, o);
  const { texts, numClasses } = decodeTexts(fn, encoded, o, cap);
  const lengths = lengthsOf(fn, numClasses ?? cap.max, o);
  return Int32Array.from(texts, (text) => lengths.indexOf(codePointLength(text)));
}
