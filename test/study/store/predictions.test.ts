import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { packLabels, packPredictions, unpackLabels, unpackPredictions } from '../../../src/study/index.js';

describe('packed predictions', () => {
  it('round-trip any labels at 1, 2, 4, 8 and 16 bits', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(1, 2, 4, 8, 16),
        fc.integer({ min: 0, max: 200 }),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        (bits, n, seed) => {
          const labels = Int32Array.from({ length: n }, (_, i) => (seed + i * 7919) % 2 ** bits);
          expect([...unpackLabels(packLabels(labels, bits), n, bits)]).toEqual([...labels]);
        },
      ),
    );
  });

  it("write standard base64 of the packed bytes (Node's Buffer reads it)", () => {
    const text = packLabels([3, 0, 9, 9, 15], 4);
    expect([...Buffer.from(text, 'base64')]).toEqual([0x03, 0x99, 0x0f]);
    expect(packLabels([1, 0, 1, 1, 0, 0, 0, 0, 1], 1)).toBe(Buffer.from([0b00001101, 0b1]).toString('base64'));
    expect(packLabels([258, 1], 16)).toBe(Buffer.from([2, 1, 1, 0]).toString('base64'));
  });

  it('take the fewest bits for the class count: 10 classes in 4 bits, 2 in 1, 300 in 16', () => {
    const y = Int32Array.of(0, 1);
    expect(packPredictions(10, y, y, undefined).bits).toBe(4);
    expect(packPredictions(2, y, y, undefined).bits).toBe(1);
    expect(packPredictions(300, y, y, y).bits).toBe(16);
    expect(unpackPredictions(packPredictions(2, y, y, undefined)).shuffled).toBeNull();
  });

  it('refuse labels out of range and text that does not hold the labels, with typed errors', () => {
    expect(() => packLabels([16], 4)).toThrow(expect.objectContaining({ code: 'LABEL_OUT_OF_RANGE' }));
    expect(() => packLabels([0], 3)).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', details: expect.objectContaining({ arg: 'bits' }) as unknown }),
    );
    expect(() => unpackLabels(packLabels([1, 2, 3], 4), 5, 4)).toThrow(expect.objectContaining({ code: 'DATA_FORMAT' }));
    expect(() => unpackLabels('not base64!', 1, 8)).toThrow(expect.objectContaining({ code: 'DATA_FORMAT' }));
    expect(() => unpackPredictions({ bits: 4, n: 2, labels: 'AA==', signal: 'AAAA', shuffled: null })).toThrow(
      expect.objectContaining({ code: 'DATA_FORMAT', details: expect.objectContaining({ arg: 'predictions.signal' }) as unknown }),
    );
  });
});
