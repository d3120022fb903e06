import { describe, expect, it } from 'vitest';
import { aggregateSeeds, type PairedTestResult, type Verdict } from '../../../src/study/index.js';
import { expectError } from './helpers.js';

/** A paired test as aggregateSeeds reads it (the other fields are not used). */
function result(accuracy: number, shuffledAccuracy: number, verdict: Verdict): PairedTestResult {
  const interval = { lower: 0, upper: 1 };
  return {
    n: 100,
    accuracy,
    accuracyInterval: interval,
    shuffledAccuracy,
    shuffledInterval: interval,
    drop: accuracy - shuffledAccuracy,
    mcnemar: { b: 0, c: 0, n: 0, pValue: 1 },
    verdict,
  };
}

describe('aggregateSeeds', () => {
  it('means, the spread of the drop, the verdict counts, and the summary of the strongest verdict', () => {
    const all = aggregateSeeds([result(0.9, 0.5, 'reads'), result(0.8, 0.7, 'reads'), result(0.7, 0.7, 'ignores')]);
    expect(all.n).toBe(3);
    expect(all.meanAccuracy).toBeCloseTo(0.8, 12);
    expect(all.meanShuffledAccuracy).toBeCloseTo(0.6333333333333333, 12);
    expect(all.meanDrop).toBeCloseTo(0.5 / 3, 12);
    expect(all.spreadDrop.min).toBe(0);
    expect(all.spreadDrop.max).toBeCloseTo(0.4, 12);
    expect(all.verdicts).toEqual({ reads: 2, trace: 0, ignores: 1 });
    expect(all.summary).toBe('reads in 2 of 3 seeds');
  });

  it('says trace when no seed reads, ignores when none shows a trace', () => {
    expect(aggregateSeeds([result(0.9, 0.89, 'trace'), result(0.9, 0.9, 'ignores')]).summary).toBe('trace in 1 of 2 seeds');
    expect(aggregateSeeds([result(0.9, 0.9, 'ignores')]).summary).toBe('ignores in 1 of 1 seeds');
    expect(aggregateSeeds([result(0.9, 0.5, 'reads'), result(0.9, 0.89, 'trace')]).summary).toBe('reads in 1 of 2 seeds');
  });

  it('rejects no tests and things that are not paired tests', () => {
    expectError(() => aggregateSeeds([]), 'EMPTY_INPUT', 'aggregateSeeds', 'tests');
    expectError(() => aggregateSeeds(null as unknown as PairedTestResult[]), 'INVALID_ARGUMENT', 'aggregateSeeds', 'tests');
    const bad = { ...result(0.9, 0.5, 'reads'), verdict: 'maybe' } as unknown as PairedTestResult;
    expectError(() => aggregateSeeds([result(0.9, 0.5, 'reads'), bad]), 'INVALID_ARGUMENT', 'aggregateSeeds', 'tests[1]');
    const nan = { ...result(0.9, 0.5, 'reads'), accuracy: Number.NaN };
    expectError(() => aggregateSeeds([nan]), 'INVALID_ARGUMENT', 'aggregateSeeds', 'tests[0]');
  });
});
