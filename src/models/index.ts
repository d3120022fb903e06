export * from './model.js';
export * from './registry.js';
export * from './features.js';
export { FeatureModel, argmaxRows, softmaxRows, type FitContext } from './featureModel.js';
export * from './classic/trees.js';
export * from './classic/gaussianNB.js';
export * from './classic/logisticRegression.js';
export * from './classic/mljs.js';
export { NotFittedError } from '../errors.js';
