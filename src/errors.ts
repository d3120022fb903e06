/**
 * Every error code the library throws. Codes are stable: match on `error.code`, not on the
 * message text.
 */
export type ErrorCode =
  | 'INVALID_ARGUMENT'
  | 'INVALID_SHAPE'
  | 'INVALID_DTYPE'
  | 'EMPTY_INPUT'
  | 'NON_FINITE'
  | 'NON_INTEGER_LABEL'
  | 'LABEL_OUT_OF_RANGE'
  | 'LENGTH_MISMATCH'
  | 'TOO_MANY_CLASSES'
  | 'UNKNOWN_NAME'
  | 'UNKNOWN_OPTION'
  | 'NOT_FITTED'
  | 'MISSING_DEPENDENCY'
  | 'DATA_FORMAT'
  | 'NO_BACKEND'
  | 'NODE_ONLY'
  | 'LOCKED'
  | 'QUEUE_UNAVAILABLE'
  | 'DATA_MISMATCH';

/** Structured facts about an error, so callers can react without parsing the message. */
export interface ErrorDetails {
  /** The public function (or method) that rejected the call, e.g. `injectOnePixel`. */
  readonly fn: string;
  /** The argument at fault, e.g. `labels` or `options.scale`. */
  readonly arg?: string;
  /** What was expected, in words, e.g. `integers in [0, 10)`. */
  readonly expected?: string;
  /** What was received, in words, e.g. `12 at index 3`. */
  readonly received?: string;
}

/**
 * The one error class of the library: errors are data with a `code`, the function, the argument
 * and what was expected.
 *
 * @example
 * ```ts
 * import { injectOnePixel, BlindspotsError } from 'blindspots';
 * try {
 *   injectOnePixel({ data: new Float32Array(4), shape: [1, 2, 2, 1] }, [12], { numClasses: 10 });
 * } catch (e) {
 *   if (e instanceof BlindspotsError && e.code === 'LABEL_OUT_OF_RANGE') console.log(e.details.arg); //=> labels
 * }
 * ```
 */
export class BlindspotsError extends Error {
  /** Stable machine-readable code. */
  readonly code: ErrorCode;
  /** Function, argument, expectation and received value. */
  readonly details: ErrorDetails;

  constructor(code: ErrorCode, details: ErrorDetails, message?: string) {
    super(message ?? formatMessage(details));
    this.name = 'BlindspotsError';
    this.code = code;
    this.details = details;
  }
}

/**
 * Thrown by `predict` (and friends) on a model that has not been fitted.
 *
 * @example
 * ```ts
 * import { NotFittedError } from 'blindspots';
 * const e = new NotFittedError('DecisionTree.predict');
 * e.code; //=> 'NOT_FITTED'
 * ```
 */
export class NotFittedError extends BlindspotsError {
  constructor(fn: string) {
    super('NOT_FITTED', { fn }, `${fn}: the model is not fitted; call fit() first`);
    this.name = 'NotFittedError';
  }
}

function formatMessage(d: ErrorDetails): string {
  let msg = d.fn;
  if (d.arg !== undefined) msg += `: argument '${d.arg}'`;
  if (d.expected !== undefined) msg += `: expected ${d.expected}`;
  if (d.received !== undefined) msg += `, got ${d.received}`;
  return msg;
}

/**
 * Shorthand used at public boundaries: build a {@link BlindspotsError}.
 *
 * @example
 * ```ts
 * import { fail } from './errors.js'; // internal
 * const e = fail('INVALID_ARGUMENT', 'injectOnePixel', 'options.scale', 'a finite number > 0', 'NaN');
 * console.log(e.message); //=> injectOnePixel: argument 'options.scale': expected a finite number > 0, got NaN
 * ```
 */
export function fail(
  code: ErrorCode,
  fn: string,
  arg: string | undefined,
  expected: string | undefined,
  received?: string,
): BlindspotsError {
  const details: { -readonly [K in keyof ErrorDetails]: ErrorDetails[K] } = { fn };
  if (arg !== undefined) details.arg = arg;
  if (expected !== undefined) details.expected = expected;
  if (received !== undefined) details.received = received;
  return new BlindspotsError(code, details);
}

/**
 * Runs `body`, and names `fn` — the public function the user called — in any BlindspotsError
 * raised inside it by a helper (a decoder called by `recoverability`, a constructor called by a
 * registry's `create`), keeping the code, argument and expectation.
 *
 * @example
 * ```ts
 * import { calledAs, fail } from './errors.js'; // internal
 * const decode = (): never => {
 *   throw fail('INVALID_SHAPE', 'recoverOnePixel', 'encoded', 'a rank-4 batch', 'rank 3');
 * };
 * calledAs('recoverability', decode); //=> throws INVALID_SHAPE recoverability: argument 'encoded'
 * ```
 */
export function calledAs<T>(fn: string, body: () => T): T {
  try {
    return body();
  } catch (e) {
    if (!(e instanceof BlindspotsError) || e.details.fn === fn) throw e;
    const details = { ...e.details, fn };
    throw Object.setPrototypeOf(new BlindspotsError(e.code, details), Object.getPrototypeOf(e) as object) as BlindspotsError;
  }
}
