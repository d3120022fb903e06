/**
 * The queue coordinator: plans a study, enqueues the cells without a record, and collects the
 * workers' records into the results file. The file is the record; Redis is transport.
 */
import type { Job, Queue, QueueEvents } from 'bullmq';
import { fail } from '../../../errors.js';
import { isPlainObject } from '../../../options.js';
import { checkInteger } from '../../../validate.js';
import { VERSION } from '../../../version.js';
import { mergeRecords, type Disagreement } from '../../store/merge.js';
import { planStudyOf, type Cell, type StudyPlan } from '../../spec/plan.js';
import { prepareStudyOf, type StudyFile } from '../../spec/prepare.js';
import { RECORD_SCHEMA, type CellRecord } from '../../store/cellRecord.js';
import { openResultsFile, type ResultsFile } from '../../store/resultsFile.js';
import {
  bullConnection,
  parseRedisUrlOf,
  probeRedisOf,
  RedisWatch,
  redisWarnings,
  withTimeout,
  type BullConnection,
} from './connection.js';
import { loadBullmq, loadIoredis } from './deps.js';
import { dataSectionOf, DEFAULT_QUEUE_NAME, jobName, QUEUE_SETTINGS, type CellJobData, type StudyDataSection } from './job.js';

/** Options of {@link runStudyOnQueue}. */
export interface QueueStudyOptions {
  /** The Redis URL, `redis://host:6379/0`. */
  readonly queue: string;
  /** The queue's name; default `blindspots` (the workers' must match). */
  readonly queueName?: string;
  /** The results file; default the study file's `results`. Required: it is what a restart resumes from. */
  readonly results?: string;
  /** Threads per cell (part of the key for models whose results depend on it); default the file's, else 1. */
  readonly threads?: number;
  /** Give up (QUEUE_UNAVAILABLE) after Redis has not answered for this long; default {@link QUEUE_SETTINGS}.redisTimeoutMs. */
  readonly redisTimeoutMs?: number;
  /** Longest wait between two looks at the queue (events wake it sooner); default 2000. */
  readonly pollIntervalMs?: number;
  /** How often cells without a record and without a job are enqueued again (a Redis that restarted empty); default 30000. */
  readonly resyncIntervalMs?: number;
  /** Runs of a throwing cell before it fails; default {@link QUEUE_SETTINGS}.attempts. */
  readonly attempts?: number;
  /** First retry delay, doubled each time; default {@link QUEUE_SETTINGS}.backoffMs. */
  readonly backoffMs?: number;
  /** Called with each record appended to the results file. */
  readonly onCell?: (record: CellRecord, status: QueueStatus) => void;
  /** Called when the counts change (and at least every `pollIntervalMs` while cells run). */
  readonly onStatus?: (status: QueueStatus) => void;
  /** Warnings: Redis settings, a worker's result that is not a record. */
  readonly onWarning?: (message: string) => void;
  /** A cell recorded twice with different measurements (at-least-once delivery met non-determinism). */
  readonly onDisagreement?: (disagreement: Disagreement) => void;
  readonly abortSignal?: AbortSignal;
}

/** Where a queued study stands. */
export interface QueueStatus {
  readonly total: number;
  /** Cells with a record in the results file. */
  readonly done: number;
  /** Cells a worker is running now, with their fit progress when the worker reported it. */
  readonly running: readonly { readonly cell: Cell; readonly fraction?: number }[];
  /** Cells that failed for good (retries used up, or DATA_MISMATCH), with BullMQ's reason. */
  readonly failed: readonly { readonly cell: Cell; readonly reason: string }[];
  /** Cells queued, not running yet (or waiting for a retry). */
  readonly waiting: number;
  /** Records collected by this run. */
  readonly collected: number;
  readonly elapsedSeconds: number;
  /** Estimated seconds left, from the cost of the cells done in this run; undefined before the first. */
  readonly etaSeconds?: number;
}

