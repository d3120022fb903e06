import { fail } from '../../errors.js';
import { describe } from '../../validate.js';

/** Rejects a non-array, an empty batch and non-string entries, naming the function and `x`. */
export function checkEmptyTexts(fn: string, x: unknown): void {
  if (!Array.isArray(x)) throw fail('INVALID_ARGUMENT', fn, 'x', 'an array of strings', describe(x));
  if (x.length === 0) throw fail('EMPTY_INPUT', fn, 'x', 'at least one text', 'an empty array');
  const bad = x.findIndex((t) => typeof t !== 'string');
  if (bad >= 0) throw fail('INVALID_ARGUMENT', fn, 'x', 'strings', `${describe(x[bad])} at index ${String(bad)}`);
}
