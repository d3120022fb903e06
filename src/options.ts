import { fail } from './errors.js';
import { describe } from './validate.js';

/**
 * The option names a public function declares, as a typed list. Built with {@link optionNames}, so
 * an interface field without a name in the list (or a name without a field) is a compile error.
 */
export type OptionNames<T> = readonly (keyof T & string)[];

/**
 * Declares the option names of an options interface. The list must name every field of `T`
 * exactly: a missing name is a type error naming it, so a new option cannot be forgotten by the
 * check at the function's boundary.
 *
 * @example
 * ```ts
 * import { optionNames } from './options.js'; // internal
 * interface BlurOptions {
 *   radius?: number;
 *   seed?: number;
 * }
 * const BLUR_OPTIONS = optionNames<BlurOptions>()('radius', 'seed'); // ('radius') alone would not compile
 * BLUR_OPTIONS; //=> ['radius', 'seed']
 * ```
 */
export function optionNames<T>(): <const K extends readonly (keyof T & string)[]>(
  ...names: K & ([Exclude<keyof T & string, K[number]>] extends [never] ? unknown : { missing: Exclude<keyof T & string, K[number]> })
) => OptionNames<T> {
  return (...names) => names;
}

/**
 * Checks an options argument at a public boundary and returns it: `undefined` is `{}`; anything
 * but a plain object (null, an array, a string, a tensor) is INVALID_ARGUMENT; a key the function
 * does not declare is UNKNOWN_OPTION naming the function, the key, the valid names and the closest
 * one (`sede` → `seed`). Keys whose value is `undefined` count as absent; `null` is refused
 * except for the options listed in `nullable` (where it means something, such as an unlimited
 * `maxDepth`, so that a model's `params` can be given back as options).
 *
 * @example
 * ```ts
 * import { checkOptions } from './options.js'; // internal
 * const o = checkOptions('blur', { radius: 2 }, ['radius', 'seed']); //=> { radius: 2 }
 * checkOptions('blur', { sede: 1 }, ['radius', 'seed']); //=> throws UNKNOWN_OPTION did you mean 'seed'?
 * ```
 */
export function checkOptions<T extends object>(
  fn: string,
  options: T | undefined,
  known: readonly string[],
  arg = 'options',
  nullable: readonly string[] = [],
): T {
  if (options === undefined) return {} as T;
  if (!isPlainObject(options)) throw fail('INVALID_ARGUMENT', fn, arg, 'an options object', describe(options));
  for (const key of Object.keys(options)) {
    const value = (options as Record<string, unknown>)[key];
    if (!known.includes(key)) {
      if (value === undefined) continue;
      throw unknownOption(fn, arg, key, known);
    }
    // A JSON null would otherwise fall through `?? default` and run the default unnoticed.
    if (value === null && !nullable.includes(key)) {
      throw fail('INVALID_ARGUMENT', fn, `${arg}.${key}`, 'a value (omit the option for its default)', 'null');
    }
  }
  return options;
}

/**
 * The UNKNOWN_OPTION error for `key` at `arg`: lists the valid names and suggests the closest.
 *
 * @example
 * ```ts
 * import { unknownOption } from './options.js'; // internal
 * console.log(unknownOption('runStudy', 'config', 'result', ['results', 'seeds']).message);
 * //=> runStudy: argument 'config.result': expected one of results, seeds (did you mean 'results'?), got "result"
 * ```
 */
export function unknownOption(fn: string, arg: string, key: string, known: readonly string[]) {
  const suggestion = closest(key, known);
  const expected = known.length === 0 ? 'no options' : `one of ${known.join(', ')}`;
  return fail(
    'UNKNOWN_OPTION',
    fn,
    `${arg}.${key}`,
    suggestion === undefined ? expected : `${expected} (did you mean '${suggestion}'?)`,
    JSON.stringify(key),
  );
}

/**
 * Checks that `value` is a boolean (a JSON `"false"` or a `0` would otherwise read as true or
 * false by accident) and returns it, or `fallback` when undefined.
 *
 * @example
 * ```ts
 * import { checkBoolean } from './options.js'; // internal
 * checkBoolean('RandomForest', 'options.bootstrap', undefined, true); //=> true
 * checkBoolean('RandomForest', 'options.bootstrap', 'no', true); //=> throws INVALID_ARGUMENT
 * ```
 */
export function checkBoolean(fn: string, arg: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw fail('INVALID_ARGUMENT', fn, arg, 'true or false', describe(value));
  return value;
}

/**
 * Checks that `value` is one of `choices` (compared with ===) and returns it, or `fallback`.
 *
 * @example
 * ```ts
 * import { checkChoice } from './options.js'; // internal
 * checkChoice('charCodes', 'options.order', 'forward', ['forward', 'backward'] as const, 'backward'); //=> 'forward'
 * ```
 */
export function checkChoice<const C extends readonly (string | number)[]>(
  fn: string,
  arg: string,
  value: unknown,
  choices: C,
  fallback: C[number],
): C[number] {
  if (value === undefined) return fallback;
  if (!choices.includes(value as C[number])) {
    throw fail('INVALID_ARGUMENT', fn, arg, `one of ${choices.map((c) => JSON.stringify(c)).join(', ')}`, describe(value));
  }
  return value as C[number];
}

/** A plain object: `{}`-created or `Object.create(null)`, not an array, a typed array or a class instance. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** The known name nearest to `key` (case-insensitive edit distance at most a third of its length, min 2), if any. */
function closest(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(key.length / 3)) + 1;
  for (const name of known) {
    const d = editDistance(key.toLowerCase(), name.toLowerCase());
    if (d < bestDistance) {
      best = name;
      bestDistance = d;
    }
  }
  return best;
}

/** Damerau–Levenshtein distance (adjacent transpositions count 1): `sede`/`seed` is 1. */
function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d = new Int32Array(rows * cols);
  for (let i = 0; i < rows; i++) d[i * cols] = i;
  for (let j = 0; j < cols; j++) d[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(
        (d[(i - 1) * cols + j] as number) + 1,
        (d[i * cols + j - 1] as number) + 1,
        (d[(i - 1) * cols + j - 1] as number) + cost,
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, (d[(i - 2) * cols + j - 2] as number) + 1);
      d[i * cols + j] = v;
    }
  }
  return d[rows * cols - 1] as number;
}
