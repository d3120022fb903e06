/** What a worker's main process and its cell processes (see cellJobProcessor.ts) share. */
import { BlindspotsError } from '../../../errors.js';
import type { StudyDataSection } from './job.js';

/**
 * The environment variable carrying {@link ChildOptions} to the cell processes (JSON).
 *
 * @example
 * ```ts
 * import { WORKER_ENV, type ChildOptions } from './cellProcessSettings.js'; // internal
 * WORKER_ENV; //=> 'BLINDSPOTS_QUEUE_WORKER'
 * // In a cell process: its worker's settings (outside a worker, none).
 * const options = JSON.parse(process.env[WORKER_ENV] ?? '{}') as ChildOptions; //=> {}
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
 * import { dataSectionWithPath } from './cellProcessSettings.js'; // internal
 * dataSectionWithPath({ dataset: { idx: '/data/mnist' } }, '/scratch/mnist'); //=> { dataset: { idx: '/scratch/mnist' } }
 * dataSectionWithPath({ dataset: 'fashion-mnist' }, '/scratch/mnist'); //=> { dataset: 'fashion-mnist' }
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
 * import { mismatch } from './cellProcessSettings.js'; // internal
 * import { VERSION } from '../../../version.js'; // internal
 * const checkVersion = (planned: string): void => {
 *   if (planned !== VERSION) throw mismatch('blindspots worker', 'version', `blindspots ${planned}`, VERSION);
 * };
 * checkVersion('0.1.0'); //=> throws DATA_MISMATCH planned blindspots 0.1.0, this worker has
 * ```
 */
export function mismatch(fn: string, what: string, planned: string, here: string): BlindspotsError {
  return new BlindspotsError(
    'DATA_MISMATCH',
    { fn, arg: what, expected: planned, received: here },
    `${fn}: the ${what} differs from the coordinator's: planned ${planned}, this worker has ${here}`,
  );
}
