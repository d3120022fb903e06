import { fail } from '../errors.js';
import { describe } from '../validate.js';

/**
 * Zhang, Zhao & LeCun (2015)'s alphabet, as listed in the paper: 26 lowercase letters, 10 digits,
 * 33 punctuation entries and the newline — 70 entries. The paper's list holds '-' twice (entries
 * 36 and 60); a '-' is encoded at its first entry, so entry 60 is never set (kept so that the
 * one-hot width is the paper's 70).
 */
export const ZHANG_ALPHABET: readonly string[] = [
  ...'abcdefghijklmnopqrstuvwxyz0123456789',
  ...'-,;.!?:\'"/\\|_@#$%^&*~`+-=<>()[]{}',
  '\n',
];

/** The char-CNN's input length (Zhang et al. 2015): 1014 characters. */
export const ZHANG_INPUT_LENGTH = 1014;

const INDEX = new Map<string, number>();
ZHANG_ALPHABET.forEach((ch, i) => {
  if (!INDEX.has(ch)) INDEX.set(ch, i);
});

/**
 * The alphabet entry of a character (after lowercasing), or -1 for characters outside the
 * alphabet (space, upper case if not lowercased, accented letters, emoji…).
 *
 * @example
 * ```ts
 * import { alphabetIndex } from 'blindspots';
 * alphabetIndex('a'); //=> 0
 * alphabetIndex(' '); //=> -1
 * ```
 */
export function alphabetIndex(ch: string): number {
  // A number would silently read as "outside the alphabet".
  if (typeof ch !== 'string') throw fail('INVALID_ARGUMENT', 'alphabetIndex', 'ch', 'a one-character string', describe(ch));
  return INDEX.get(ch) ?? -1;
}
