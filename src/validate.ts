import { fail } from './errors.js';
import type { LabelsInput } from './types.js';

/**
 * Checks that `value` is a finite number (optionally > 0 or >= 0) and returns it.
 *
 * @example
 * ```ts
 * import { checkNumber } from './validate.js'; // internal
 * checkNumber('injectOnePixel', 'options.scale', 1e-3, { positive: true }); //=> 0.001
 * checkNumber('injectOnePixel', 'options.scale', 0, { positive: true }); //=> throws INVALID_ARGUMENT
 * ```
 */
export function checkNumber(
  fn: string,
  arg: string,
  value: unknown,
  constraint: { positive?: boolean; min?: number; max?: number } = {},
): number {
  const { positive = false, min = -Infinity, max = Infinity } = constraint;
  const expected = positive ? 'a finite number > 0' : `a finite number in [${String(min)}, ${String(max)}]`;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw fail('INVALID_ARGUMENT', fn, arg, expected, describe(value));
  }
  if ((positive && value <= 0) || value < min || value > max) {
    throw fail('INVALID_ARGUMENT', fn, arg, expected, String(value));
  }
  return value;
}

/**
 * Checks that `value` is an integer in [min, max] and returns it.
 *
 * @example
 * ```ts
 * import { checkInteger } from './validate.js'; // internal
 * checkInteger('injectOnePixel', 'options.position[0]', 3, 0, 27); //=> 3
 * checkInteger('injectOnePixel', 'options.position[0]', 28, 0, 27); //=> throws INVALID_ARGUMENT
 * ```
 */
export function checkInteger(fn: string, arg: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw fail('INVALID_ARGUMENT', fn, arg, `an integer in [${String(min)}, ${String(max)}]`, describe(value));
  }
  return value;
}

/** The largest label the library takes: labels live in Int32Arrays. */
export const MAX_LABEL = 2 ** 31 - 1;

/**
 * Validates labels and copies them into an Int32Array: integral, non-negative, `length` of them
 * when given, and below `numClasses` when given.
 *
 * @example
 * ```ts
 * import { checkLabels } from './validate.js'; // internal
 * checkLabels('injectOnePixel', [0, 1, 2], { length: 3, numClasses: 10 }); //=> Int32Array [0, 1, 2]
 * checkLabels('injectOnePixel', [0, 1, 12], { length: 3, numClasses: 10 }); //=> throws LABEL_OUT_OF_RANGE
 * ```
 */
export function checkLabels(
  fn: string,
  labels: LabelsInput,
  constraint: { length?: number; numClasses?: number; arg?: string } = {},
): Int32Array {
  const arg = constraint.arg ?? 'labels';
  if (labels === null || typeof labels !== 'object' || typeof labels.length !== 'number') {
    throw fail('INVALID_ARGUMENT', fn, arg, 'an Int32Array or an array of integers', describe(labels));
  }
  const n = labels.length;
  if (constraint.length !== undefined && n !== constraint.length) {
    throw fail('LENGTH_MISMATCH', fn, arg, `${String(constraint.length)} labels (one per sample)`, `${String(n)}`);
  }
  if (n === 0) throw fail('EMPTY_INPUT', fn, arg, 'at least one label', 'none');
  const out = new Int32Array(n);
  const k = constraint.numClasses;
  for (let i = 0; i < n; i++) {
    const v = labels[i] as number;
    if (typeof v !== 'number' || !Number.isInteger(v)) {
      throw fail('NON_INTEGER_LABEL', fn, arg, 'integer class labels', `${describe(v)} at index ${String(i)}`);
    }
    if (v < 0 || v > MAX_LABEL || (k !== undefined && v >= k)) {
      // Int32Array would wrap 2^31 and above (2^32 becomes class 0).
      const range = `labels in [0, ${String(k ?? MAX_LABEL + 1)})`;
      throw fail('LABEL_OUT_OF_RANGE', fn, arg, range, `${String(v)} at index ${String(i)}`);
    }
    out[i] = v;
  }
  return out;
}

/**
 * The number of classes: `numClasses` when given (checked against the labels), otherwise the
 * largest label + 1.
 *
 * @example
 * ```ts
 * import { resolveNumClasses } from './validate.js'; // internal
 * resolveNumClasses('injectOnePixel', undefined, Int32Array.of(0, 3)); //=> 4
 * ```
 */
export function resolveNumClasses(fn: string, numClasses: number | undefined, labels: Int32Array): number {
  let max = 0;
  for (let i = 0; i < labels.length; i++) if ((labels[i] as number) > max) max = labels[i] as number;
  if (numClasses === undefined) return max + 1;
  const k = checkInteger(fn, 'options.numClasses', numClasses, 1, 2 ** 31 - 1);
  if (max >= k) {
    throw fail('LABEL_OUT_OF_RANGE', fn, 'labels', `labels in [0, ${String(k)}) (options.numClasses = ${String(k)})`, `${String(max)}`);
  }
  return k;
}

/**
 * Throws a NON_FINITE error naming the first NaN or infinite element.
 *
 * @example
 * ```ts
 * import { checkFinite } from './validate.js'; // internal
 * checkFinite('injectMeanShift', 'images', new Float32Array([0, NaN])); //=> throws NON_FINITE index 1
 * ```
 */
export function checkFinite(fn: string, arg: string, data: ArrayLike<number>): void {
  const i = firstNonFinite(data);
  if (i >= 0) throw fail('NON_FINITE', fn, arg, 'finite values', `${String(data[i])} at flat index ${String(i)}`);
}

/**
 * Index of the first NaN or ±Infinity in `data[start, end)`, or -1.
 *
 * Sums blocks of 16 values: a sum of finite float32 values cannot overflow a float64, so a block
 * sum is non-finite exactly when the block holds a NaN or an infinity; only then is the block
 * scanned value by value: faster than testing each value (docs/performance.md).
 */
export function firstNonFinite(d: ArrayLike<number>, start = 0, end = d.length): number {
  let i = start;
  for (; i + 15 < end; i += 16) {
    const s =
      (d[i] as number) +
      (d[i + 1] as number) +
      ((d[i + 2] as number) + (d[i + 3] as number)) +
      ((d[i + 4] as number) + (d[i + 5] as number)) +
      ((d[i + 6] as number) + (d[i + 7] as number)) +
      ((d[i + 8] as number) + (d[i + 9] as number)) +
      ((d[i + 10] as number) + (d[i + 11] as number)) +
      ((d[i + 12] as number) + (d[i + 13] as number)) +
      ((d[i + 14] as number) + (d[i + 15] as number));
    if (s - s !== 0) break;
  }
  for (; i < end; i++) {
    const v = d[i] as number;
    // v - v is NaN for NaN and ±Infinity, 0 otherwise.
    if (v - v !== 0) return i;
  }
  return -1;
}
/** A short description of a value for error messages. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of length ${String(value.length)}`;
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name}`;
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'symbol') return value.toString();
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint' || value === undefined) return String(value);
  return typeof value;
}
