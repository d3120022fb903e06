// The study file and its plan (spec/), running cells here or on a queue (run/), the results files
// (store/), and the tables and plots made from them (report/); the statistics (stats/) serve both
// the runner's reliance test and the reports.
// Named where a module also holds the library's own variants naming their caller in errors
// (prepareStudyOf, planStudyOf, readResultsOf, openResultsFile, unpackPredictionsOf…).
export {
  datasetSpecOf,
  loadDatasetSpec,
  prepareStudy,
  STUDY_FILE_KEYS,
  type DatasetSpec,
  type LoadedDataset,
  type StudyFile,
} from './spec/prepare.js';
export * from './spec/presets.js';
export {
  planStudy,
  STUDY_CONFIG_KEYS,
  type Cell,
  type ModelOptions,
  type StudyConfig,
  type StudyData,
  type StudyPlan,
  type StudySignalOptions,
} from './spec/plan.js';
export * from './spec/shards.js';
export * from './spec/splitIdentity.js';
export * from './run/runCell.js';
export * from './run/runStudy.js';
export * from './run/applyDither.js';
export * from './run/measureReliance.js';
export * from './store/cellRecord.js';
export * from './store/canonicalJson.js';
export { readResults } from './store/readResults.js';
export { ResultsFile } from './store/resultsFile.js';
export * from './store/merge.js';
export {
  packLabels,
  packPredictions,
  unpackLabels,
  unpackPredictions,
  type PackedPredictions,
  type Predictions,
} from './store/predictions.js';
export * from './report/aggregate.js';
export * from './report/tables.js';
export * from './report/plots.js';
export * from './report/recoverabilityTable.js';
export * from './stats/index.js';
export { checkStudyFile, studyFileJsonSchema, STUDY_SETTINGS, type StudySettingName } from './spec/schema.js';
// The types a study takes and the error class it throws, so `blindspots/study` stands alone.
export { BlindspotsError, type ErrorCode, type ErrorDetails } from '../errors.js';
export type { FeatureMatrix, ImageArray, ImageBatch, ImageInput, ImageShape, Labels, LabelsInput, Texts } from '../types.js';
export type { Seed } from '../random.js';
export type { Dataset, ImageDataset, TextDataset } from '../data/dataset.js';
export type {
  EpochInfo,
  EpochWeights,
  FitOptions,
  FitProgress,
  InputKind,
  InputOf,
  Model,
  ModelParams,
  ParamValue,
} from '../models/model.js';
export type { ResolvedSignalOptions, SignalFamily, SignalInformation, SignalOptions } from '../encoders/encoderRegistry.js';
export type { Domain } from '../domain.js';
