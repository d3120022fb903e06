import { fail } from '../../errors.js';
import type { LabelsInput, Texts } from '../../types.js';
import { checkInteger, checkLabels, describe, resolveNumClasses } from '../../validate.js';
import { checkIgnoredOptions, type EncoderOptions } from '../commonOptions.js';

/**
 * The longest text, in code points, an encoder writes or a quantiser reads into: 2^20 = 1,048,576.
 * A class length (`injectLengthEncoding`'s `options.lengths`), a pattern position
 * (`injectPatternChar`'s `options.positions`, which pads every shorter text up to it) and
 * `quantize`/`charCodes`'s `options.length` above it are INVALID_ARGUMENT errors: one such text
 * costs megabytes, and a typo (2^30) would otherwise end the process with an uncatchable heap
 * exhaustion or a raw RangeError. Input texts may be longer; only what the library builds is capped.
 *
 * @example
 * ```ts
 * import { injectLengthEncoding, MAX_TEXT_LENGTH } from 'blindspots';
 * injectLengthEncoding(['abc'], [0], { lengths: [MAX_TEXT_LENGTH] })[0]?.length; //=> 1048576
 * injectLengthEncoding(['abc'], [0], { lengths: [MAX_TEXT_LENGTH + 1] }); //=> throws INVALID_ARGUMENT
 * ```
 */
export const MAX_TEXT_LENGTH = 2 ** 20;

/**
 * Options every text encoder and oracle takes: the common ones. The text signals draw nothing and
 * write characters, not amplitudes, so `scale` and `seed` are accepted (and checked) without
 * effect, as their registry entries' `ignoredOptions` say.
 */
export type TextEncoderOptions = EncoderOptions;

/** What a text encoder's kernel gets after validation. */
export interface TextEncodeContext {
  readonly fn: string;
  readonly labels: Int32Array;
  readonly numClasses: number;
}

/**
 * Validates a batch of texts: an array of non-empty strings, at least one, with no holes (a sparse
 * array's holes would pass `forEach` unseen and come back as holes). Models pass `allowEmptyTexts`
 * (an empty text is a valid, all-blank input to them; an encoder has no character to put its
 * signal in).
 *
 * @example
 * ```ts
 * import { checkTexts } from './textCodec.js'; // internal
 * checkTexts('injectMnemonic', ['great', 'bad']); //=> ['great', 'bad']
 * checkTexts('injectMnemonic', ['great', , 'bad']); //=> throws INVALID_ARGUMENT index 1
 * ```
 */
export function checkTexts(
  fn: string,
  texts: unknown,
  arg = 'texts',
  options: { readonly allowEmptyTexts?: boolean } = {},
): readonly string[] {
  if (!Array.isArray(texts)) throw fail('INVALID_ARGUMENT', fn, arg, 'an array of strings', describe(texts));
  if (texts.length === 0) throw fail('EMPTY_INPUT', fn, arg, 'at least one text', 'an empty array');
  for (let i = 0; i < texts.length; i++) {
    if (!(i in texts)) {
      throw fail('INVALID_ARGUMENT', fn, arg, 'a string at every index (not a sparse array)', `a hole at index ${String(i)}`);
    }
    const t = texts[i] as unknown;
    if (typeof t !== 'string') throw fail('INVALID_ARGUMENT', fn, arg, 'strings', `${describe(t)} at index ${String(i)}`);
    if (t.length === 0 && options.allowEmptyTexts !== true)
      throw fail(
        'EMPTY_INPUT',
        fn,
        arg,
        'non-empty texts (an empty text has no character to carry the signal)',
        `an empty string at index ${String(i)}`,
      );
  }
  return texts as readonly string[];
}

/**
 * The shared boundary of every text encoder: validates texts, labels and options, checks the
 * signal's class capacity and runs the kernel, which returns new strings (inputs are immutable).
 */
export function encodeTexts(
  fn: string,
  texts: Texts,
  labels: LabelsInput,
  options: TextEncoderOptions,
  capacity: { max: number; why: string },
  kernel: (texts: readonly string[], ctx: TextEncodeContext) => string[],
): string[] {
  const t = checkTexts(fn, texts);
  checkIgnoredOptions(fn, options);
  const y = checkLabels(fn, labels, { length: t.length });
  const numClasses = resolveNumClasses(fn, options.numClasses, y);
  checkTextCapacity(fn, numClasses, capacity);
  return kernel(t, { fn, labels: y, numClasses });
}

/** Validates a decoder's input and numClasses (checked against the capacity when given). */
export function decodeTexts(
  fn: string,
  texts: Texts,
  options: TextEncoderOptions,
  capacity: { max: number; why: string },
): { texts: readonly string[]; numClasses: number | undefined } {
  const t = checkTexts(fn, texts, 'encoded');
  checkIgnoredOptions(fn, options);
  let numClasses: number | undefined;
  if (options.numClasses !== undefined) {
    numClasses = checkInteger(fn, 'options.numClasses', options.numClasses, 1, 2 ** 31 - 1);
    checkTextCapacity(fn, numClasses, capacity);
  }
  return { texts: t, numClasses };
}

function checkTextCapacity(fn: string, numClasses: number, cap: { max: number; why: string }): void {
  if (numClasses > cap.max) {
    throw fail('TOO_MANY_CLASSES', fn, 'options.numClasses', `at most ${String(cap.max)} classes (${cap.why})`, String(numClasses));
  }
}

/**
 * A short description of an option value for an error message: its JSON (cut at 80 characters)
 * when it has one, otherwise the generic description (a BigInt or a cycle would make
 * JSON.stringify throw a raw TypeError).
 */
export function describeValue(value: unknown): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch {
    json = undefined;
  }
  if (json === undefined) return describe(value);
  return json.length > 80 ? `${json.slice(0, 77)}...` : json;
}

/**
 * The UTF-16 index at which code point `k` of `text` starts (`text.length` when the text has
 * fewer). Scans only the first k code points, so it is cheap on long texts.
 */
export function codePointOffset(text: string, k: number): number {
  let i = 0;
  for (let c = 0; c < k && i < text.length; c++) {
    const unit = text.charCodeAt(i);
    // A high surrogate followed by a low one is one code point of two units.
    i += unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00 ? 2 : 1;
  }
  return i;
}

/** The number of code points of `text` (what a reader counts as characters). */
export function codePointLength(text: string): number {
  let n = text.length;
  for (let i = 0; i + 1 < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n--;
      i++;
    }
  }
  return n;
}