/** What {@link runStudyOnQueue} did. */
export interface QueueStudyResult {
  /** The records of the planned cells that have one, in plan order. */
  readonly records: readonly CellRecord[];
  /** Cells that failed for good; a rerun of the coordinator retries them. */
  readonly failed: QueueStatus['failed'];
  /** Cells already recorded in the results file at the start (not enqueued). */
  readonly skipped: number;
  /** Records collected by this run (finished while it waited, or before it started). */
  readonly collected: number;
  /** Records dropped because their cell was recorded already (at-least-once delivery). */
  readonly duplicates: number;
  /** Failed jobs of earlier runs sent back to the queue. */
  readonly retried: number;
}

/** A worker's result that is a record of this cell (the workers are trusted, but a version skew is not). */
function isRecordOf(value: unknown, key: string): value is CellRecord {
  return isPlainObject(value) && value.schema === RECORD_SCHEMA && value.key === key && typeof value.accuracy === 'number';
}

/** What a coordinator run holds for its whole life, made by {@link QueueCoordinator.open}. */
interface CoordinatorParts {
  readonly options: QueueStudyOptions;
  readonly plan: StudyPlan;
  readonly data: StudyDataSection;
  readonly out: ResultsFile;
  readonly connection: BullConnection;
  readonly queue: Queue;
  readonly events: QueueEvents;
  readonly watch: RedisWatch;
  readonly pollInterval: number;
  readonly resyncInterval: number;
}

/**
 * One run of the queue coordinator: the plan, the results file (open and locked), the queue and
 * its events, and what this run has collected so far. A class rather than closures over shared
 * variables, so that each step — enqueue, collect, one look at the queue, the status — names the
 * state it changes. {@link runStudyOnQueue} opens one, runs it and closes it.
 */
export class QueueCoordinator {
  private readonly t0 = performance.now();
  private readonly planned: ReadonlyMap<string, Cell>;
  /** The record of each planned cell in the results file, this run's included. */
  private readonly recorded = new Map<string, CellRecord>();
  private readonly skipped: number;
  private collected = 0;
  private duplicates = 0;
  private retried = 0;
  /** The planned cost of the cells collected by this run, for the ETA. */
  private collectedCost = 0;
  private failed: QueueStatus['failed'] = [];
  private running: QueueStatus['running'] = [];
  private readonly progress = new Map<string, number>();
  /** Redis is gone for good (the watch gave up): closing is cut short. */
  private lost = false;
  // An event during a pass must not be lost: events are counted, and the loop does not sleep
  // when one came since the pass began.
  private eventCount = 0;
  private wake: () => void = () => undefined;
  private readonly aborted: Promise<never>;
  private readonly onAbort: () => void;

  private constructor(private readonly parts: CoordinatorParts) {
    const { plan, out, connection, queue, events, watch, options } = parts;
    this.planned = new Map(plan.cells.map((c) => [c.key, c]));
    for (const r of out.records) if (this.planned.has(r.key) && !this.recorded.has(r.key)) this.recorded.set(r.key, r);
    this.skipped = this.recorded.size;
    // Redis gone for good: BullMQ's clients stop reconnecting, so that closing them ends.
    watch.lost.catch(() => {
      this.lost = true;
      connection.stop();
    });
    queue.on('error', () => undefined);
    events.on('error', () => undefined);
    const nudge = (): void => {
      this.eventCount++;
      this.wake();
    };
    for (const name of ['completed', 'failed', 'active', 'stalled', 'waiting'] as const) events.on(name, nudge);
    events.on('progress', ({ jobId, data: p }: { jobId: string; data: unknown }) => {
      if (isPlainObject(p) && typeof p.fraction === 'number') this.progress.set(jobId, p.fraction);
    });
    let abortReject: (e: Error) => void = () => undefined;
    this.aborted = new Promise<never>((_, reject) => (abortReject = reject));
    this.aborted.catch(() => undefined);
    this.onAbort = (): void => abortReject(new DOMException('the study was aborted', 'AbortError'));
    if (options.abortSignal?.aborted === true) this.onAbort();
    options.abortSignal?.addEventListener('abort', this.onAbort);
  }

