// The public data API: loaders, subsets, transforms and exporters, with the types they take and the
// error class they throw.
export { BlindspotsError, type ErrorCode, type ErrorDetails } from '../errors.js';
export type { FeatureMatrix, ImageArray, ImageBatch, ImageInput, ImageShape, Labels, LabelsInput, Texts } from '../types.js';
export type { Seed } from '../random.js';
export type { OptionNames } from '../options.js';
export * from './dataset.js';
export * from './cifar10.js';
export * from './export.js';
export * from './fashionMnist.js';
export * from './idx.js';
export * from './mnist.js';
export * from './spamAssassin.js';
// Named: split.ts also holds stratifiedSplitOf, the library's own variant naming its caller.
export { stratifiedSplit, type Split } from './split.js';
export * from './transforms.js';
export * from './zhangCsv.js';
export * from './dither.js';
