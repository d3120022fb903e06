import { describe, expect, it } from 'vitest';
import { blindspotsMatchers } from '../../src/vitest/index.js';
import { injectOnePixel, injectOrthogonalNoise } from '../../src/encoders/index.js';
import { cyclicLabels, gridImages } from '../conformance/fixtures.js';

expect.extend(blindspotsMatchers);

describe('toRecoverLabels', () => {
  const x = gridImages(10, 8, 8, 3);
  const y = cyclicLabels(10, 5);

  it('passes when the oracle recovers the labels', () => {
    expect(injectOrthogonalNoise(x, y)).toRecoverLabels('orthogonalNoise', y);
    expect(injectOnePixel(x, y, { position: [1, 1] })).toRecoverLabels('onePixel', y, { position: [1, 1] });
  });

  it('fails, with the figures, when they are not there', () => {
    expect(() => expect(x).toRecoverLabels('orthogonalNoise', y)).toThrow(/got 0\.00% recovered \(0 wrong, 10 ambiguous of 10\)/);
    expect(x).not.toRecoverLabels('meanShift', y);
  });

  it('honours minAccuracy', () => {
    const half = x.data.slice();
    const enc = injectOnePixel(x, y);
    half.set(enc.data.subarray(0, 5 * 8 * 8 * 3));
    expect({ data: half, shape: x.shape }).toRecoverLabels('onePixel', y, { minAccuracy: 0.5 });
    expect({ data: half, shape: x.shape }).not.toRecoverLabels('onePixel', y, { minAccuracy: 0.9 });
  });
});
