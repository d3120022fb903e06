/** What a worker's main process and its cell processes (see processor.ts) share. */
import { BlindspotsError } from '../../errors.js';
import type { StudyDataSection } from './job.js';

/**
 * The environment variable carrying {@link ChildOptions} to the cell processes (JSON).
 *
 * @example
 * ```ts
 * const options = JSON.parse(process.env[WORKER_ENV] ?? '{}') as ChildOptions;
 * ```
 */
export const WORKER_ENV = 'BLINDSPOTS_QUEUE_WORKER';

/** A worker's own settings, which its cell processes apply to every cell. */
export interface ChildOptions {
  /** Threads per cell for models whose threads do not change the result. */
  readonly threads?: number;
  /** Where this machine keeps the dataset folder or file a job names (replaces the job's path). */
  readonly data?: string;
}

/**
 * The data section with the dataset path replaced by this machine's, when the worker was given one.
 *
 * @example
 * ```ts
 * dataSectionWithPath({ dataset: { idx: '/data/mnist' } }, '/scratch/mnist'); // { dataset: { idx: '/scratch/mnist' } }
 * ```
 */
export function dataSectionWithPath(section: StudyDataSection, path: string | undefined): StudyDataSection {
  const spec = section.dataset;
  if (path === undefined || typeof spec !== 'object') return section;
  const key = 'cifar10' in spec ? 'cifar10' : 'idx' in spec ? 'idx' : 'zhangCsv';
  const dataset: StudyDataSection['dataset'] = { ...spec, [key]: path };
  return { ...section, dataset };
}

/**
 * DATA_MISMATCH: what the coordinator planned differs from what this worker has.
 *
 * @example
 * ```ts
 * throw mismatch('blindspots worker', 'version', 'blindspots 0.1.0', '0.2.0');
 * ```
 */
export function mismatch(fn: string, what: string, planned: string, here: string): BlindspotsError {
  return new BlindspotsError(
    'DATA_MISMATCH',
    { fn, arg: what, expected: planned, received: here },
    `${fn}: the ${what} differs from the coordinator's: planned ${planned}, this worker has ${here}`,
  );
}