  /**
   * Checks the options and the study, loads BullMQ and ioredis, checks that Redis answers, and
   * opens (locks) the results file and the queue: every mistake fails here, before a cell is
   * enqueued. The caller must {@link QueueCoordinator.close} what this returns.
   */
  static async open(file: StudyFile, options: QueueStudyOptions, fn: string): Promise<QueueCoordinator> {
    const target = parseRedisUrlOf(options.queue, fn);
    const queueName = options.queueName ?? DEFAULT_QUEUE_NAME;
    if (typeof queueName !== 'string' || !/^[\w.-]+$/.test(queueName))
      throw fail('INVALID_ARGUMENT', fn, 'queueName', 'a name of letters, digits, _ . -', JSON.stringify(queueName));
    const results = options.results ?? file.results;
    if (results === undefined)
      throw fail(
        'INVALID_ARGUMENT',
        fn,
        'results',
        'a results file (a queued study resumes from it)',
        'none in the options or the study file',
      );
    const redisTimeout = checkInteger(fn, 'redisTimeoutMs', options.redisTimeoutMs ?? QUEUE_SETTINGS.redisTimeoutMs, 100, 86_400_000);
    const pollInterval = checkInteger(fn, 'pollIntervalMs', options.pollIntervalMs ?? 2000, 10, 3_600_000);
    const resyncInterval = checkInteger(fn, 'resyncIntervalMs', options.resyncIntervalMs ?? 30_000, 10, 86_400_000);
    const attempts = checkInteger(fn, 'attempts', options.attempts ?? QUEUE_SETTINGS.attempts, 1, 1000);
    const backoff = checkInteger(fn, 'backoffMs', options.backoffMs ?? QUEUE_SETTINGS.backoffMs, 0, 86_400_000);
    // Optional peer dependencies: MISSING_DEPENDENCY now, before the data is prepared.
    const { Queue, QueueEvents } = await loadBullmq(fn);
    await loadIoredis(fn);
    const config = prepareStudyOf({ ...file, results }, fn);
    const plan = planStudyOf({ ...config, ...(options.threads === undefined ? {} : { threads: options.threads }) }, fn);

    const info = await probeRedisOf(target, fn, Math.min(5000, redisTimeout));
    for (const w of redisWarnings(info)) options.onWarning?.(`${target.url}: ${w}`);
    const out = openResultsFile(results, fn);
    const connection = bullConnection(target);
    const queue = new Queue(queueName, {
      connection: connection.options,
      defaultJobOptions: {
        attempts,
        backoff: { type: 'exponential', delay: backoff },
        // The coordinator removes a completed job once its record is on disk; failed ones stay
        // so that the reason can be read and the next coordinator run can retry them.
        removeOnComplete: false,
        removeOnFail: false,
      },
    });
    const events = new QueueEvents(queueName, { connection: connection.options });
    const watch = new RedisWatch(target, fn, redisTimeout);
    return new QueueCoordinator({
      options,
      plan,
      data: dataSectionOf(file),
      out,
      connection,
      queue,
      events,
      watch,
      pollInterval,
      resyncInterval,
    });
  }

