/**
 * blindspots — hide label-revealing signals in images and texts and measure which models
 * exploit them (Hoffer, Fine & Soudry, "On the Blindspots of Convolutional Networks", 2018).
 *
 * The root entry is environment-neutral: encoders, recoverability, models and registries.
 * Subpath exports: `blindspots/encoders`, `blindspots/models`, `blindspots/data` (loaders and
 * exporters, Node), `blindspots/study` (studies and their records, Node), `blindspots/vitest`.
 */
export { BlindspotsError, NotFittedError, type ErrorCode, type ErrorDetails } from './errors.js';
export {
  createRandom,
  DEFAULT_SEED,
  deriveSeed,
  permutation,
  randomInt,
  randomNormal,
  seedInt,
  shuffler,
  type Random,
  type Seed,
} from './random.js';
export type * from './types.js';
export * from './encoders/index.js';
export * from './models/index.js';
export { VERSION } from './version.js';
