import seedrandom from 'seedrandom';
import { fail } from './errors.js';
import { describe } from './validate.js';

/** A seed: any number or string. The same seed always gives the same stream. */
export type Seed = number | string;

/** The seed every function uses when none is given. */
export const DEFAULT_SEED = 0;

/**
 * A seeded source of uniform numbers in [0, 1), the only kind of randomness the library uses.
 * Functions that draw take a `Random` (injectable, as in d3's `shuffler(random)`) or a seed.
 */
export type Random = () => number;

/**
 * A seeded generator (seedrandom's Alea): same seed, same stream, on every platform.
 *
 * @example
 * ```ts
 * import { createRandom } from 'blindspots';
 * const random = createRandom(42);
 * const u = random(); // a number in [0, 1), the same for every run with seed 42
 * u === createRandom(42)(); //=> true
 * ```
 */
export function createRandom(seed: Seed = DEFAULT_SEED): Random {
  const prng = seedrandom.alea(String(seed));
  return () => prng();
}

/**
 * Checks a seed at a public boundary and returns it (`fallback`, default {@link DEFAULT_SEED},
 * when undefined). Seeds are finite numbers or strings: anything else (NaN, an object) would
 * stringify to a stream shared with other bad seeds.
 *
 * @example
 * ```ts
 * import { checkSeed } from './random.js'; // internal
 * checkSeed('DecisionTree', 'options.seed', 3); //=> 3
 * checkSeed('DecisionTree', 'options.seed', Number.NaN); //=> throws INVALID_ARGUMENT
 * ```
 */
export function checkSeed(fn: string, arg: string, seed: unknown, fallback: Seed = DEFAULT_SEED): Seed {
  if (seed === undefined) return fallback;
  if ((typeof seed === 'number' && Number.isFinite(seed)) || typeof seed === 'string') return seed;
  throw fail('INVALID_ARGUMENT', fn, arg, 'a finite number or a string', describe(seed));
}

/**
 * The one way the library derives seeds: an independent stream from `seed` and tags, so that two
 * uses of one seed (class vectors and per-sample positions; a model's batches and its dropout) do
 * not share draws. `seedInt` turns a derived seed into the integer that tfjs's random ops take.
 *
 * @example
 * ```ts
 * import { deriveSeed, createRandom } from 'blindspots';
 * const positions = createRandom(deriveSeed(7, 'positions'));
 * const perTree = createRandom(deriveSeed(7, 'tree', 12));
 * deriveSeed(7, 'tree', 12); //=> '7/tree/12'
 * ```
 */
export function deriveSeed(seed: Seed, ...tags: readonly (string | number)[]): string {
  return [String(seed), ...tags.map(String)].join('/');
}

/**
 * A seed as a non-negative 31-bit integer (FNV-1a over its string form), for APIs that take
 * numbers (tfjs's `randomNormal`, `dropout`).
 *
 * @example
 * ```ts
 * import { deriveSeed, seedInt } from 'blindspots';
 * const n = seedInt(deriveSeed(1, 'init', 0)); // the same integer in every run
 * Number.isInteger(n); //=> true
 * ```
 */
export function seedInt(seed: Seed): number {
  const s = String(seed);
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) & 0x7fffffff;
}

/**
 * An integer drawn uniformly from [0, n).
 *
 * @example
 * ```ts
 * import { createRandom, randomInt } from 'blindspots';
 * const roll = randomInt(createRandom(1), 6); // 0..5
 * roll >= 0 && roll <= 5; //=> true
 * ```
 */
export function randomInt(random: Random, n: number): number {
  return Math.floor(random() * n);
}

/**
 * A standard normal draw (Box–Muller, using both uniforms of a pair for one value so that the
 * stream position does not depend on caching).
 *
 * @example
 * ```ts
 * import { createRandom, randomNormal } from 'blindspots';
 * const z = randomNormal(createRandom(3)); // ~N(0, 1)
 * ```
 */
export function randomNormal(random: Random): number {
  // 1 - u keeps the argument of log in (0, 1].
  const u = 1 - random();
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/**
 * Returns a function that shuffles an array in place (Fisher–Yates) with the given generator,
 * as d3-array's `shuffler`.
 *
 * @example
 * ```ts
 * import { createRandom, shuffler } from 'blindspots';
 * const shuffle = shuffler(createRandom(5));
 * const order = shuffle([1, 2, 3, 4]); // the same order for every run with seed 5
 * [...order].sort(); //=> [1, 2, 3, 4]
 * ```
 */
export function shuffler(
  random: Random,
): <T extends { [i: number]: unknown; length: number }>(array: T, start?: number, end?: number) => T {
  return (array, start = 0, end = array.length) => {
    for (let m = end - start; m > 1;) {
      const i = start + Math.floor(random() * m--);
      const j = start + m;
      const t = array[j];
      array[j] = array[i];
      array[i] = t;
    }
    return array;
  };
}

/**
 * A seeded permutation of 0..n-1.
 *
 * @example
 * ```ts
 * import { permutation } from 'blindspots';
 * const p = permutation(5, 42); // an Int32Array of 0..4, the same order for every run with seed 42
 * [...p].sort(); //=> [0, 1, 2, 3, 4]
 * ```
 */
export function permutation(n: number, seed: Seed = DEFAULT_SEED): Int32Array {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  return shuffler(createRandom(seed))(p);
}
