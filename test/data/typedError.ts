import { expect } from 'vitest';
import { BlindspotsError, type ErrorCode } from '../../src/errors.js';

/**
 * The BlindspotsError `call` throws, after checking its code, the public function it names and
 * the argument (issue #13: every bad input is a typed error naming what the user called).
 */
export function typedError(call: () => unknown, code: ErrorCode, fn: string, arg: string): BlindspotsError {
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
