export * from './recoverabilityTable.js';
export * from './records.js';
export * from './plan.js';
export * from './runCell.js';
export * from './runStudy.js';
export * from './report.js';
export * from './prepare.js';
export * from './merge.js';
export * from './aggregate.js';
export * from './plots.js';
export * from './presets.js';
export * from './predictions.js';
export * from './stats/index.js';
export * from './measureReliance.js';
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
export type { ResolvedSignalOptions, SignalFamily, SignalInformation, SignalOptions } from '../encoders/registry.js';
export type { Domain } from '../domain.js';
