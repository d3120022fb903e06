import * as tf from '@tensorflow/tfjs';
import { fail } from '../errors.js';
import { checkBoolean, checkChoice, checkOptions, optionNames } from '../options.js';
import type { FeatureMatrix, Texts } from '../types.js';
import { checkInteger } from '../validate.js';
import { alphabetIndex, ZHANG_ALPHABET, ZHANG_INPUT_LENGTH } from './alphabet.js';
import { checkTexts, MAX_TEXT_LENGTH } from '../encoders/text/textCodec.js';

/** Options of {@link quantize} and {@link charCodes}. */
export interface QuantizeOptions {
  /** Positions per text, 1 to {@link MAX_TEXT_LENGTH}; default 1014 (Zhang et al.). */
  readonly length?: number;
  /**
   * `backward` (default, Zhang et al.): the last character goes to position 0, the one before it
   * to position 1, …; a text longer than `length` keeps its last `length` characters.
   * `forward`: the first character at position 0; a longer text keeps its first `length`.
   */
  readonly order?: 'backward' | 'forward';
  /** Lowercase before looking characters up (default true, as Zhang et al.'s alphabet has no capitals). */
  readonly lowercase?: boolean;
}

/**
 * The option names of {@link quantize} and {@link charCodes}: anything else is an UNKNOWN_OPTION
 * error.
 *
 * @example
 * ```ts
 * import { QUANTIZE_OPTIONS } from './quantize.js'; // internal
 * QUANTIZE_OPTIONS; //=> ['length', 'order', 'lowercase']
 * ```
 */
export const QUANTIZE_OPTIONS = optionNames<QuantizeOptions>()('length', 'order', 'lowercase');

/**
 * The most values {@link quantize} or {@link charCodes} returns in one call: 2^31 - 1 (8 GiB of
 * float32). Larger outputs (texts x `options.length` x 70 for `quantize`) are an INVALID_ARGUMENT
 * error naming `texts`, before anything is allocated: quantise in batches instead.
 *
 * @example
 * ```ts
 * import { MAX_QUANTIZED_VALUES, ZHANG_INPUT_LENGTH } from 'blindspots';
 * // The most texts one quantize call takes at the default length:
 * Math.floor(MAX_QUANTIZED_VALUES / (ZHANG_INPUT_LENGTH * 70)); //=> 30254
 * ```
 */
export const MAX_QUANTIZED_VALUES = 2 ** 31 - 1;

/** Alphabet entries of the ASCII characters (-1 outside the alphabet): the alphabet is all ASCII. */
const ASCII_ENTRY = Int8Array.from({ length: 128 }, (_, code) => alphabetIndex(String.fromCharCode(code)));

interface Scan {
  readonly texts: readonly string[];
  readonly length: number;
  readonly order: 'backward' | 'forward';
  readonly lowercase: boolean;
}

/** The shared boundary of {@link quantize} and {@link charCodes}: texts, options and the output size. */
function prepare(fn: string, texts: Texts, options: QuantizeOptions | undefined, width: number): Scan & { data: Float32Array } {
  const o = checkOptions(fn, options, QUANTIZE_OPTIONS);
  const length = checkInteger(fn, 'options.length', o.length ?? ZHANG_INPUT_LENGTH, 1, MAX_TEXT_LENGTH);
  const order = checkChoice(fn, 'options.order', o.order, ['backward', 'forward'] as const, 'backward');
  const lowercase = checkBoolean(fn, 'options.lowercase', o.lowercase, true);
  // Empty texts are valid here (an all-zero input); an empty batch is not.
  const t = checkTexts(fn, texts, 'texts', { allowEmptyTexts: true });
  const size = t.length * length * width;
  const expected = `at most ${String(MAX_QUANTIZED_VALUES)} output values (MAX_QUANTIZED_VALUES; texts x options.length${width > 1 ? ` x ${String(width)}` : ''}): quantise fewer texts per call`;
  if (size > MAX_QUANTIZED_VALUES)
    throw fail('INVALID_ARGUMENT', fn, 'texts', expected, `${String(t.length)} texts of ${String(length)} positions`);
  let data: Float32Array;
  try {
    data = new Float32Array(size);
  } catch (e) {
    // An allocation the engine refuses (out of memory) is a RangeError; it becomes a typed error.
    throw fail('INVALID_ARGUMENT', fn, 'texts', `an output that fits in memory (${String(size)} float32 values)`, (e as Error).message);
  }
  return { texts: t, length, order, lowercase, data };
}

