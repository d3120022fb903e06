/**
 * A queue worker: pulls cells from a BullMQ queue on Redis and runs each in a child process
 * (cellJobProcessor.ts), returning its record as the job's result.
 */
import { createRequire } from 'node:module';
import { hostname } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Job, Queue } from 'bullmq';
import { fail } from '../../../errors.js';
import { checkInteger } from '../../../validate.js';
import type { Cell } from '../../spec/plan.js';
import type { CellRecord } from '../../store/cellRecord.js';
import { WORKER_ENV, type ChildOptions } from './cellProcessSettings.js';
import { bullConnection, parseRedisUrlOf, probeRedisOf, RedisWatch, redisWarnings, withTimeout } from './connection.js';
import { loadBullmq, loadIoredis } from './deps.js';
import { DEFAULT_QUEUE_NAME, QUEUE_SETTINGS, type CellJobData } from './job.js';

/** Options of {@link startQueueWorker}. */
export interface QueueWorkerOptions {
  /** The Redis URL, `redis://host:6379/0`. */
  readonly queue: string;
  /** The queue's name; default `blindspots` (the coordinator's must match). */
  readonly queueName?: string;
  /** Cells at once, each in its own child process; default 1. */
  readonly concurrency?: number;
  /**
   * Threads per cell for the models whose threads do not change the result (forests): the
   * machine's choice. Models whose results depend on threads keep the coordinator's (it is part
   * of their key).
   */
  readonly threads?: number;
  /** Where this machine keeps the dataset folder or file the jobs name, when not at the coordinator's path. */
  readonly data?: string;
  /** BullMQ lock duration; default {@link QUEUE_SETTINGS}.lockDurationMs. Short values are for tests. */
  readonly lockDurationMs?: number;
  /** BullMQ stalled-job check interval; default {@link QUEUE_SETTINGS}.stalledIntervalMs. */
  readonly stalledIntervalMs?: number;
  /** Times a cell may lose its worker before it fails; default {@link QUEUE_SETTINGS}.maxStalledCount. */
  readonly maxStalledCount?: number;
  /** Give up (QUEUE_UNAVAILABLE) after Redis has not answered for this long; default {@link QUEUE_SETTINGS}.redisTimeoutMs. */
  readonly redisTimeoutMs?: number;
  /** Stop once the queue has had no waiting, delayed or running cell for this long (batch jobs); default: run until closed. */
  readonly idleExitMs?: number;
  /** What happens, for logs: a cell started, finished, failed; warnings about the Redis. */
  readonly onEvent?: (event: QueueWorkerEvent) => void;
}

/** Events of a queue worker. */
export type QueueWorkerEvent =
  | { readonly type: 'started'; readonly cell: Cell; readonly attempt: number }
  | { readonly type: 'completed'; readonly cell: Cell; readonly record: CellRecord; readonly seconds: number }
  | { readonly type: 'failed'; readonly cell: Cell | undefined; readonly reason: string; readonly final: boolean }
  | { readonly type: 'warning'; readonly message: string };

/** A running queue worker. */
export interface QueueWorker {
  /** Settles when the worker has stopped: resolves after `close()` or an idle exit, rejects with QUEUE_UNAVAILABLE when Redis is lost. */
  readonly done: Promise<void>;
  /**
   * Stops taking cells. Graceful by default: running cells finish and are recorded; `force`
   * kills their processes at once (those cells are run again elsewhere once their lock expires).
   */
  close(force?: boolean): Promise<void>;
}

/**
 * How the cell processes are started: the built `cellJobProcessor.js` next to this file; from the
 * TypeScript sources (the library's own tests), `cellJobProcessor.ts` with tsx's loader — the parent's
 * own loader flags are dropped, since the child may start elsewhere and needs an absolute path.
 */
function processorSetup(): { file: string; execArgv: string[] } {
  const here = import.meta.url;
  const ts = here.endsWith('.ts');
  const execArgv: string[] = [];
  const args = process.execArgv;
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    // The parent's --input-type (node -e scripts) would make the child refuse its file.
    if (a.startsWith('--input-type')) continue;
    if (ts && ['--import', '--loader', '--require', '-r', '--experimental-loader'].includes(a) && (args[i + 1] ?? '').includes('tsx')) {
      i++;
      continue;
    }
    if (ts && /^--(import|loader|require|experimental-loader)=.*tsx/.test(a)) continue;
    execArgv.push(a);
  }
  if (ts) execArgv.push('--import', pathToFileURL(createRequire(here).resolve('tsx')).href);
  return { file: fileURLToPath(new URL(ts ? './cellJobProcessor.ts' : './cellJobProcessor.js', here)), execArgv };
}

