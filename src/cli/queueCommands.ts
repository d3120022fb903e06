/** `blindspots study --queue` (the coordinator) and `blindspots worker`. */
import { availableParallelism, hostname } from 'node:os';
import { fail } from '../errors.js';
import type { StudyFile } from '../study/spec/prepare.js';
import { runStudyOnQueueOf, type QueueStatus } from '../study/run/queue/coordinator.js';
import { startQueueWorkerOf, type QueueWorkerEvent } from '../study/run/queue/queueWorker.js';
import { formatPaperTable, formatStudyTable } from '../study/report/tables.js';
import { warnDisagreements } from './disagreements.js';
import { intFlag, secondsFlag, type StudyFlags, type WorkerFlags } from './flags.js';

function eta(s: QueueStatus): string {
  return s.etaSeconds === undefined ? '' : `, ETA ${s.etaSeconds.toFixed(0)} s`;
}

/** `3/40 done, 2 running, 0 failed, 35 waiting, ETA 120 s`. */
function summary(s: QueueStatus): string {
  return `${String(s.done)}/${String(s.total)} done, ${String(s.running.length)} running, ${String(s.failed.length)} failed, ${String(s.waiting)} waiting${eta(s)}`;
}

let shownLine = false;
/** The status line of a terminal, redrawn in place (a log gets the per-cell lines only). */
function statusLine(s: QueueStatus | undefined): void {
  if (!process.stderr.isTTY) return;
  if (s === undefined) {
    if (shownLine) process.stderr.write('\r\x1b[K');
    shownLine = false;
    return;
  }
  const cells = s.running
    .slice(0, 3)
    .map((r) => `${r.cell.model}/${r.cell.signal}${r.fraction === undefined ? '' : ` ${(100 * r.fraction).toFixed(0)}%`}`)
    .join(', ');
  const more = s.running.length > 3 ? ` +${String(s.running.length - 3)}` : '';
  const line = `queue: ${summary(s)}${cells === '' ? '' : ` [${cells}${more}]`}`;
  process.stderr.write(`\r\x1b[K${line.slice(0, Math.max(20, (process.stderr.columns || 120) - 1))}`);
  shownLine = true;
}

/**
 * `blindspots study <config> --queue redis://…`: enqueues the study's cells without a record and
 * collects the workers' records into the results file; prints the tables when every cell is
 * done. Exit 1 when cells failed for good (listed; running the same command again retries them).
 */
export async function queueStudyCommand(file: StudyFile, flags: StudyFlags): Promise<number> {
  const cmd = 'blindspots study';
  for (const [flag, value] of [
    ['--parallel', flags.parallel],
    ['--shard', flags.shard],
  ] as const) {
    if (value !== undefined)
      throw fail('INVALID_ARGUMENT', cmd, flag, `no ${flag} with --queue (workers' --concurrency sets how many cells run at once)`, value);
  }
  const queue = flags.queue as string;
  const threads = intFlag(cmd, '--threads', flags.threads);
  const redisTimeoutMs = secondsFlag(cmd, '--redis-timeout', flags.redisTimeout);
  let announced = false;
  const result = await runStudyOnQueueOf(
    file,
    {
      queue,
      ...(flags.queueName === undefined ? {} : { queueName: flags.queueName }),
      ...(threads === undefined ? {} : { threads }),
      ...(redisTimeoutMs === undefined ? {} : { redisTimeoutMs }),
      onWarning: (m) => {
        statusLine(undefined);
        process.stderr.write(`warning: ${m}\n`);
      },
      onDisagreement: (d) => {
        statusLine(undefined);
        warnDisagreements([d]);
      },
      onStatus: (s) => {
        if (!announced) {
          announced = true;
          process.stderr.write(
            `study: ${String(s.total)} cells on ${queue} (queue ${flags.queueName ?? 'blindspots'}); results: ${file.results ?? '?'}` +
              `${s.done > 0 ? ` — ${String(s.done)} already done` : ''}; start workers with: blindspots worker --queue ${queue}\n`,
          );
        }
        statusLine(s);
      },
      onCell: (r, s) => {
        statusLine(undefined);
        process.stderr.write(
          `[${String(s.done)}/${String(s.total)}] ${r.model} on ${r.signal} (seed ${String(r.seed)}) on ${r.host}: ${(100 * r.accuracy).toFixed(1)}%` +
            `${r.shuffledAccuracy === null ? '' : ` (shuffled ${(100 * r.shuffledAccuracy).toFixed(1)}%)`} in ${r.fitSeconds.toFixed(1)} s; ` +
            `${String(s.running.length)} running, ${String(s.failed.length)} failed${eta(s)}\n`,
        );
      },
    },
    cmd,
  );
  statusLine(undefined);
  process.stderr.write(
    `study: ${String(result.records.length)} cells recorded (${String(result.skipped)} were already, ${String(result.collected)} collected now` +
      `${result.duplicates > 0 ? `, ${String(result.duplicates)} duplicate deliveries dropped` : ''}` +
      `${result.retried > 0 ? `, ${String(result.retried)} failed cells retried` : ''})\n`,
  );
  if (result.records.length > 0) {
    console.log(formatStudyTable(result.records));
    console.log(`\n${formatPaperTable(result.records)}`);
  }
  if (result.failed.length === 0) return 0;
  process.stderr.write(`study: ${String(result.failed.length)} cells failed:\n`);
  for (const f of result.failed)
    process.stderr.write(`  ${f.cell.model} on ${f.cell.signal} (seed ${String(f.cell.seed)}, key ${f.cell.key}): ${f.reason}\n`);
  process.stderr.write('study: fix the cause and run the same command again to retry them\n');
  return 1;
}

