import { expect } from 'vitest';
import { BlindspotsError, type ErrorCode } from '../../../src/errors.js';

/** Expects `actual` within `rel` of `expected`, relative (exact equality for 0). */
export function expectClose(actual: number, expected: number, rel: number): void {
  if (expected === 0) {
    expect(actual).toBe(0);
    return;
  }
  expect(Number.isFinite(actual)).toBe(true);
  expect(Math.abs(actual - expected) / Math.abs(expected)).toBeLessThanOrEqual(rel);
}

/** Expects `call` to throw a BlindspotsError with this code, naming `fn` and `arg`. */
export function expectError(call: () => unknown, code: ErrorCode, fn: string, arg?: string): BlindspotsError {
  let thrown: unknown;
  try {
    call();
  } catch (e) {
    thrown = e;
  }
  expect(thrown).toBeInstanceOf(BlindspotsError);
  const e = thrown as BlindspotsError;
  expect({ code: e.code, fn: e.details.fn, arg: e.details.arg }).toEqual({ code, fn, arg });
  return e;
}
