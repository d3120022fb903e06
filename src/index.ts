/**
 * blindspots — hide label-revealing signals in images and texts and measure which models
 * exploit them (Hoffer, Fine & Soudry, "On the Blindspots of Convolutional Networks", 2018).
 *
 * Subpath exports: `blindspots/encoders`, `blindspots/models`, `blindspots/data`,
 * `blindspots/study`, `blindspots/vitest`.
 */
export * from './errors.js';
export * from './random.js';
// random.ts's checkSeed, not the image encoders' helper of the same name (both reach this barrel).
export { checkSeed } from './random.js';
export type * from './types.js';
export { isTensor } from './images.js';
export * from './encoders/index.js';
export * from './models/index.js';
export * from './study/index.js';
export { VERSION } from './version.js';
