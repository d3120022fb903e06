/**
 * The BullMQ queue on a real redis-server (no mock): coordinator and workers against a single
 * process run, a worker killed with -9 in the middle of a cell, a coordinator killed and
 * restarted, Redis killed mid-run, unreachable and wrong URLs, and data that differs between
 * coordinator and worker.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue, QueueEvents } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main as cli } from '../../../../src/cli/program.js';
import { BlindspotsError } from '../../../../src/errors.js';
import { planStudy, prepareStudy, readResults, runStudy, type CellRecord, type StudyFile } from '../../../../src/study/index.js';
import {
  bullConnection,
  parseRedisUrl,
  runStudyOnQueue,
  startQueueWorker,
  type CellJobData,
  type QueueWorker,
  type QueueWorkerOptions,
} from '../../../../src/queue/index.js';
import { writeIdxFolder } from '../../../conformance/fixtures.js';
import { freePort, REDIS_SERVER, startRedis, type RedisServer } from '../../../helpers/redisServer.js';

if (REDIS_SERVER === undefined)
  console.warn('redis-server is not installed: the queue tests are skipped (Debian: apt-get install redis-server)');

const root = join(import.meta.dirname, '../../../..');
const dir = mkdtempSync(join(tmpdir(), 'queue-'));
const idx = writeIdxFolder(join(dir, 'idx'), { train: 90, test: 30, side: 10, classes: 3 });
const study: StudyFile = {
  dataset: { idx },
  signals: ['onePixel', 'meanShift', 'orthogonalNoise'],
  models: ['decisionTree', 'gaussianNB'],
};

/** What two runs of the same cell share: everything but timings and the host. */
const stable = (rs: readonly CellRecord[]) =>
  rs.map(({ fitSeconds: _t, finishedAt: _f, host: _h, ...rest }) => rest).sort((a, b) => (a.key < b.key ? -1 : 1));

/** Per-key counts of the cells workers finished (a cell run twice counts 2). */
function counter(): { counts: Map<string, number>; onEvent: NonNullable<QueueWorkerOptions['onEvent']> } {
  const counts = new Map<string, number>();
  return { counts, onEvent: (e) => e.type === 'completed' && counts.set(e.cell.key, (counts.get(e.cell.key) ?? 0) + 1) };
}

