import { fail } from '../../errors.js';
import { checkChoice, checkOptions, optionNames } from '../../options.js';
import type { LabelsInput, Texts } from '../../types.js';
import { codePointOffset, decodeTexts, describeValue, encodeTexts, MAX_TEXT_LENGTH, type TextEncoderOptions } from './textCodec.js';

/** The paper's pattern positions: 50, 150, 200. */
export const DEFAULT_PATTERN_POSITIONS: readonly number[] = [50, 150, 200];

/** Options of {@link injectPatternChar}. */
export interface PatternCharOptions extends TextEncoderOptions {
  /**
   * Character positions (0-based, in code points, below {@link MAX_TEXT_LENGTH}) of the label's
   * bits, bit 0 first; default [50, 150, 200].
   */
  readonly positions?: readonly number[];
  /** The character written for a 1 bit; default '0'. */
  readonly mark?: string;
  /**
   * What happens to a text too short to hold the last position: `pad` (default) appends spaces up
   * to it, so every text carries the signal; `error` rejects it with INVALID_ARGUMENT.
   */
  readonly shortTexts?: 'pad' | 'error';
}

/**
 * The option names of {@link injectPatternChar} and {@link recoverPatternChar}: anything else is
 * an UNKNOWN_OPTION error.
 *
 * @example
 * ```ts
 * import { PATTERN_CHAR_OPTIONS } from './patternChar.js'; // internal
 * PATTERN_CHAR_OPTIONS; //=> ['numClasses', 'scale', 'seed', 'positions', 'mark', 'shortTexts']
 * ```
 */
export const PATTERN_CHAR_OPTIONS = optionNames<PatternCharOptions>()('numClasses', 'scale', 'seed', 'positions', 'mark', 'shortTexts');

function config(fn: string, options: PatternCharOptions): { positions: readonly number[]; mark: string; shortTexts: 'pad' | 'error' } {
  const positions = options.positions ?? DEFAULT_PATTERN_POSITIONS;
  // Every shorter text is padded up to the last position, so positions are capped: 2^30 would
  // exhaust the heap (an uncatchable end of the process).
  if (
    !Array.isArray(positions) ||
    positions.length === 0 ||
    positions.length > 30 ||
    positions.some((p) => !Number.isInteger(p) || (p as number) < 0 || (p as number) >= MAX_TEXT_LENGTH) ||
    new Set(positions).size !== positions.length
  ) {
    throw fail(
      'INVALID_ARGUMENT',
      fn,
      'options.positions',
      `1 to 30 distinct integer positions in [0, ${String(MAX_TEXT_LENGTH - 1)}] (below MAX_TEXT_LENGTH)`,
      describeValue(positions),
    );
  }
  const mark = options.mark ?? '0';
  if (typeof mark !== 'string' || Array.from(mark).length !== 1)
    throw fail('INVALID_ARGUMENT', fn, 'options.mark', 'one character', describeValue(mark));
  const shortTexts = checkChoice(fn, 'options.shortTexts', options.shortTexts, ['pad', 'error'] as const, 'pad');
  return { positions: positions as readonly number[], mark, shortTexts };
}

const capacity = (positions: readonly number[]) => ({ max: 2 ** positions.length, why: `${String(positions.length)} bit positions` });

/**
 * Pattern characters: bit k of the label sets the character at position k to '0' when 1, and
 * leaves it unchanged when 0 (default positions 50, 150, 200 — the paper's).
 *
 * Family: low-dimensional; information: **partial** by design — a text that already has '0' at a
 * position reads as bit 1 there, and nothing marks a 0 bit. Texts shorter than the last position
 * + 1 are padded with spaces to that length (or rejected, with `shortTexts: 'error'`), so positions
 * must be below {@link MAX_TEXT_LENGTH}. More classes than 2^positions is a TOO_MANY_CLASSES error.
 *
 * @example
 * ```ts
 * import { injectPatternChar } from 'blindspots';
 * const [t] = injectPatternChar(['x'.repeat(300)], [5]); // 5 = 0b101: '0' at positions 50 and 200
 * [t?.[50], t?.[150], t?.[200]]; //=> ['0', 'x', '0']
 * ```
 */
export function injectPatternChar(texts: Texts, labels: LabelsInput, options: PatternCharOptions = {}): string[] {
  const fn = 'injectPatternChar';
  const o = checkOptions(fn, options, PATTERN_CHAR_OPTIONS);
  const { positions, mark, shortTexts } = config(fn, o);
  const need = Math.max(...positions) + 1;
  return encodeTexts(fn, texts, labels, o, capacity(positions), (t, ctx) =>
    t.map((text, i) => {
      // Only the head up to the last position is split into code points; the tail is kept as is.
      const cut = codePointOffset(text, need);
      const chars = Array.from(text.slice(0, cut));
      if (chars.length < need) {
        if (shortTexts === 'error') {
          throw fail(
            'INVALID_ARGUMENT',
            fn,
            'texts',
            `texts of at least ${String(need)} characters (options.shortTexts = 'error')`,
            `${String(chars.length)} at index ${String(i)}`,
          );
        }
        while (chars.length < need) chars.push(' ');
      }
      const label = ctx.labels[i] as number;
      positions.forEach((p, k) => {
        if ((label >> k) & 1) chars[p] = mark;
      });
      return chars.join('') + text.slice(cut);
    }),
  );
}

/**
 * Oracle decoder of {@link injectPatternChar}: bit k is 1 where position k holds the mark. Texts
 * with a natural '0' at a position of a 0 bit decode wrongly — the signal is partial; -1 for texts
 * too short to hold the positions, or a bit pattern >= numClasses.
 *
 * @example
 * ```ts
 * import { injectPatternChar, recoverPatternChar } from 'blindspots';
 * recoverPatternChar(injectPatternChar(['x'.repeat(300)], [5])); //=> Int32Array [5]
 * ```
 */
export function recoverPatternChar(encoded: Texts, options: PatternCharOptions = {}): Int32Array {
  const fn = 'recoverPatternChar';
  const o = checkOptions(fn, options, PATTERN_CHAR_OPTIONS);
  const { positions, mark } = config(fn, o);
  const { texts, numClasses } = decodeTexts(fn, encoded, o, capacity(positions));
  const need = Math.max(...positions) + 1;
  return Int32Array.from(texts, (text) => {
    const chars = Array.from(text.slice(0, codePointOffset(text, need)));
    if (chars.length < need) return -1;
    let label = 0;
    positions.forEach((p, k) => {
      if (chars[p] === mark) label |= 1 << k;
    });
    return numClasses !== undefined && label >= numClasses ? -1 : label;
  });
}