/**
 * Starts a queue worker: checks the Redis (QUEUE_UNAVAILABLE at once if it does not answer),
 * then pulls cells and runs each in a child process (BullMQ's sandboxed processor, not a worker
 * thread: a crash or an out-of-memory in a cell takes down only its process, and a wasm training
 * step never blocks the lock renewals of this process). Each child makes the data once, from the
 * job's data section, and refuses a job whose data hashes or library version differ from the
 * coordinator's (DATA_MISMATCH, not retried). Lock, stalled-check and retry settings: see
 * {@link QUEUE_SETTINGS}.
 *
 * @example
 * ```ts
 * import { startQueueWorker } from 'blindspots/queue';
 * // A batch job: stops once the queue has had nothing to run for a second (idleExitMs).
 * const worker = await startQueueWorker({ queue: 'redis://localhost:6379', concurrency: 2, idleExitMs: 1000 });
 * const stop = (): void => void worker.close(); // graceful: running cells finish and are recorded
 * process.once('SIGTERM', stop);
 * await worker.done;
 * process.off('SIGTERM', stop);
 * ```
 */
export async function startQueueWorker(options: QueueWorkerOptions): Promise<QueueWorker> {
  return startQueueWorkerOf(options, 'startQueueWorker');
}

/**
 * {@link startQueueWorker} on behalf of `fn`, the function the user called, which its errors name.
 *
 * @example
 * ```ts
 * import { startQueueWorkerOf } from './queueWorker.js'; // internal
 * await startQueueWorkerOf({ queue: 'redis://localhost:6379', concurrency: 0 }, 'blindspots worker');
 * //=> throws INVALID_ARGUMENT blindspots worker: argument 'concurrency'
 * ```
 */
