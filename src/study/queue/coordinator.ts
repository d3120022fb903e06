/**
 * The queue coordinator: plans a study, enqueues the cells without a record, and collects the
 * workers' records into the results file. The file is the record; Redis is transport.
 */
import type { Job } from 'bullmq';
import { fail } from '../../errors.js';
import { isPlainObject } from '../../options.js';
import { checkInteger } from '../../validate.js';
import { VERSION } from '../../version.js';
import { mergeRecords, type Disagreement } from '../merge.js';
import { planStudy, type Cell } from '../plan.js';
import { prepareStudy, type StudyFile } from '../prepare.js';
import { RECORD_SCHEMA, ResultsFile, type CellRecord } from '../records.js';
import { bullConnection, parseRedisUrl, probeRedis, RedisWatch, redisWarnings, withTimeout } from './connection.js';
import { loadBullmq, loadIoredis } from './deps.js';
import { dataSectionOf, DEFAULT_QUEUE_NAME, jobName, QUEUE_SETTINGS, type CellJobData } from './job.js';

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
export async function runStudyOnQueue(file: StudyFile, options: QueueStudyOptions, fn = 'runStudyOnQueue'): Promise<QueueStudyResult> {
  const target = parseRedisUrl(options.queue, fn, 'queue');
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
  const config = prepareStudy({ ...file, results }, fn);
  const plan = planStudy({ ...config, ...(options.threads === undefined ? {} : { threads: options.threads }) }, fn);
  const warn = options.onWarning ?? (() => undefined);

  const info = await probeRedis(target, fn, Math.min(5000, redisTimeout));
  for (const w of redisWarnings(info)) warn(`${target.url}: ${w}`);
  const out = ResultsFile.open(results, fn);
  const t0 = performance.now();
  const planned = new Map(plan.cells.map((c) => [c.key, c]));
  const recorded = new Map<string, CellRecord>();
  for (const r of out.records) if (planned.has(r.key) && !recorded.has(r.key)) recorded.set(r.key, r);
  const skipped = recorded.size;
  const data = dataSectionOf(file);
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
  // Redis gone for good: BullMQ's clients stop reconnecting, so that closing them ends.
  let lost = false;
  watch.lost.catch(() => {
    lost = true;
    connection.stop();
  });
  queue.on('error', () => undefined);
  events.on('error', () => undefined);

  // An event during a pass must not be lost: events are counted, and the loop does not sleep
  // when one came since the pass began.
  let eventCount = 0;
  let wake: () => void = () => undefined;
  const progress = new Map<string, number>();
  const nudge = (): void => {
    eventCount++;
    wake();
  };
  for (const name of ['completed', 'failed', 'active', 'stalled', 'waiting'] as const) events.on(name, nudge);
  events.on('progress', ({ jobId, data: p }: { jobId: string; data: unknown }) => {
    if (isPlainObject(p) && typeof p.fraction === 'number') progress.set(jobId, p.fraction);
  });
  let abortReject: (e: Error) => void = () => undefined;
  const aborted = new Promise<never>((_, reject) => (abortReject = reject));
  aborted.catch(() => undefined);
  const onAbort = (): void => abortReject(new DOMException('the study was aborted', 'AbortError'));
  if (options.abortSignal?.aborted === true) onAbort();
  options.abortSignal?.addEventListener('abort', onAbort);
  /** A step that needs Redis: ends with the watch's QUEUE_UNAVAILABLE, or the abort, whichever first. */
  const guarded = <T>(p: Promise<T>): Promise<T> => {
    // Left behind by a lost race, its own rejection must not go unhandled.
    p.catch(() => undefined);
    return Promise.race([p, watch.lost, aborted]);
  };

  let collected = 0;
  let duplicates = 0;
  let retried = 0;
  let collectedCost = 0;
  let failed: QueueStatus['failed'] = [];
  let running: QueueStatus['running'] = [];

  const status = (): QueueStatus => {
    const elapsedSeconds = (performance.now() - t0) / 1000;
    const failedKeys = new Set(failed.map((f) => f.cell.key));
    let remaining = 0;
    for (const c of plan.cells) if (!recorded.has(c.key) && !failedKeys.has(c.key)) remaining += c.cost;
    const eta = collectedCost > 0 ? (remaining * elapsedSeconds) / collectedCost : undefined;
    return {
      total: plan.cells.length,
      done: recorded.size,
      running,
      failed,
      waiting: Math.max(0, plan.cells.length - recorded.size - running.length - failed.length),
      collected,
      elapsedSeconds,
      ...(eta === undefined ? {} : { etaSeconds: eta }),
    };
  };

  /** Appends the record of a completed job (unless its cell is recorded), then removes the job. */
  const collect = async (job: Job<CellJobData, CellRecord>): Promise<void> => {
    const key = job.id ?? '';
    const cell = planned.get(key);
    if (cell === undefined) return;
    const record: unknown = job.returnvalue;
    if (!isRecordOf(record, key)) {
      warn(`${jobName(cell)} (key ${key}): the worker's result is not a record of this cell; queued again`);
      await job.remove();
      await enqueue([cell]);
      return;
    }
    const previous = recorded.get(key);
    if (previous === undefined) {
      out.append(record);
      recorded.set(key, record);
      collected++;
      collectedCost += cell.cost;
      progress.delete(key);
      options.onCell?.(record, status());
    } else {
      duplicates++;
      for (const d of mergeRecords([[previous], [record]]).disagreements) options.onDisagreement?.(d);
    }
    // Only now: the record is on disk, so a crash before this line collects it again (a duplicate, dropped).
    await job.remove();
  };

  const enqueue = async (cells: readonly Cell[]): Promise<void> => {
    for (let i = 0; i < cells.length; i += 500) {
      await queue.addBulk(
        cells.slice(i, i + 500).map((cell) => ({
          name: jobName(cell),
          data: { cell, data, identity: plan.data, version: VERSION },
          opts: { jobId: cell.key },
        })),
      );
    }
  };

  /** One full look at the queue: collect completed cells, note running and failed ones. */
  const pass = async (): Promise<void> => {
    for (const job of (await queue.getJobs(['completed'])) as Job<CellJobData, CellRecord>[]) await collect(job);
    const active = await queue.getJobs(['active']);
    running = active
      .filter((j) => j.id !== undefined && planned.has(j.id) && !recorded.has(j.id))
      .map((j) => {
        const fraction = progress.get(j.id as string);
        return { cell: planned.get(j.id as string) as Cell, ...(fraction === undefined ? {} : { fraction }) };
      });
    const failedJobs = await queue.getJobs(['failed']);
    failed = failedJobs
      .filter((j) => j.id !== undefined && planned.has(j.id) && !recorded.has(j.id))
      .map((j) => ({ cell: planned.get(j.id as string) as Cell, reason: j.failedReason }));
  };

  const missing = (): Cell[] => {
    const failedKeys = new Set(failed.map((f) => f.cell.key));
    return plan.cells.filter((c) => !recorded.has(c.key) && !failedKeys.has(c.key));
  };

  try {
    // Listening before the first look, so that no completion falls between the two.
    await guarded(events.waitUntilReady());
    await guarded(pass());
    // Failed cells of an earlier run: this run is the retry, with this run's data section (a
    // dataset moved since is found); the key, hence data identity and version, is the same.
    for (const f of failed) {
      const job = await guarded(queue.getJob(f.cell.key));
      if (job === undefined) continue;
      await guarded(job.remove());
      retried++;
    }
    failed = [];
    await guarded(enqueue(missing()));
    let lastResync = performance.now();
    let lastShown = '';
    for (;;) {
      const seen = eventCount;
      await guarded(pass());
      if (performance.now() - lastResync > resyncInterval) {
        // A Redis restarted without persistence lost its jobs; cells queued or running are untouched (same id).
        await guarded(enqueue(missing()));
        lastResync = performance.now();
      }
      const s = status();
      const shown = JSON.stringify([s.done, s.running, s.failed.length]);
      if (shown !== lastShown || s.running.length > 0) options.onStatus?.(s);
      lastShown = shown;
      if (s.done + s.failed.length >= s.total) break;
      if (eventCount !== seen) continue;
      await guarded(
        new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, pollInterval);
          wake = () => {
            clearTimeout(timer);
            wake = () => undefined;
            resolve();
          };
        }),
      );
    }
    return {
      records: plan.cells.flatMap((c) => {
        const r = recorded.get(c.key);
        return r === undefined ? [] : [r];
      }),
      failed,
      skipped,
      collected,
      duplicates,
      retried,
    };
  } finally {
    options.abortSignal?.removeEventListener('abort', onAbort);
    watch.stop();
    // Bounded: against a Redis that is gone, QueueEvents' close waits for ever (BullMQ 6.7).
    const cut = (p: Promise<void>): Promise<void> => withTimeout(p, lost ? 2000 : 15_000, 'close').catch(() => undefined);
    await Promise.all([cut(queue.close()), cut(events.close())]);
    out.close();
  }
}
