import { fail } from '../../errors.js';
import type { LabelsInput, Texts } from '../../types.js';
import { codePointLength, codePointOffset, decodeTexts, encodeTexts, type TextEncoderOptions } from './common.js';

/** The default length step of {@link injectLengthEncoding}: class k gets length 50 * (k + 1). */
export const DEFAULT_LENGTH_STEP = 50;

/** Default class count of {@link injectLengthEncoding}: 20, so every length fits the char-CNN's 1014 positions. */
const DEFAULT_MAX_CLASSES = 20;

/** Options of {@link injectLengthEncoding}. */
export interface LengthEncodingOptions extends TextEncoderOptions {
  /** Distinct positive lengths, class k the k-th; default `50 * (k + 1)` for up to 20 classes. */
  readonly lengths?: readonly number[];
}

/**
 * The length of each class, from the options (class k's length does not depend on numClasses).
 *
 * @example
 * ```ts
 * import { classLengths } from 'blindspots';
 * classLengths(5); // [50, 100, 150, 200, 250]
 * ```
 */
export function classLengths(numClasses: number, options: LengthEncodingOptions = {}, fn = 'classLengths'): number[] {
  if (options.lengths === undefined)
    return Array.from({ length: Math.min(numClasses, DEFAULT_MAX_CLASSES) }, (_, k) => DEFAULT_LENGTH_STEP * (k + 1));
  const lengths = options.lengths;
  if (
    !Array.isArray(lengths) ||
    lengths.length === 0 ||
    lengths.some((l) => !Number.isInteger(l) || l < 1) ||
    new Set(lengths).size !== lengths.length
  ) {
    throw fail('INVALID_ARGUMENT', fn, 'options.lengths', 'distinct positive integer lengths, one per class', JSON.stringify(lengths));
  }
  return lengths.slice(0, numClasses);
}

const capacity = (options: LengthEncodingOptions) =>
  options.lengths === undefined
    ? { max: DEFAULT_MAX_CLASSES, why: 'the default lengths 50..1000; pass options.lengths for more' }
    : { max: options.lengths.length, why: `${String(options.lengths.length)} lengths in options.lengths` };

/**
 * Length encoding: each class has its own text length; texts are cut to it or padded with spaces.
 *
 * Formula: `out[i] = pad(texts[i].slice(0, L), L)` with `L = lengths[labels[i]]`, lengths and
 * cuts in code points. Family: low-dimensional; information: complete on the strings.
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
 * injectLengthEncoding(['a short review'], [0]); // ['a short review' + 36 spaces] (length 50)
 * ```
 */
export function injectLengthEncoding(texts: Texts, labels: LabelsInput, options: LengthEncodingOptions = {}): string[] {
  const fn = 'injectLengthEncoding';
  return encodeTexts(fn, texts, labels, options, capacity(options), (t, ctx) => {
    const lengths = classLengths(ctx.numClasses, options, fn);
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
 * recoverLengthEncoding(injectLengthEncoding(['abc', 'de'], [2, 0])); // Int32Array [2, 0]
 * ```
 */
export function recoverLengthEncoding(encoded: Texts, options: LengthEncodingOptions = {}): Int32Array {
  const fn = 'recoverLengthEncoding';
  const { texts, numClasses } = decodeTexts(fn, encoded, options, capacity(options));
  const lengths = classLengths(numClasses ?? capacity(options).max, options, fn);
  return Int32Array.from(texts, (text) => lengths.indexOf(codePointLength(text)));
}
