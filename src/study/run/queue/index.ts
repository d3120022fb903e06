/**
 * `blindspots/queue`: run a study's cells on any number of machines through a BullMQ queue on
 * Redis — a coordinator that enqueues and collects, workers that pull cells and run each in a
 * child process. Node-only. See docs/scale-out.md.
 */
export {
  bullConnection,
  parseRedisUrl,
  probeRedis,
  redisWarnings,
  RedisWatch,
  type BullConnection,
  type RedisInfo,
  type RedisTarget,
} from './connection.js';
export { runStudyOnQueue, type QueueStatus, type QueueStudyOptions, type QueueStudyResult } from './coordinator.js';
export {
  DATA_SECTION_KEYS,
  dataSectionOf,
  DEFAULT_QUEUE_NAME,
  jobName,
  QUEUE_SETTINGS,
  type CellJobData,
  type StudyDataSection,
} from './job.js';
export { startQueueWorker, type QueueWorker, type QueueWorkerEvent, type QueueWorkerOptions } from './queueWorker.js';
// The types the queue takes and gives, and the error class it throws, so `blindspots/queue` stands alone.
export { BlindspotsError, type ErrorCode, type ErrorDetails } from '../../../errors.js';
export type { Cell, StudyConfig } from '../../spec/plan.js';
export type { StudyFile } from '../../spec/prepare.js';
export type { CellRecord, CurvePoint, DataIdentity, SplitIdentity } from '../../store/cellRecord.js';
export type { PackedPredictions } from '../../store/predictions.js';
export type { Dataset } from '../../../data/dataset.js';
export type { DatasetSpec } from '../../spec/prepare.js';
export type { FitProgress, ModelParams, ParamValue } from '../../../models/model.js';
export type { ResolvedSignalOptions } from '../../../encoders/encoderRegistry.js';
export type { Disagreement } from '../../store/merge.js';