  /**
   * Collects what finished while no coordinator watched, sends failed cells of earlier runs back
   * to the queue, enqueues every cell without a record, then collects until each cell is recorded
   * or has failed for good.
   */
  async run(): Promise<QueueStudyResult> {
    const { events, queue, options, plan, pollInterval, resyncInterval } = this.parts;
    // Listening before the first look, so that no completion falls between the two.
    await this.guarded(events.waitUntilReady());
    await this.guarded(this.pass());
    // Failed cells of an earlier run: this run is the retry, with this run's data section (a
    // dataset moved since is found); the key, hence data identity and version, is the same.
    for (const f of this.failed) {
      const job = await this.guarded(queue.getJob(f.cell.key));
      if (job === undefined) continue;
      await this.guarded(job.remove());
      this.retried++;
    }
    this.failed = [];
    await this.guarded(this.enqueue(this.missing()));
    let lastResync = performance.now();
    let lastShown = '';
    for (;;) {
      const seen = this.eventCount;
      await this.guarded(this.pass());
      if (performance.now() - lastResync > resyncInterval) {
        // A Redis restarted without persistence lost its jobs; cells queued or running are untouched (same id).
        await this.guarded(this.enqueue(this.missing()));
        lastResync = performance.now();
      }
      const s = this.status();
      const shown = JSON.stringify([s.done, s.running, s.failed.length]);
      if (shown !== lastShown || s.running.length > 0) options.onStatus?.(s);
      lastShown = shown;
      if (s.done + s.failed.length >= s.total) break;
      if (this.eventCount !== seen) continue;
      await this.guarded(
        new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, pollInterval);
          this.wake = () => {
            clearTimeout(timer);
            this.wake = () => undefined;
            resolve();
          };
        }),
      );
    }
    return {
      records: plan.cells.flatMap((c) => {
        const r = this.recorded.get(c.key);
        return r === undefined ? [] : [r];
      }),
      failed: this.failed,
      skipped: this.skipped,
      collected: this.collected,
      duplicates: this.duplicates,
      retried: this.retried,
    };
  }

  /** Stops listening and closes the queue (bounded: a Redis that is gone would hang it) and the results file. */
  async close(): Promise<void> {
    const { options, watch, queue, events, out } = this.parts;
    options.abortSignal?.removeEventListener('abort', this.onAbort);
    watch.stop();
    // Bounded: against a Redis that is gone, QueueEvents' close waits for ever (BullMQ 6.7).
    const cut = (p: Promise<void>): Promise<void> => withTimeout(p, this.lost ? 2000 : 15_000, 'close').catch(() => undefined);
    await Promise.all([cut(queue.close()), cut(events.close())]);
    out.close();
  }

  /** Where the study stands now. */
  status(): QueueStatus {
    const { plan } = this.parts;
    const elapsedSeconds = (performance.now() - this.t0) / 1000;
    const failedKeys = new Set(this.failed.map((f) => f.cell.key));
    let remaining = 0;
    for (const c of plan.cells) if (!this.recorded.has(c.key) && !failedKeys.has(c.key)) remaining += c.cost;
    const eta = this.collectedCost > 0 ? (remaining * elapsedSeconds) / this.collectedCost : undefined;
    return {
      total: plan.cells.length,
      done: this.recorded.size,
      running: this.running,
      failed: this.failed,
      waiting: Math.max(0, plan.cells.length - this.recorded.size - this.running.length - this.failed.length),
      collected: this.collected,
      elapsedSeconds,
      ...(eta === undefined ? {} : { etaSeconds: eta }),
    };
  }

  /** A step that needs Redis: ends with the watch's QUEUE_UNAVAILABLE, or the abort, whichever first. */
  private guarded<T>(p: Promise<T>): Promise<T> {
    // Left behind by a lost race, its own rejection must not go unhandled.
    p.catch(() => undefined);
    return Promise.race([p, this.parts.watch.lost, this.aborted]);
  }

  /** Adds jobs for `cells` (job id = key: a cell already queued or running is left alone). */
  private async enqueue(cells: readonly Cell[]): Promise<void> {
    const { queue, data, plan } = this.parts;
    for (let i = 0; i < cells.length; i += 500) {
      await queue.addBulk(
        cells.slice(i, i + 500).map((cell) => ({
          name: jobName(cell),
          data: { cell, data, identity: plan.data, version: VERSION },
          opts: { jobId: cell.key },
        })),
      );
    }
  }

  /** Appends the record of a completed job (unless its cell is recorded), then removes the job. */
  private async collect(job: Job<CellJobData, CellRecord>): Promise<void> {
    const { options, out } = this.parts;
    const key = job.id ?? '';
    const cell = this.planned.get(key);
    if (cell === undefined) return;
    const record: unknown = job.returnvalue;
    if (!isRecordOf(record, key)) {
      options.onWarning?.(`${jobName(cell)} (key ${key}): the worker's result is not a record of this cell; queued again`);
      await job.remove();
      await this.enqueue([cell]);
      return;
    }
    const previous = this.recorded.get(key);
    if (previous === undefined) {
      out.append(record);
      this.recorded.set(key, record);
      this.collected++;
      this.collectedCost += cell.cost;
      this.progress.delete(key);
      options.onCell?.(record, this.status());
    } else {
      this.duplicates++;
      for (const d of mergeRecords([[previous], [record]]).disagreements) options.onDisagreement?.(d);
    }
    // Only now: the record is on disk, so a crash before this line collects it again (a duplicate, dropped).
    await job.remove();
  }

  /** One full look at the queue: collect completed cells, note running and failed ones. */
  private async pass(): Promise<void> {
    const { queue } = this.parts;
    for (const job of (await queue.getJobs(['completed'])) as Job<CellJobData, CellRecord>[]) await this.collect(job);
    const active = await queue.getJobs(['active']);
    this.running = active
      .filter((j) => j.id !== undefined && this.planned.has(j.id) && !this.recorded.has(j.id))
      .map((j) => {
        const fraction = this.progress.get(j.id as string);
        return { cell: this.planned.get(j.id as string) as Cell, ...(fraction === undefined ? {} : { fraction }) };
      });
    const failedJobs = await queue.getJobs(['failed']);
    this.failed = failedJobs
      .filter((j) => j.id !== undefined && this.planned.has(j.id) && !this.recorded.has(j.id))
      .map((j) => ({ cell: this.planned.get(j.id as string) as Cell, reason: j.failedReason }));
  }

  /** The planned cells without a record that have not failed for good. */
  private missing(): Cell[] {
    const failedKeys = new Set(this.failed.map((f) => f.cell.key));
    return this.parts.plan.cells.filter((c) => !this.recorded.has(c.key) && !failedKeys.has(c.key));
  }
}

