import { createHash } from 'node:crypto';
import { isPlainObject } from '../../options.js';

/**
 * JSON with object keys sorted at every level: the same value always gives the same text, so its
 * hash can be a key.
 *
 * @example
 * ```ts
 * import { canonicalJson } from 'blindspots/study';
 * canonicalJson({ b: 1, a: [2, { d: 3, c: 4 }] }); //=> '{"a":[2,{"c":4,"d":3}],"b":1}'
 * ```
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    isPlainObject(v)
      ? Object.fromEntries(
          Object.keys(v)
            .sort()
            .map((k) => [k, v[k]]),
        )
      : v,
  );
}

/**
 * The key of a description: the first 32 hex digits of the SHA-256 of its canonical JSON.
 *
 * @example
 * ```ts
 * import { hashKey } from 'blindspots/study';
 * hashKey({ a: 1, b: 2 }) === hashKey({ b: 2, a: 1 }); //=> true
 * ```
 */
export function hashKey(description: unknown): string {
  return createHash('sha256').update(canonicalJson(description)).digest('hex').slice(0, 32);
}
