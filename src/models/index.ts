// The public models API: the Model contract, the registry, every model class, the backend setup,
// with the types they take and the error classes they throw. Their internals (binning, tree
// growing, kernels, validation helpers) stay internal.
export { BlindspotsError, type ErrorCode, type ErrorDetails } from '../errors.js';
export type { FeatureMatrix, ImageArray, ImageBatch, ImageInput, ImageShape, Labels, LabelsInput, Texts } from '../types.js';
export type { Seed } from '../random.js';
export type {
  CreateOptions,
  EpochInfo,
  EpochWeights,
  FitOptions,
  FitProgress,
  InputKind,
  InputOf,
  Model,
  ModelEntry,
  ModelParams,
  ParamValue,
  ThreadUse,
} from './model.js';
export { getModel, modelNames, models, type ModelName } from './modelRegistry.js';
export { FeatureModel, type FitContext } from './featureModel.js';
export {
  DecisionTree,
  ExtraTrees,
  RandomForest,
  type ForestOptions,
  type ForestParams,
  type MaxFeatures,
  type TreeModelJSON,
  type TreeOptions,
  type TreeParams,
} from './classic/trees.js';
export { GaussianNB, type GaussianNBJSON, type GaussianNBOptions } from './classic/gaussianNB.js';
export { LogisticRegression, type LogisticRegressionJSON, type LogisticRegressionOptions } from './classic/logisticRegression.js';
export { LinearDiscriminantAnalysis, type LinearDiscriminantAnalysisJSON, type LinearDiscriminantAnalysisOptions } from './classic/lda.js';
export {
  QuadraticDiscriminantAnalysis,
  type QuadraticDiscriminantAnalysisJSON,
  type QuadraticDiscriminantAnalysisOptions,
} from './classic/qda.js';
export {
  MlDecisionTree,
  MlGaussianNB,
  MlLogisticRegression,
  MlRandomForest,
  type MlDecisionTreeOptions,
  type MlGaussianNBOptions,
  type MlLogisticRegressionOptions,
  type MlRandomForestOptions,
} from './classic/mljs.js';
export { NotFittedError } from '../errors.js';
export * from './tfjs/index.js';
// The ConvNet constructor's defaults (src/models/tfjs exports it from convNet.ts, not its index).
export type { ResolvedTrainOptions } from './tfjs/trainOptions.js';
