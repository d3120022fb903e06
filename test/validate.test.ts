import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { BlindspotsError, fail, NotFittedError } from '../src/errors.js';
import { copyFinite, readImages } from '../src/images.js';
import { checkFinite, checkInteger, checkLabels, checkNumber, firstNonFinite, resolveNumClasses } from '../src/validate.js';
import { caught } from './conformance/typedError.js';

describe('errors', () => {
  it('carry a code, the function, the argument and the expectation in data and message', () => {
    const e = fail('INVALID_ARGUMENT', 'injectX', 'options.scale', 'a finite number > 0', '-1');
    expect(e.code).toBe('INVALID_ARGUMENT');
    expect(e.details).toEqual({ fn: 'injectX', arg: 'options.scale', expected: 'a finite number > 0', received: '-1' });
    expect(e.message).toBe("injectX: argument 'options.scale': expected a finite number > 0, got -1");
    expect(new NotFittedError('m.predict')).toBeInstanceOf(BlindspotsError);
  });
});

describe('validation helpers', () => {
  it('labels: integral, in range, right count; copied into an Int32Array', () => {
    const src = [0, 2, 1];
    const y = checkLabels('f', src, { length: 3, numClasses: 3 });
    expect(y).toEqual(Int32Array.of(0, 2, 1));
    expect(caught(() => checkLabels('f', [0, 3], { numClasses: 3 })).message).toMatch(/labels in \[0, 3\), got 3 at index 1/);
    expect(caught(() => checkLabels('f', [0, 1.5])).code).toBe('NON_INTEGER_LABEL');
    expect(caught(() => checkLabels('f', [0, Number.NaN])).code).toBe('NON_INTEGER_LABEL');
    expect(caught(() => checkLabels('f', [0], { length: 2 })).code).toBe('LENGTH_MISMATCH');
    expect(caught(() => checkLabels('f', [])).code).toBe('EMPTY_INPUT');
    expect(caught(() => checkLabels('f', 'abc' as unknown as number[])).code).toBe('INVALID_ARGUMENT');
  });
  it('numClasses defaults to max label + 1 and must cover the labels', () => {
    expect(resolveNumClasses('f', undefined, Int32Array.of(0, 4))).toBe(5);
    expect(resolveNumClasses('f', 10, Int32Array.of(0, 4))).toBe(10);
    expect(caught(() => resolveNumClasses('f', 3, Int32Array.of(0, 4))).code).toBe('LABEL_OUT_OF_RANGE');
    expect(caught(() => resolveNumClasses('f', 2.5, Int32Array.of(0))).details.arg).toBe('options.numClasses');
  });
  it('numbers and integers', () => {
    expect(caught(() => checkNumber('f', 'a', Number.NaN, { positive: true })).message).toMatch(/finite number > 0, got NaN/);
    expect(caught(() => checkNumber('f', 'a', 0, { positive: true })).code).toBe('INVALID_ARGUMENT');
    expect(caught(() => checkInteger('f', 'a', 5, 0, 4)).message).toMatch(/integer in \[0, 4\]/);
    expect(checkNumber('f', 'a', 2, { min: 0, max: 3 })).toBe(2);
  });
  it('finds the first non-finite value at any position, including block tails', () => {
    for (const len of [1, 15, 16, 17, 33, 100]) {
      for (const pos of [0, len - 1, Math.floor(len / 2)]) {
        for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
          const a = new Float32Array(len).fill(0.5);
          a[pos] = bad;
          expect(firstNonFinite(a)).toBe(pos);
        }
      }
      expect(firstNonFinite(new Float32Array(len).fill(3.4e38))).toBe(-1);
    }
    expect(caught(() => checkFinite('f', 'x', [1, Number.NaN])).message).toMatch(/at flat index 1/);
  });
  it('copyFinite copies exactly and rejects NaN in any chunk', () => {
    const a = new Float32Array(40000).map((_, i) => i / 7);
    expect(copyFinite('f', 'x', a)).toEqual(a);
    a[39999] = Number.NaN;
    expect(caught(() => copyFinite('f', 'x', a)).message).toMatch(/flat index 39999/);
  });
  it('readImages rejects disposed tensors, bad shapes and dtypes', () => {
    const t = tf.zeros([1, 2, 2, 1]);
    t.dispose();
    expect(caught(() => readImages('f', t as tf.Tensor4D)).message).toMatch(/disposed/);
    expect(caught(() => readImages('f', { data: new Float32Array(4), shape: [1, 2, 2] } as never)).code).toBe('INVALID_SHAPE');
    expect(caught(() => readImages('f', { data: new Float64Array(4), shape: [1, 2, 2, 1] } as never)).code).toBe('INVALID_DTYPE');
    expect(caught(() => readImages('f', { data: new Float32Array(0), shape: [1, 0, 2, 1] })).code).toBe('INVALID_SHAPE');
    expect(caught(() => readImages('f', 42 as never)).code).toBe('INVALID_ARGUMENT');
  });
});
