import * as tf from '@tensorflow/tfjs';
import { fail } from '../../errors.js';
import type { FeatureMatrix, Texts } from '../../types.js';
import { checkInteger, describe } from '../../validate.js';
import { alphabetIndex, ZHANG_ALPHABET, ZHANG_INPUT_LENGTH } from './alphabet.js';

/** Options of {@link quantize} and {@link charCodes}. */
export interface QuantizeOptions {
  /** Positions per text; default 1014 (Zhang et al.). */
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
 * Writes each text's alphabet entries into `write(textIndex, position, entry)`; characters outside
 * the alphabet and positions past the end are left alone (the all-zero vector). Iterates by code
 * point, so a character outside the Basic Multilingual Plane (an emoji) takes one position.
 */
function scan(fn: string, texts: Texts, options: QuantizeOptions, write: (i: number, pos: number, entry: number) => void): number {
  if (!Array.isArray(texts)) throw fail('INVALID_ARGUMENT', fn, 'texts', 'an array of strings', describe(texts));
  const length = checkInteger(fn, 'options.length', options.length ?? ZHANG_INPUT_LENGTH, 1, 1 << 20);
  const order = options.order ?? 'backward';
  if (order !== 'backward' && order !== 'forward')
    throw fail('INVALID_ARGUMENT', fn, 'options.order', "'backward' or 'forward'", String(order));
  const lower = options.lowercase ?? true;
  texts.forEach((text: unknown, i) => {
    if (typeof text !== 'string') throw fail('INVALID_ARGUMENT', fn, 'texts', 'strings', `${describe(text)} at index ${String(i)}`);
    const chars = Array.from(lower ? text.toLowerCase() : text);
    const kept = order === 'backward' ? chars.slice(-length).reverse() : chars.slice(0, length);
    kept.forEach((ch, pos) => {
      const entry = alphabetIndex(ch);
      if (entry >= 0) write(i, pos, entry);
    });
  });
  return length;
}

/**
 * One-hot character quantisation for a char-CNN (Zhang, Zhao & LeCun 2015): a float32
 * `[n, length, 70]` tensor, one row per character position, all-zero for characters outside the
 * alphabet and for positions past the end of the text. Backward order by default (see
 * {@link QuantizeOptions.order}); longer texts are cut to `length` characters, as in the paper.
 *
 * @example
 * ```ts
 * import { quantize } from 'blindspots';
 * const x = quantize(['Great food!', 'meh']); // Tensor3D [2, 1014, 70]
 * x.dispose();
 * ```
 */
export function quantize(texts: Texts, options: QuantizeOptions = {}): tf.Tensor3D {
  const fn = 'quantize';
  const width = ZHANG_ALPHABET.length;
  const n = Array.isArray(texts) ? texts.length : 0;
  const length = options.length ?? ZHANG_INPUT_LENGTH;
  checkInteger(fn, 'options.length', length, 1, 1 << 20);
  const data = new Float32Array(n * length * width);
  scan(fn, texts, options, (i, pos, entry) => {
    data[(i * length + pos) * width + entry] = 1;
  });
  return tf.tensor3d(data, [n, length, width], 'float32');
}

/**
 * Character codes for classical models ("competing models at the character level", as the paper
 * did): a `[n, length]` feature matrix holding alphabet entry + 1 at each position, 0 for none
 * (outside the alphabet or past the end). Same order and cut as {@link quantize}.
 *
 * @example
 * ```ts
 * import { charCodes } from 'blindspots';
 * const f = charCodes(['ab'], { length: 4, order: 'forward' }); // data [1, 2, 0, 0]
 * ```
 */
export function charCodes(texts: Texts, options: QuantizeOptions = {}): FeatureMatrix {
  const fn = 'charCodes';
  const n = Array.isArray(texts) ? texts.length : 0;
  const length = options.length ?? ZHANG_INPUT_LENGTH;
  checkInteger(fn, 'options.length', length, 1, 1 << 20);
  const data = new Float32Array(n * length);
  scan(fn, texts, options, (i, pos, entry) => {
    data[i * length + pos] = entry + 1;
  });
  return { data, rows: n, cols: length };
}