/**
 * Calls `write(textIndex, position, entry)` for each character of each text that is in the
 * alphabet, at most `length` positions per text. Iterates by code point (a character outside the
 * Basic Multilingual Plane, an emoji, takes one position) and visits only the kept end of each
 * text, so a very long text costs no more than its lowercase copy.
 */
function scan(s: Scan, write: (i: number, pos: number, entry: number) => void): void {
  const { length } = s;
  s.texts.forEach((raw, i) => {
    const text = s.lowercase ? raw.toLowerCase() : raw;
    let pos = 0;
    if (s.order === 'forward') {
      for (let u = 0; u < text.length && pos < length; pos++) {
        const unit = text.charCodeAt(u);
        // A high surrogate followed by a low one is one code point (never in the alphabet).
        if (unit >= 0xd800 && unit <= 0xdbff && u + 1 < text.length && (text.charCodeAt(u + 1) & 0xfc00) === 0xdc00) {
          u += 2;
          continue;
        }
        const entry = unit < 128 ? (ASCII_ENTRY[unit] as number) : alphabetIndex(text.charAt(u));
        if (entry >= 0) write(i, pos, entry);
        u += 1;
      }
    } else {
      for (let u = text.length - 1; u >= 0 && pos < length; pos++) {
        const unit = text.charCodeAt(u);
        // Read from the end, a low surrogate preceded by a high one is one code point: the same
        // pairs Array.from finds from the front.
        if ((unit & 0xfc00) === 0xdc00 && u > 0 && (text.charCodeAt(u - 1) & 0xfc00) === 0xd800) {
          u -= 2;
          continue;
        }
        const entry = unit < 128 ? (ASCII_ENTRY[unit] as number) : alphabetIndex(text.charAt(u));
        if (entry >= 0) write(i, pos, entry);
        u -= 1;
      }
    }
  });
}

/**
 * One-hot character quantisation for a char-CNN (Zhang, Zhao & LeCun 2015): a float32
 * `[n, length, 70]` tensor, one row per character position, all-zero for characters outside the
 * alphabet and for positions past the end of the text. Backward order by default (see
 * {@link QuantizeOptions.order}); longer texts are cut to `length` characters, as in the paper.
 * No texts is an EMPTY_INPUT error; `length` is at most {@link MAX_TEXT_LENGTH} and the output at
 * most {@link MAX_QUANTIZED_VALUES} values.
 *
 * @example
 * ```ts
 * import { quantize } from 'blindspots';
 * const x = quantize(['Great food!', 'meh']); // one-hot
 * x.shape; //=> [2, 1014, 70]
 * x.dispose();
 * ```
 */
export function quantize(texts: Texts, options: QuantizeOptions = {}): tf.Tensor3D {
  const width = ZHANG_ALPHABET.length;
  const s = prepare('quantize', texts, options, width);
  const { data, length } = s;
  scan(s, (i, pos, entry) => {
    data[(i * length + pos) * width + entry] = 1;
  });
  return tf.tensor3d(data, [s.texts.length, length, width], 'float32');
}

/**
 * Character codes for classical models ("competing models at the character level", as the paper
 * did): a `[n, length]` feature matrix holding alphabet entry + 1 at each position, 0 for none
 * (outside the alphabet or past the end). Same order, cut and errors as {@link quantize}.
 *
 * @example
 * ```ts
 * import { charCodes } from 'blindspots';
 * const f = charCodes(['ab'], { length: 4, order: 'forward' }); // alphabet index + 1, 0 for none
 * f.data; //=> Float32Array [1, 2, 0, 0]
 * ```
 */
export function charCodes(texts: Texts, options: QuantizeOptions = {}): FeatureMatrix {
  const s = prepare('charCodes', texts, options, 1);
  const { data, length } = s;
  scan(s, (i, pos, entry) => {
    data[i * length + pos] = entry + 1;
  });
  return { data, rows: s.texts.length, cols: length };
}
