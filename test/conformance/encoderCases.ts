import type { EncoderName } from '../../src/encoders/registry.js';
import type { EncoderCase } from './encoderHarness.js';
import { cyclicLabels, gridImages } from './fixtures.js';

const images = gridImages(12, 8, 8, 3);
const labels = cyclicLabels(12, 4);
const options = { numClasses: 4, scale: 1e-3, seed: 3 };

/**
 * One conformance case per registered encoder. Typed as a record over every registered name, so
 * a new encoder without a case is a type error as well as a test failure.
 */
export const encoderCases: Record<EncoderName, EncoderCase> = {
  onePixel: { images, labels, options: { ...options, position: [2, 5] } },
  patternPixels: { images, labels, options, tooManyClasses: 17 },
  randomPixel: { images, labels, options },
  multipleLocations: { images, labels, options, tooManyClasses: 33 },
  orthogonalNoise: { images, labels, options, tooManyClasses: 8 * 8 * 3 + 1 },
  meanShift: { images, labels, options },
};
