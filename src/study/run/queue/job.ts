/**
 * What travels through the queue — a cell and what a worker needs to make its data — and the
 * BullMQ settings every coordinator and worker uses, with the reason for each value.
 */
import { resolve } from 'node:path';
import type { Cell } from '../../spec/plan.js';
import type { StudyFile } from '../../spec/prepare.js';
import type { DataIdentity } from '../../store/cellRecord.js';
import { DATA_SETTINGS } from '../../spec/schema.js';

/**
 * The default queue name: one queue can carry cells of several studies (each job carries its
 * data section).
 *
 * @example
 * ```ts
 * import { Queue } from 'bullmq';
 * import { bullConnection, DEFAULT_QUEUE_NAME, parseRedisUrl } from 'blindspots/queue';
 * DEFAULT_QUEUE_NAME; //=> 'blindspots'
 * // The queue `blindspots worker` pulls from (unless given --queue-name):
 * const queue = new Queue(DEFAULT_QUEUE_NAME, { connection: bullConnection(parseRedisUrl('redis://localhost:6379')).options });
 * await queue.count(); //=> 0
 * await queue.close();
 * ```
 */
export const DEFAULT_QUEUE_NAME = 'blindspots';

/**
 * The BullMQ settings of coordinators and workers. Cells run for seconds to hours, in child
 * processes, and are idempotent (same key, same record), so the queue is tuned for "a dead
 * machine's cell is picked up again within a minute" rather than for latency.
 *
 * @example
 * ```ts
 * import { QUEUE_SETTINGS } from 'blindspots/queue';
 * QUEUE_SETTINGS.lockDurationMs; //=> 30000
 * ```
 */
export const QUEUE_SETTINGS = {
  /**
   * How long a worker's claim on a running cell lasts without renewal (BullMQ's default). The
   * worker's main process renews it every half of this; it can, because cells run in child
   * processes (a wasm training step in the main thread blocks the event loop for seconds and
   * would miss renewals: the cell would be run twice). When a machine dies, its cells are free
   * again after at most this plus `stalledIntervalMs`.
   */
  lockDurationMs: 30_000,
  /**
   * How often each worker looks for cells whose lock expired (BullMQ's default is 30 s): half of
   * that bounds the wait after a machine dies at 45 s, for one cheap Redis script per worker
   * every 15 s.
   */
  stalledIntervalMs: 15_000,
  /**
   * Times a cell may lose its worker (machine killed, preempted, partitioned from Redis) and be
   * run again; one more and it fails. 2, not BullMQ's 1: preemptible machines die for reasons
   * unrelated to the cell. Not more: a cell that takes its whole machine down (memory) should
   * stop doing so after three machines.
   */
  maxStalledCount: 2,
  /**
   * Runs of a cell that throws (a crashed child process, a file read failing on one machine)
   * before it fails for good. Cells are deterministic, so a third failure is a real error, not
   * bad luck; a DATA_MISMATCH fails at once (BullMQ's UnrecoverableError).
   */
  attempts: 3,
  /** First retry delay, doubled for the next (10 s, 20 s): a transient cause gets time to pass, a machine without the data does not spin. */
  backoffMs: 10_000,
  /**
   * How long coordinator and workers wait for a Redis that stopped answering before giving up
   * with QUEUE_UNAVAILABLE: long enough for a Redis restart or failover, short enough that a
   * dead Redis is an error rather than a hang.
   */
  redisTimeoutMs: 60_000,
} as const;

/** The part of a study file that makes the data: every worker makes the same splits from it. */
export type StudyDataSection = Pick<StudyFile, 'dataset' | 'perClass' | 'size' | 'testFraction' | 'splitSeed' | 'dither'>;

// The type and the declaration's data settings agree (a compile error otherwise).
const _dataKeysMatch: [Exclude<keyof StudyDataSection, (typeof DATA_SETTINGS)[number]>] extends [never] ? true : never = true;
void _dataKeysMatch;

/**
 * The study file keys of {@link StudyDataSection}.
 *
 * @example
 * ```ts
 * import { DATA_SECTION_KEYS } from 'blindspots/queue';
 * DATA_SECTION_KEYS.includes('splitSeed'); //=> true
 * ```
 */
export const DATA_SECTION_KEYS = DATA_SETTINGS as readonly (keyof StudyDataSection)[];

/**
 * A queued cell: the cell, the data section of its study file, the data's identity as the
 * coordinator planned it (content hashes of the splits), and the library version that planned it
 * (part of the key). The BullMQ job id is `cell.key`.
 */
export interface CellJobData {
  readonly cell: Cell;
  readonly data: StudyDataSection;
  readonly identity: DataIdentity;
  readonly version: string;
}

/**
 * The data section of a study file (the keys it holds), a relative dataset path made absolute
 * (from this process's folder): workers started elsewhere on the machine, or on machines that
 * mount the data at the same place, find it. Paths are not in the keys (content hashes are).
 *
 * @example
 * ```ts
 * import { dataSectionOf } from 'blindspots/queue';
 * // The relative path is made absolute, from the current folder:
 * dataSectionOf({ dataset: { idx: 'data' }, perClass: 10, signals: 'all', models: ['decisionTree'] });
 * //=> { dataset: { idx: '/…/data' }, perClass: 10 }
 * ```
 */
export function dataSectionOf(file: StudyFile): StudyDataSection {
  const out: Record<string, unknown> = {};
  for (const k of DATA_SECTION_KEYS) if (file[k] !== undefined) out[k] = file[k];
  const spec = file.dataset;
  if (typeof spec === 'object' && spec !== null) {
    const key = 'cifar10' in spec ? 'cifar10' : 'idx' in spec ? 'idx' : 'zhangCsv';
    const path = (spec as Record<string, unknown>)[key];
    if (typeof path === 'string') out.dataset = { ...spec, [key]: resolve(path) };
  }
  return out as unknown as StudyDataSection;
}

/**
 * The job name shown by BullMQ tools (Bull Board, Taskforce): `model on signal (seed n)`.
 *
 * @example
 * ```ts
 * import { jobName } from 'blindspots/queue';
 * import { planStudy } from 'blindspots/study';
 * const images = { data: new Float32Array(8 * 8 * 8), shape: [8, 8, 8, 1] as const }; // 8 blank 8x8 images
 * const train = { images, labels: Int32Array.of(0, 1, 0, 1, 0, 1, 0, 1), classNames: ['a', 'b'] };
 * const plan = planStudy({ dataset: 'toy', train, test: train, signals: ['onePixel'], models: ['decisionTree'] });
 * plan.cells.map(jobName); //=> ['decisionTree on clean (seed 0)', 'decisionTree on onePixel (seed 0)']
 * ```
 */
export function jobName(cell: Cell): string {
  return `${cell.model} on ${cell.signal} (seed ${String(cell.seed)})`;
}
