import { fail } from '../../errors.js';
import { checkOptions, optionNames } from '../../options.js';
import type { LabelsInput, Texts } from '../../types.js';
import { codePointOffset, decodeTexts, describeValue, encodeTexts, type TextEncoderOptions } from './textCodec.js';

/** The default class symbols of {@link injectMnemonic}: class k gets the k-th; all in Zhang's alphabet. */
export const DEFAULT_MNEMONIC_SYMBOLS = '0123456789abcdefghijklmnopqrstuvwxyz';

/** Options of {@link injectMnemonic}. */
export interface MnemonicOptions extends TextEncoderOptions {
  /** One distinct character per class, class k the k-th; default {@link DEFAULT_MNEMONIC_SYMBOLS} (36 classes). */
  readonly symbols?: string;
}

/**
 * The option names of {@link injectMnemonic} and {@link recoverMnemonic}: anything else is an
 * UNKNOWN_OPTION error.
 *
 * @example
 * ```ts
 * import { MNEMONIC_OPTIONS } from './mnemonic.js'; // internal
 * MNEMONIC_OPTIONS; //=> ['numClasses', 'scale', 'seed', 'symbols']
 * ```
 */
export const MNEMONIC_OPTIONS = optionNames<MnemonicOptions>()('numClasses', 'scale', 'seed', 'symbols');

function symbolsOf(fn: string, options: MnemonicOptions): string[] {
  const given = options.symbols ?? DEFAULT_MNEMONIC_SYMBOLS;
  // The type first: Array.from of an object with a huge `length` would fill the heap.
  const symbols = typeof given === 'string' ? Array.from(given) : [];
  if (symbols.length === 0 || new Set(symbols).size !== symbols.length) {
    throw fail('INVALID_ARGUMENT', fn, 'options.symbols', 'a non-empty string of distinct characters', describeValue(options.symbols));
  }
  return symbols;
}

const capacity = (symbols: string[]) => ({ max: symbols.length, why: `${String(symbols.length)} symbols` });

/**
 * Mnemonic first character: the first character of each text is replaced by its class's symbol.
 *
 * Formula: `out[i] = symbols[labels[i]] + texts[i].slice(1)` (by code point). Family:
 * low-dimensional; information: complete. More classes than symbols is a TOO_MANY_CLASSES error;
 * empty texts are an EMPTY_INPUT error (they have no first character).
 *
 * @example
 * ```ts
 * import { injectMnemonic } from 'blindspots';
 * injectMnemonic(['great food', 'awful'], [3, 0]); //=> ['3reat food', '0wful']
 * ```
 */
export function injectMnemonic(texts: Texts, labels: LabelsInput, options: MnemonicOptions = {}): string[] {
  const fn = 'injectMnemonic';
  const o = checkOptions(fn, options, MNEMONIC_OPTIONS);
  const symbols = symbolsOf(fn, o);
  return encodeTexts(fn, texts, labels, o, capacity(symbols), (t, ctx) =>
    t.map((text, i) => (symbols[ctx.labels[i] as number] as string) + text.slice(codePointOffset(text, 1))),
  );
}

/**
 * Oracle decoder of {@link injectMnemonic}: the class of the first character; -1 when it is not a
 * class symbol. Exact on encoded texts.
 *
 * @example
 * ```ts
 * import { recoverMnemonic } from 'blindspots';
 * recoverMnemonic(['3reat food', '0wful']); //=> Int32Array [3, 0]
 * ```
 */
export function recoverMnemonic(encoded: Texts, options: MnemonicOptions = {}): Int32Array {
  const fn = 'recoverMnemonic';
  const o = checkOptions(fn, options, MNEMONIC_OPTIONS);
  const symbols = symbolsOf(fn, o);
  const { texts, numClasses } = decodeTexts(fn, encoded, o, capacity(symbols));
  const k = numClasses ?? symbols.length;
  return Int32Array.from(texts, (text) => {
    const label = symbols.indexOf(text.slice(0, codePointOffset(text, 1)));
    return label < k ? label : -1;
  });
}