/** The CLI (from the TypeScript sources) as a child process, one process (no huge-page relaunch) so that a kill reaches it. */
function cliProcess(args: string[]): { proc: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const proc = spawn(process.execPath, ['--import', 'tsx', join(root, 'src/cli/main.ts'), ...args], {
    cwd: root,
    env: { ...process.env, BLINDSPOTS_NO_HUGETLB: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout?.on('data', (b: Buffer) => (out += b.toString()));
  proc.stderr?.on('data', (b: Buffer) => (out += b.toString()));
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  return { proc, output: () => out, exited };
}

async function until(what: string, condition: () => boolean, timeoutMs = 90_000): Promise<void> {
  const t0 = Date.now();
  while (!condition()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The PIDs of a process's children, from /proc (Linux). */
function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) out.push(Number(entry));
    } catch {
      // Gone meanwhile.
    }
  }
  return out;
}

/** A process that exists and is not a zombie. */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${String(pid)}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

const count = (path: string): number =>
  existsSync(path)
    ? readFileSync(path, 'utf8')
        .split('\n')
        .filter((l) => l.length > 0).length
    : 0;

describe.skipIf(REDIS_SERVER === undefined)('queue: BullMQ on Redis', () => {
  let redis: RedisServer;
  // Two workers in this process (their cells run in child processes), shared by the tests on queue "main".
  const main = counter();
  const workers: QueueWorker[] = [];

  // Short Redis timeout and lock, for test (e) which kills this Redis under them.
  const mainOptions = { queueName: 'main', redisTimeoutMs: 2000, lockDurationMs: 5000, stalledIntervalMs: 1000 };
  beforeAll(async () => {
    redis = await startRedis(dir, { aof: true });
    for (let i = 0; i < 2; i++) {
      const worker = await startQueueWorker({ queue: redis.url, ...mainOptions, onEvent: main.onEvent });
      worker.done.catch(() => undefined);
      workers.push(worker);
    }
  });
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.close(true)));
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('(a) two workers and a coordinator record what a single process records', async () => {
    const single = await runStudy(prepareStudy(study));
    const results = join(dir, 'a.jsonl');
    const r = await runStudyOnQueue({ ...study, results }, { queue: redis.url, queueName: 'main', pollIntervalMs: 200 });
    expect(r.failed).toEqual([]);
    expect(r).toMatchObject({ skipped: 0, collected: single.length, duplicates: 0 });
    expect(stable(readResults(results))).toEqual(stable(single));
    // In plan order, as runStudy returns them.
    expect(r.records.map((x) => x.key)).toEqual(single.map((x) => x.key));
    expect([...main.counts.values()].every((n) => n === 1)).toBe(true);
    // A rerun finds every cell recorded: nothing is enqueued, nothing runs.
    const before = [...main.counts.values()].reduce((a, b) => a + b, 0);
    const again = await runStudyOnQueue({ ...study, results }, { queue: redis.url, queueName: 'main', pollIntervalMs: 200 });
    expect(again).toMatchObject({ skipped: single.length, collected: 0 });
    expect([...main.counts.values()].reduce((a, b) => a + b, 0)).toBe(before);
    expect(readResults(results)).toHaveLength(single.length);
  }, 120_000);

  it('(c) a coordinator killed with -9 and restarted collects what finished meanwhile and re-enqueues nothing done', async () => {
    const file = { ...study, seeds: [1, 2], results: join(dir, 'c.jsonl') };
    const config = join(dir, 'c.json');
    writeFileSync(config, JSON.stringify(file));
    const total = planStudy(prepareStudy(file)).cells.length;
    main.counts.clear();
    const coordinator = cliProcess(['study', config, '--queue', redis.url, '--queue-name', 'main']);
    await until('the first record', () => count(file.results) >= 1);
    coordinator.proc.kill('SIGKILL');
    await coordinator.exited;
    const atKill = count(file.results);
    // The workers go on while no coordinator watches.
    await until('the workers to finish every cell', () => [...main.counts.keys()].length === total);
    const r = await runStudyOnQueue(file, { queue: redis.url, queueName: 'main', pollIntervalMs: 200 });
    expect(r.failed).toEqual([]);
    expect(r.skipped).toBe(atKill);
    expect(r.collected).toBe(total - atKill);
    // Every cell ran once: none of the recorded ones was enqueued again, none was lost.
    expect([...main.counts.values()]).toEqual(new Array(total).fill(1));
    const records = readResults(file.results);
    expect(new Set(records.map((x) => x.key)).size).toBe(total);
    expect(records).toHaveLength(total);
    // Collected jobs are removed: Redis holds no finished cell of the study.
    const queue = new Queue('main', { connection: bullConnection(parseRedisUrl(redis.url)).options });
    expect(await queue.getJobCounts('completed', 'wait', 'active', 'failed')).toEqual({ completed: 0, wait: 0, active: 0, failed: 0 });
    await queue.close();
  }, 120_000);

  it('(b) a worker killed with -9 in the middle of a cell: another worker runs it, one record per cell, none lost', async () => {
    const file: StudyFile = {
      dataset: { idx },
      signals: [],
      models: ['resnet', 'gaussianNB', 'decisionTree', 'logisticRegression'],
      modelOptions: { resnet: { depth: 8, width: 4, epochs: 150, batchSize: 32 } },
      results: join(dir, 'b.jsonl'),
    };
    const slow = planStudy(prepareStudy(file)).cells.find((c) => c.model === 'resnet')?.key as string;
    const flags = ['--queue', redis.url, '--queue-name', 'kill', '--concurrency', '1', '--lock-duration', '3', '--stalled-interval', '1'];
    const a = cliProcess(['worker', ...flags]);
    const b = cliProcess(['worker', ...flags]);
    try {
      await until('both workers', () => a.output().includes('pulling cells') && b.output().includes('pulling cells'));
      let training = false;
      let finished = false;
      const coordinator = runStudyOnQueue(file, {
        queue: redis.url,
        queueName: 'kill',
        pollIntervalMs: 200,
        onStatus: (s) => (training ||= s.running.some((r) => r.cell.key === slow && r.fraction !== undefined)),
      });
      coordinator.then(
        () => (finished = true),
        () => (finished = true),
      );
      await until('the ResNet cell to train', () => training || finished, 150_000);
      if (!training) throw new Error('the ResNet cell ended before it was seen training: give it more epochs');
      const [victim, survivor] = a.output().includes(`started resnet on clean (seed 0, key ${slow})`) ? [a, b] : [b, a];
      const cellProcesses = childrenOf(victim.proc.pid as number);
      expect(cellProcesses.length).toBeGreaterThan(0);
      victim.proc.kill('SIGKILL');
      // The victim's cell process notices and dies too, rather than training on for nothing.
      await until('the cell process of the killed worker to exit', () => !cellProcesses.some(alive), 10_000);
      const r = await coordinator;
      expect(r.failed).toEqual([]);
      expect(survivor.output()).toContain(`started resnet on clean (seed 0, key ${slow})`);
      const records = readResults(file.results as string);
      expect(records.map((x) => x.key).sort()).toEqual(
        planStudy(prepareStudy(file))
          .cells.map((c) => c.key)
          .sort(),
      );
      expect(records.find((x) => x.key === slow)?.params).toMatchObject({ epochs: 150 });
    } finally {
      a.proc.kill('SIGKILL');
      b.proc.kill('SIGKILL');
    }
  }, 300_000);

  it('a worker with other data refuses its cells (DATA_MISMATCH, not retried); the coordinator lists them, a rerun retries them', async () => {
    // A worker whose copy of the dataset (--data) holds other images than the coordinator's.
    const copy = writeIdxFolder(join(dir, 'idx-copy'), { train: 90, test: 30, side: 10, classes: 3, seed: 'other images' });
    const worker = await startQueueWorker({ queue: redis.url, queueName: 'other', data: copy });
    try {
      const file = { ...study, signals: ['onePixel'], results: join(dir, 'mismatch.jsonl') };
      const total = planStudy(prepareStudy(file)).cells.length;
      const first = await runStudyOnQueue(file, { queue: redis.url, queueName: 'other', pollIntervalMs: 200 });
      expect(first.records).toEqual([]);
      expect(first.failed).toHaveLength(total);
      for (const f of first.failed)
        expect(f.reason).toMatch(/^DATA_MISMATCH: blindspots worker: the data \(train split\) differs from the coordinator's/);
      const queue = new Queue('other', { connection: bullConnection(parseRedisUrl(redis.url)).options });
      try {
        // Refused at the first run: not retried.
        for (const f of first.failed) expect((await queue.getJob(f.cell.key))?.attemptsMade).toBe(1);
      } finally {
        await queue.close();
      }
      // The copy fixed, the same command again retries the failed cells.
      writeIdxFolder(copy, { train: 90, test: 30, side: 10, classes: 3 });
      const second = await runStudyOnQueue(file, { queue: redis.url, queueName: 'other', pollIntervalMs: 200 });
      expect(second).toMatchObject({ failed: [], retried: total, collected: total });
    } finally {
      await worker.close(true);
    }
  }, 120_000);

  it('refuses a job planned by another library version (DATA_MISMATCH)', async () => {
    const plan = planStudy(prepareStudy(study));
    const cell = plan.cells[0];
    if (cell === undefined) throw new Error('no cell');
    const connection = bullConnection(parseRedisUrl(redis.url)).options;
    const queue = new Queue('main', { connection });
    const events = new QueueEvents('main', { connection });
    await events.waitUntilReady();
    try {
      const job = await queue.add('mismatch', { cell, data: study, identity: plan.data, version: '0.0.1' } satisfies CellJobData, {
        jobId: 'mismatch-version',
        attempts: 3,
      });
      await expect(job.waitUntilFinished(events, 60_000)).rejects.toThrow(
        /^DATA_MISMATCH: blindspots worker: the version differs from the coordinator's: planned blindspots 0.0.1/,
      );
      expect((await queue.getJob('mismatch-version'))?.attemptsMade).toBe(1);
      await job.remove();
    } finally {
      await events.close();
      await queue.close();
    }
  }, 60_000);

  it('an unreachable Redis, a silent server and a malformed URL are typed errors within seconds', async () => {
    const nobody = `redis://127.0.0.1:${String(await freePort())}/0`;
    const silent = createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const address = silent.address();
    const mute = `redis://127.0.0.1:${String(typeof address === 'object' && address !== null ? address.port : 0)}`;
    try {
      const t0 = Date.now();
      await expect(runStudyOnQueue({ ...study, results: join(dir, 'x.jsonl') }, { queue: nobody })).rejects.toMatchObject({
        code: 'QUEUE_UNAVAILABLE',
        message: expect.stringContaining(nobody) as string,
      });
      await expect(startQueueWorker({ queue: mute, redisTimeoutMs: 1000 })).rejects.toMatchObject({
        code: 'QUEUE_UNAVAILABLE',
        message: expect.stringContaining(mute) as string,
      });
      expect(Date.now() - t0).toBeLessThan(20_000);
      await expect(startQueueWorker({ queue: 'http://127.0.0.1:6379' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
      await expect(startQueueWorker({ queue: 'redis://127.0.0.1:6379/x' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
      await expect(runStudyOnQueue(study, { queue: redis.url })).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
        details: { arg: 'results' },
      });
      // Through the CLI: the message names the URL, the exit code is 2.
      const err = vi.spyOn(console, 'error').mockImplementation(() => undefined);
      try {
        expect(await cli(['worker', '--queue', nobody, '--redis-timeout', '1'])).toBe(2);
        expect(err).toHaveBeenCalledWith(expect.stringMatching(new RegExp(`^blindspots worker: no Redis at ${nobody}: .*ECONNREFUSED`)));
        const config = join(dir, 'x.json');
        writeFileSync(config, JSON.stringify({ ...study, results: join(dir, 'x.jsonl') }));
        expect(await cli(['study', config, '--queue', redis.url, '--parallel', '2'])).toBe(2);
        expect(err).toHaveBeenLastCalledWith(expect.stringContaining('no --parallel with --queue'));
      } finally {
        err.mockRestore();
      }
    } finally {
      silent.close();
    }
  });

  it('(e) Redis killed mid-run: typed errors; Redis and coordinator restarted finish the study, one record per cell', async () => {
    // Cells of about a second (a small ResNet), so that the kill finds most of them unfinished.
    const file: StudyFile = {
      ...study,
      signals: ['onePixel', 'meanShift'],
      models: ['resnet', 'decisionTree', 'gaussianNB'],
      modelOptions: { resnet: { depth: 8, width: 4, epochs: 8, batchSize: 32 } },
      seeds: [5],
      results: join(dir, 'e.jsonl'),
    };
    const results = file.results as string;
    const keys = planStudy(prepareStudy(file))
      .cells.map((c) => c.key)
      .sort();
    let killed = false;
    const t0 = Date.now();
    const coordinator = runStudyOnQueue(file, {
      ...mainOptions,
      queue: redis.url,
      pollIntervalMs: 200,
      onCell: () => {
        if (!killed) void redis.stop('SIGKILL');
        killed = true;
      },
    });
    const error = await coordinator.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(BlindspotsError);
    expect(error).toMatchObject({ code: 'QUEUE_UNAVAILABLE', message: expect.stringContaining(redis.url) as string });
    for (const worker of workers) await expect(worker.done).rejects.toMatchObject({ code: 'QUEUE_UNAVAILABLE' });
    expect(Date.now() - t0).toBeLessThan(60_000);
    const before = count(results);
    expect(before).toBeGreaterThanOrEqual(1);
    expect(before).toBeLessThan(keys.length);

    // Back with its append-only file: queued, running and finished-but-uncollected cells are still there.
    redis = await startRedis(dir, { aof: true, port: redis.port });
    const worker = await startQueueWorker({ queue: redis.url, ...mainOptions });
    try {
      const r = await runStudyOnQueue(file, { ...mainOptions, queue: redis.url, pollIntervalMs: 200 });
      expect(r.failed).toEqual([]);
      expect(r.skipped).toBe(before);
      const records = readResults(results);
      expect(records.map((x) => x.key).sort()).toEqual(keys);
    } finally {
      await worker.close(true);
    }
  }, 120_000);
});