/**
 * `blindspots worker --queue redis://…`: pulls cells until stopped (SIGINT/SIGTERM: running cells
 * finish first; a second signal stops at once) or, with `--idle-exit`, until the queue has been
 * empty that long. One line per cell on stderr.
 */
export async function workerCommand(flags: WorkerFlags): Promise<number> {
  const cmd = 'blindspots worker';
  const threads = intFlag(cmd, '--threads', flags.threads);
  const cores = availableParallelism();
  const concurrencyGiven = intFlag(cmd, '--concurrency', flags.concurrency);
  const concurrency = concurrencyGiven ?? Math.max(1, Math.floor(cores / (threads ?? 1)));
  if (concurrencyGiven !== undefined && concurrency * (threads ?? 1) > cores) {
    throw fail(
      'INVALID_ARGUMENT',
      cmd,
      '--concurrency',
      `cells x threads per cell within the ${String(cores)} cores (concurrency <= ${String(Math.max(1, Math.floor(cores / (threads ?? 1))))} with ${String(threads ?? 1)} threads)`,
      `${String(concurrency)} x ${String(threads ?? 1)}`,
    );
  }
  const idleExitMs = flags.idleExit === undefined ? undefined : (secondsFlag(cmd, '--idle-exit', flags.idleExit) as number);
  const lockDurationMs = secondsFlag(cmd, '--lock-duration', flags.lockDuration);
  const stalledIntervalMs = secondsFlag(cmd, '--stalled-interval', flags.stalledInterval);
  const redisTimeoutMs = secondsFlag(cmd, '--redis-timeout', flags.redisTimeout);
  const name = `${hostname()}:${String(process.pid)}`;
  const log = (e: QueueWorkerEvent): void => {
    const what = (c: { model: string; signal: string; seed: number; key: string }): string =>
      `${c.model} on ${c.signal} (seed ${String(c.seed)}, key ${c.key})`;
    if (e.type === 'started')
      process.stderr.write(`worker ${name}: started ${what(e.cell)}${e.attempt > 1 ? `, run ${String(e.attempt)}` : ''}\n`);
    else if (e.type === 'completed')
      process.stderr.write(`worker ${name}: done ${what(e.cell)}: ${(100 * e.record.accuracy).toFixed(1)}% in ${e.seconds.toFixed(1)} s\n`);
    else if (e.type === 'failed')
      process.stderr.write(
        `worker ${name}: failed ${e.cell === undefined ? 'a cell' : what(e.cell)}${e.final ? '' : ' (will retry)'}: ${e.reason}\n`,
      );
    else process.stderr.write(`warning: ${e.message}\n`);
  };
  const worker = await startQueueWorkerOf(
    {
      queue: flags.queue,
      concurrency,
      ...(flags.queueName === undefined ? {} : { queueName: flags.queueName }),
      ...(threads === undefined ? {} : { threads }),
      ...(flags.data === undefined ? {} : { data: flags.data }),
      ...(idleExitMs === undefined ? {} : { idleExitMs }),
      ...(lockDurationMs === undefined ? {} : { lockDurationMs }),
      ...(stalledIntervalMs === undefined ? {} : { stalledIntervalMs }),
      ...(redisTimeoutMs === undefined ? {} : { redisTimeoutMs }),
      onEvent: log,
    },
    cmd,
  );
  process.stderr.write(
    `worker ${name}: pulling cells from ${flags.queue} (queue ${flags.queueName ?? 'blindspots'}), ${String(concurrency)} at once` +
      `${threads === undefined ? '' : ` x ${String(threads)} threads`}\n`,
  );
  let signals = 0;
  const stop = (signal: NodeJS.Signals): void => {
    signals++;
    process.stderr.write(
      signals === 1
        ? `worker ${name}: ${signal}: finishing the running cells (again to stop at once)\n`
        : `worker ${name}: ${signal}: stopping now; the running cells go back to the queue when their lock expires\n`,
    );
    void worker.close(signals > 1);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  try {
    await worker.done;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
  process.stderr.write(`worker ${name}: stopped\n`);
  return 0;
}
