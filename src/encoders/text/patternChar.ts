import { fail } from '../../errors.js';
import type { LabelsInput, Texts } from '../../types.js';
import { codePointOffset, decodeTexts, encodeTexts, type TextEncoderOptions } from './common.js';

/** The paper's pattern positions: 50, 150, 200. */
export const DEFAULT_PATTERN_POSITIONS: readonly number[] = [50, 150, 200];

/** Options of {@link injectPatternChar}. */
export interface PatternCharOptions extends TextEncoderOptions {
  /** Character positions (0-based, in code points) of the label's bits, bit 0 first; default [50, 150, 200]. */
  readonly positions?: readonly number[];
  /** The character written for a 1 bit; default '0'. */
  readonly mark?: string;
  /**
   * What happens to a text too short to hold the last position: `pad` (default) appends spaces up
   * to it, so every text carries the signal; `error` rejects it with INVALID_ARGUMENT.
   */
  readonly shortTexts?: 'pad' | 'error';
}

function config(fn: string, options: PatternCharOptions): { positions: readonly number[]; mark: string } {
  const positions = options.positions ?? DEFAULT_PATTERN_POSITIONS;
  if (
    !Array.isArray(positions) ||
    positions.length === 0 ||
    positions.length > 30 ||
    positions.some((p) => !Number.isInteger(p) || p < 0) ||
    new Set(positions).size !== positions.length
  ) {
    throw fail('INVALID_ARGUMENT', fn, 'options.positions', '1 to 30 distinct non-negative integer positions', JSON.stringify(positions));
  }
  const mark = options.mark ?? '0';
  if (typeof mark !== 'string' || Array.from(mark).length !== 1)
    throw fail('INVALID_ARGUMENT', fn, 'options.mark', 'one character', JSON.stringify(mark));
  return { positions, mark };
}

const capacity = (positions: readonly number[]) => ({ max: 2 ** positions.length, why: `${String(positions.length)} bit positions` });

/**
 * Pattern characters: bit k of the label sets the character at position k to '0' when 1, and
 * leaves it unchanged when 0 (default positions 50, 150, 200 — the paper's).
 *
 * Family: low-dimensional; information: **partial** by design — a text that already has '0' at a
 * position reads as bit 1 there, and nothing marks a 0 bit. Texts shorter than the last position
 * + 1 are padded with spaces to that length (or rejected, with `shortTexts: 'error'`). More
 * classes than 2^positions is a TOO_MANY_CLASSES error.
 *
 * @example
 * ```ts
 * import { injectPatternChar } from 'blindspots';
 * const [t] = injectPatternChar(['x'.repeat(300)], [5]); // '0' at positions 50 and 200
 * ```
 */
export function injectPatternChar(texts: Texts, labels: LabelsInput, options: PatternCharOptions = {}): string[] {
  const fn = 'injectPatternChar';
  const { positions, mark } = config(fn, options);
  const need = Math.max(...positions) + 1;
  const shortTexts = options.shortTexts ?? 'pad';
  if (shortTexts !== 'pad' && shortTexts !== 'error')
    throw fail('INVALID_ARGUMENT', fn, 'options.shortTexts', "'pad' or 'error'", String(shortTexts));
  return encodeTexts(fn, texts, labels, options, capacity(positions), (t, ctx) =>
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
 * recoverPatternChar(injectPatternChar(['x'.repeat(300)], [5])); // Int32Array [5]
 * ```
 */
export function recoverPatternChar(encoded: Texts, options: PatternCharOptions = {}): Int32Array {
  const fn = 'recoverPatternChar';
  const { positions, mark } = config(fn, options);
  const { texts, numClasses } = decodeTexts(fn, encoded, options, capacity(positions));
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
