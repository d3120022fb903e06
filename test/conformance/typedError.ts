import { BlindspotsError, type ErrorCode } from '../../src/errors.js';

/**
 * Throws (with what is wrong) unless `thrown` is a BlindspotsError with `code` that names the
 * function and an argument starting with `arg`. Shared by the conformance harnesses.
 */
export function assertTypedError(thrown: unknown, code: ErrorCode, arg: string, fn?: string): void {
  if (thrown === undefined) throw new Error('no error thrown');
  if (!(thrown instanceof BlindspotsError))
    throw new Error(`threw ${thrown instanceof Error ? `${thrown.name}: ${thrown.message}` : typeof thrown}, not a BlindspotsError`);
  if (thrown.code !== code) throw new Error(`code ${thrown.code}, expected ${code}`);
  if (!thrown.details.fn) throw new Error('the error does not name the function');
  if (fn !== undefined && thrown.details.fn !== fn) throw new Error(`the error names function ${thrown.details.fn}, expected ${fn}`);
  if (!thrown.details.arg?.startsWith(arg)) throw new Error(`the error names argument ${String(thrown.details.arg)}, expected ${arg}`);
}

/** The BlindspotsError `call` throws; any other error is rethrown, and throwing nothing fails. */
export function caught(call: () => unknown): BlindspotsError {
  try {
    call();
  } catch (e) {
    if (e instanceof BlindspotsError) return e;
    throw e;
  }
  throw new Error('nothing thrown');
}

/** What `call` threw, or undefined. */
export function thrownBy(call: () => unknown): unknown {
  try {
    call();
  } catch (e) {
    return e;
  }
  return undefined;
}

/**
 * A check runner for the conformance harnesses: `check(what, body)` runs body and records
 * "name: what: message" in `failures` when it throws.
 */
export function failureCollector(name: string): { failures: string[]; check: (what: string, body: () => void) => void } {
  const failures: string[] = [];
  const check = (what: string, body: () => void): void => {
    try {
      body();
    } catch (e) {
      failures.push(`${name}: ${what}: ${(e as Error).message}`);
    }
  };
  return { failures, check };
}