export async function startQueueWorkerOf(options: QueueWorkerOptions, fn: string): Promise<QueueWorker> {
  const target = parseRedisUrlOf(options.queue, fn);
  const queueName = options.queueName ?? DEFAULT_QUEUE_NAME;
  if (typeof queueName !== 'string' || !/^[\w.-]+$/.test(queueName))
    throw fail('INVALID_ARGUMENT', fn, 'queueName', 'a name of letters, digits, _ . -', JSON.stringify(queueName));
  const concurrency = checkInteger(fn, 'concurrency', options.concurrency ?? 1, 1, 1024);
  const threads = options.threads === undefined ? undefined : checkInteger(fn, 'threads', options.threads, 1, 1024);
  const lockDuration = checkInteger(fn, 'lockDurationMs', options.lockDurationMs ?? QUEUE_SETTINGS.lockDurationMs, 100, 86_400_000);
  const stalledInterval = checkInteger(
    fn,
    'stalledIntervalMs',
    options.stalledIntervalMs ?? QUEUE_SETTINGS.stalledIntervalMs,
    100,
    86_400_000,
  );
  const maxStalledCount = checkInteger(fn, 'maxStalledCount', options.maxStalledCount ?? QUEUE_SETTINGS.maxStalledCount, 0, 1000);
  const redisTimeout = checkInteger(fn, 'redisTimeoutMs', options.redisTimeoutMs ?? QUEUE_SETTINGS.redisTimeoutMs, 100, 86_400_000);
  const idleExit = options.idleExitMs === undefined ? undefined : checkInteger(fn, 'idleExitMs', options.idleExitMs, 0, 86_400_000);
  if (options.data !== undefined && (typeof options.data !== 'string' || options.data.length === 0))
    throw fail('INVALID_ARGUMENT', fn, 'data', 'a path', JSON.stringify(options.data));
  const emit = options.onEvent ?? (() => undefined);
  // Optional peer dependencies: MISSING_DEPENDENCY before anything else.
  const { Queue, Worker } = await loadBullmq(fn);
  await loadIoredis(fn);

  const info = await probeRedisOf(target, fn, Math.min(5000, redisTimeout));
  for (const message of redisWarnings(info)) emit({ type: 'warning', message: `${target.url}: ${message}` });

  const child: ChildOptions = {
    ...(threads === undefined ? {} : { threads }),
    ...(options.data === undefined ? {} : { data: options.data }),
  };
  const { file, execArgv } = processorSetup();
  const connection = bullConnection(target);
  const worker = new Worker<CellJobData, CellRecord>(queueName, file, {
    connection: connection.options,
    concurrency,
    name: `${hostname()}:${String(process.pid)}`,
    useWorkerThreads: false,
    workerForkOptions: { execArgv, env: { ...process.env, [WORKER_ENV]: JSON.stringify(child) } },
    lockDuration,
    stalledInterval,
    maxStalledCount,
    autorun: false,
  });
  const started = new Map<string, number>();
  worker.on('active', (job: Job<CellJobData, CellRecord>) => {
    started.set(job.id ?? '', Date.now());
    emit({ type: 'started', cell: job.data.cell, attempt: job.attemptsStarted });
  });
  worker.on('completed', (job: Job<CellJobData, CellRecord>, record: CellRecord) => {
    const t = started.get(job.id ?? '') ?? Date.now();
    started.delete(job.id ?? '');
    emit({ type: 'completed', cell: job.data.cell, record, seconds: (Date.now() - t) / 1000 });
  });
  worker.on('failed', (job: Job<CellJobData, CellRecord> | undefined, error: Error) => {
    if (job?.id !== undefined) started.delete(job.id);
    const final = error.name === 'UnrecoverableError' || (job !== undefined && job.attemptsMade >= (job.opts.attempts ?? 1));
    emit({ type: 'failed', cell: job?.data.cell, reason: error.message, final });
  });
  // Connection errors while Redis is away: BullMQ reconnects, the watch decides when to give up.
  worker.on('error', () => undefined);

  const watch = new RedisWatch(target, fn, redisTimeout);
  // Redis gone for good: BullMQ's clients stop reconnecting, so that closing them ends.
  watch.lost.catch(() => connection.stop());
  let idleQueue: Queue | undefined;
  let idleTimer: NodeJS.Timeout | undefined;
  let closing: Promise<void> | undefined;
  let resolveDone: () => void = () => undefined;
  let rejectDone: (e: Error) => void = () => undefined;
  const done = new Promise<void>((resolve, reject) => {
    resolveDone = resolve;
    rejectDone = reject;
  });
  const close = (force = false, error?: Error): Promise<void> => {
    closing ??= (async () => {
      clearInterval(idleTimer);
      watch.stop();
      if (error === undefined) await worker.close(force);
      else {
        // Redis is gone: the cells' processes are killed (their cells run again elsewhere), and
        // closing is bounded all the same, so that the error is reported rather than a hang.
        await withTimeout(worker.close(true), 2000, 'close').catch(() => undefined);
      }
      if (idleQueue !== undefined)
        await withTimeout(idleQueue.close(), error === undefined ? 15_000 : 2000, 'close').catch(() => undefined);
      if (error === undefined) resolveDone();
      else rejectDone(error);
    })();
    return closing;
  };
  watch.lost.catch((e: Error) => close(true, e));

  if (idleExit !== undefined) {
    idleQueue = new Queue(queueName, { connection: connection.options });
    idleQueue.on('error', () => undefined);
    let idleSince = Date.now();
    idleTimer = setInterval(
      () => {
        void (async () => {
          const counts = await idleQueue?.getJobCounts('wait', 'active', 'delayed', 'prioritized', 'waiting-children');
          const busy = counts === undefined || Object.values(counts).some((n) => n > 0) || started.size > 0;
          if (busy) idleSince = Date.now();
          else if (Date.now() - idleSince >= idleExit) void close();
        })().catch(() => undefined);
      },
      Math.max(50, Math.min(1000, idleExit / 2)),
    );
  }
  // run() resolves when the worker is closed; its errors (not connection ones) end the worker.
  worker.run().catch((e: unknown) => close(true, e instanceof Error ? e : new Error(String(e))));
  return { done, close: (force?: boolean) => close(force) };
}
