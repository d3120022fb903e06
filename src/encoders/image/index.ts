export * from './common.js';
export * from './onePixel.js';
export * from './patternPixels.js';
export * from './randomPixel.js';
export * from './multipleLocations.js';
export * from './orthogonalNoise.js';
export * from './meanShift.js';
