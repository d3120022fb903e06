import type { EncoderName } from '../../src/encoders/encoderRegistry.js';
import type { EncoderCase } from './encoderHarness.js';
import type { TextEncoderCase } from './textEncoderHarness.js';
import { cyclicLabels, gridImages } from './fixtures.js';

const images = gridImages(12, 8, 8, 3);
const labels = cyclicLabels(12, 4);
const options = { numClasses: 4, scale: 1e-3, seed: 3 };

// Real-looking reviews of varied length, some shorter than the pattern positions.
const words = ['great', 'food', 'slow', 'service', 'would', 'come', 'back', 'never', 'again', 'the', 'staff', 'was', 'friendly'];
const texts = Array.from({ length: 12 }, (_, i) =>
  Array.from({ length: 5 + 9 * i }, (_, j) => words[(i * 7 + j * 3) % words.length]).join(' '),
);
const textOptions = { numClasses: 4 };

/**
 * One conformance case per registered encoder. Typed as a record over every registered name, so
 * a new encoder without a case is a type error as well as a test failure.
 */
export const encoderCases: Record<EncoderName, EncoderCase | TextEncoderCase> = {
  onePixel: { images, labels, options: { ...options, position: [2, 5] } },
  patternPixels: { images, labels, options, tooManyClasses: 17 },
  randomPixel: { images, labels, options },
  multipleLocations: { images, labels, options, tooManyClasses: 33 },
  orthogonalNoise: { images, labels, options, tooManyClasses: 8 * 8 * 3 + 1 },
  meanShift: { images, labels, options },
  mnemonic: { domain: 'text', texts, labels, options: textOptions, tooManyClasses: 37 },
  lengthEncoding: { domain: 'text', texts, labels, options: textOptions, tooManyClasses: 21 },
  patternChar: { domain: 'text', texts, labels, options: textOptions, tooManyClasses: 9 },
};
