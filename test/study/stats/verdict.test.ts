import { describe, expect, it } from 'vitest';
import { READS_MAX_P_VALUE, READS_MIN_DROP, TRACE_MAX_P_VALUE, verdictOf } from '../../../src/study/index.js';
import { expectError } from './helpers.js';

describe('verdictOf', () => {
  it('quotes the rule: reads at >= 5 points and p < 0.001, trace at > 0 points and p < 0.05', () => {
    expect([READS_MIN_DROP, READS_MAX_P_VALUE, TRACE_MAX_P_VALUE]).toEqual([0.05, 0.001, 0.05]);
  });

  it.each([
    [0.05, 0.000999, 'reads'],
    [0.5, 0, 'reads'],
    [0.05, 0.001, 'trace'],
    [0.049, 1e-30, 'trace'],
    [0.0001, 0.0499, 'trace'],
    [0.3, 0.05, 'ignores'],
    [0, 0, 'ignores'],
    [0, 1, 'ignores'],
    [-0.06, 1e-40, 'ignores'],
    [-1, 0, 'ignores'],
    [1, 1, 'ignores'],
  ] as const)('drop %f with p = %f: %s', (drop, pValue, verdict) => {
    expect(verdictOf({ drop, pValue })).toBe(verdict);
  });

  it('rejects drops outside [-1, 1] and p-values outside [0, 1], NaN included', () => {
    expectError(() => verdictOf({ drop: 1.5, pValue: 0.01 }), 'INVALID_ARGUMENT', 'verdictOf', 'drop');
    expectError(() => verdictOf({ drop: Number.NaN, pValue: 0.01 }), 'INVALID_ARGUMENT', 'verdictOf', 'drop');
    expectError(() => verdictOf({ drop: 0.1, pValue: -0.01 }), 'INVALID_ARGUMENT', 'verdictOf', 'pValue');
    expectError(() => verdictOf({ drop: 0.1, pValue: Number.NaN }), 'INVALID_ARGUMENT', 'verdictOf', 'pValue');
    expectError(() => verdictOf(null as unknown as { drop: number; pValue: number }), 'INVALID_ARGUMENT', 'verdictOf', 'test');
  });
});
