import { describe, expect, it } from 'vitest';
import { deriveSeed, permutation } from '../../../src/random.js';
import { packPredictions, pairedTest, recordPairedTest, type PackedPredictions } from '../../../src/study/index.js';
import { expectError } from './helpers.js';

const N = 2000;
const labels = Int32Array.from({ length: N }, (_, i) => (i * 7) % 10);
const SEED = 3;

/** The labels whose signal the shuffled test images carried, drawn as runCell's encodeCell draws them. */
function shuffledLabelsOf(seed: number): Int32Array {
  const perm = permutation(N, deriveSeed(seed, 'shuffle'));
  return Int32Array.from(perm, (i) => labels[i] as number);
}

/** A model that reads the signal and nothing else: it names the label the signal stands for. */
const reader = packPredictions(10, labels, labels, shuffledLabelsOf(SEED));

describe('recordPairedTest', () => {
  it('a model that follows the signal: followsSignal 1, shuffled accuracy the share of images whose shuffled label is their own', () => {
    const pointed = shuffledLabelsOf(SEED);
    const own = pointed.filter((y, i) => y === labels[i]).length;
    const test = recordPairedTest({ signal: 'onePixel', seed: SEED, predictions: reader });
    expect(test).toBeDefined();
    expect(test?.followsSignal).toBe(1);
    expect(test?.accuracy).toBe(1);
    expect(test?.shuffledAccuracy).toBe(own / N);
    expect(own / N).toBeGreaterThan(0.05); // about 1 in 10 with 10 classes
    expect(own / N).toBeLessThan(0.15);
    expect(test?.verdict).toBe('reads');
    expect(test).toEqual(pairedTest(labels, labels, pointed, pointed));
  });

  it('rebuilds the shuffle from the record seed: with another seed the same predictions no longer follow it', () => {
    const test = recordPairedTest({ signal: 'onePixel', seed: SEED + 1, predictions: reader });
    expect(test?.followsSignal).toBeLessThan(0.2);
  });

  it('a model that ignores the signal: its shuffled predictions match the signal label about 1 time in 10', () => {
    const predictions = packPredictions(10, labels, labels, labels);
    const test = recordPairedTest({ signal: 'onePixel', seed: SEED, predictions });
    expect([test?.drop, test?.verdict]).toEqual([0, 'ignores']);
    expect(test?.followsSignal).toBeLessThan(0.15);
  });

  it('reads full records: the fields beyond predictions, signal and seed are left alone', () => {
    const record = { schema: 2, signal: 'onePixel', seed: SEED, accuracy: 1, shuffledAccuracy: 0.1, predictions: reader };
    expect(recordPairedTest(record)?.followsSignal).toBe(1);
  });

  it('is undefined without predictions, for clean cells, and without shuffled predictions', () => {
    expect(recordPairedTest({ signal: 'onePixel', seed: SEED })).toBeUndefined();
    expect(recordPairedTest({ signal: 'clean', seed: SEED, predictions: packPredictions(10, labels, labels, undefined) })).toBeUndefined();
    expect(recordPairedTest({ signal: 'onePixel', seed: SEED, predictions: { ...reader, shuffled: null } })).toBeUndefined();
  });

  it('names itself in the errors of bad records', () => {
    const torn: PackedPredictions = { ...reader, signal: reader.signal.slice(0, 8) };
    expectError(
      () => recordPairedTest({ signal: 'onePixel', seed: SEED, predictions: torn }),
      'DATA_FORMAT',
      'recordPairedTest',
      'predictions.signal',
    );
    expectError(
      () => recordPairedTest({ signal: 'onePixel', seed: Number.NaN, predictions: reader }),
      'DATA_FORMAT',
      'recordPairedTest',
      'record.seed',
    );
    const empty = packPredictions(10, new Int32Array(0), new Int32Array(0), new Int32Array(0));
    expectError(
      () => recordPairedTest({ signal: 'onePixel', seed: SEED, predictions: empty }),
      'EMPTY_INPUT',
      'recordPairedTest',
      'labels',
    );
    expectError(
      () => recordPairedTest(null as unknown as { signal: string; seed: number }),
      'INVALID_ARGUMENT',
      'recordPairedTest',
      'record',
    );
  });
});