/**
 * Runs a study on a BullMQ queue: checks the config (`prepareStudy`, `planStudy`), checks that
 * Redis answers (QUEUE_UNAVAILABLE, naming the URL, otherwise), opens and locks the results file,
 * collects the records of cells that finished while no coordinator was watching, sends failed
 * cells of earlier runs back to the queue, and enqueues every cell without a record — job id =
 * the cell's key, so enqueueing a queued cell again does nothing. Then it waits, appending each
 * record to the results file as a worker finishes its cell (QueueEvents wake it; a full look at
 * the queue every `pollIntervalMs` catches whatever an event missed) and removing the job once
 * its record is on disk. Delivery is at least once: a record whose key is in the file already is
 * not appended again (a different one is reported to `onDisagreement`, as `merge` does).
 * Killed and restarted, it resumes: finished cells are in the file or still in Redis, queued and
 * running ones are still queued. Resolves when every cell is recorded or has failed for good;
 * rejects with QUEUE_UNAVAILABLE when Redis stops answering for `redisTimeoutMs`.
 *
 * @example
 * ```ts
 * import { runStudyOnQueue, startQueueWorker } from 'blindspots/queue';
 * const worker = await startQueueWorker({ queue: 'redis://localhost:6379' }); // usually on other machines
 * const { records, failed } = await runStudyOnQueue(
 *   { dataset: { cifar10: 'cifar-10-batches-bin' }, signals: ['onePixel'], models: ['decisionTree'], results: 'cifar.jsonl' },
 *   { queue: 'redis://localhost:6379', onStatus: (s) => console.error(`${s.done}/${s.total}`) },
 * );
 * await worker.close();
 * records.map((r) => r.signal); //=> ['clean', 'onePixel']
 * failed; //=> []
 * ```
 */
export async function runStudyOnQueue(file: StudyFile, options: QueueStudyOptions): Promise<QueueStudyResult> {
  return runStudyOnQueueOf(file, options, 'runStudyOnQueue');
}

/**
 * {@link runStudyOnQueue} on behalf of `fn`, the function the user called, which its errors name.
 *
 * @example
 * ```ts
 * import { runStudyOnQueueOf } from './coordinator.js'; // internal
 * const file = { dataset: 'mnist' as const, signals: 'all' as const, models: ['decisionTree'], results: 'study.jsonl' };
 * await runStudyOnQueueOf(file, { queue: 'http://redis.lab' }, 'blindspots study'); //=> throws INVALID_ARGUMENT blindspots study: argument 'queue'
 * ```
 */
export async function runStudyOnQueueOf(file: StudyFile, options: QueueStudyOptions, fn: string): Promise<QueueStudyResult> {
  const coordinator = await QueueCoordinator.open(file, options, fn);
  try {
    return await coordinator.run();
  } finally {
    await coordinator.close();
  }
}
