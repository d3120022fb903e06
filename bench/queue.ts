/**
 * Benchmark: a study run by one process against the same study on a BullMQ queue served by two
 * workers on this machine (their own redis-server, started and stopped here), and the queue's
 * overhead per cell: trivial cells (Gaussian naive Bayes on a tiny dataset) run in process
 * (`runStudy`) and through the queue by one warm worker, one at a time — the difference per cell
 * is what the queue costs (enqueue, Redis round trips, the child process's IPC, collection).
 * Writes its table into docs/scale-out.md (between its markers).
 *
 *   npm run bench:queue -- [--no-write]
 *
 * Workers are `blindspots worker` processes, warmed first (a few cells of another seed) so that
 * their cell processes have started and loaded the data: the figures are those of a running
 * fleet. Both sides write a results file. Needs redis-server.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { prepareStudy, runStudy, type StudyFile } from '../src/study/index.js';
import { parseRedisUrl, probeRedis, runStudyOnQueue } from '../src/queue/index.js';
import { writeIdxFolder } from '../test/conformance/fixtures.js';
import { REDIS_SERVER, startRedis } from '../test/helpers/redisServer.js';
import { benchArgs } from './args.js';

if (REDIS_SERVER === undefined) {
  console.error('redis-server is not installed (Debian: apt-get install redis-server)');
  process.exit(1);
}
const write = !benchArgs('npm run bench:queue -- [--no-write]', { 'no-write': false })['no-write'];
const dir = mkdtempSync(join(tmpdir(), 'bench-queue-'));
const simd = (() => {
  try {
    const flags = /^flags\s*:(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.split(' ') ?? [];
    return ['avx2', 'avx512f'].filter((f) => flags.includes(f)).join(', ') || 'neither avx2 nor avx512f';
  } catch {
    return '?';
  }
})();
const machine = `${String(cpus().length)} cores (${cpus()[0]?.model ?? '?'}; ${simd})`;
console.log(machine);

const redis = await startRedis(dir);
const redisVersion = (await probeRedis(parseRedisUrl(redis.url))).version;
const workers: ChildProcess[] = [];
/** `blindspots worker` processes (the CLI from the sources), as a worker machine runs them. */
function startWorkers(count: number, queueName: string): void {
  for (let i = 0; i < count; i++) {
    const args = ['--import', 'tsx', 'src/cli/main.ts', 'worker', '--queue', redis.url, '--queue-name', queueName, '--concurrency', '1'];
    // detached: a session of its own, hence a scheduling group of its own under Linux's
    // autogroup, as on its own machine (one session's processes share one CPU share).
    workers.push(spawn(process.execPath, args, { stdio: 'ignore', detached: true }));
  }
}
async function stopWorkers(): Promise<void> {
  await Promise.all(workers.splice(0).map((w) => new Promise((resolve) => (w.kill('SIGTERM'), w.once('exit', resolve)))));
}
const seconds = (t0: number): number => (performance.now() - t0) / 1000;
let n = 0;
const results = (): string => join(dir, `r${String(n++)}.jsonl`);

/** A queued run of `file` (fresh results file), planning included; seconds to the last record collected. */
async function queued(file: StudyFile, queueName: string): Promise<number> {
  const t0 = performance.now();
  const r = await runStudyOnQueue({ ...file, results: results() }, { queue: redis.url, queueName });
  if (r.failed.length > 0) throw new Error(`cells failed: ${r.failed.map((f) => f.reason).join('; ')}`);
  return seconds(t0);
}

/** A single-process run of `file`, data preparation included (as the coordinator's); seconds. */
async function local(file: StudyFile): Promise<{ seconds: number; cells: number }> {
  const t0 = performance.now();
  const records = await runStudy({ ...prepareStudy({ ...file, results: results() }), parallel: 1 });
  return { seconds: seconds(t0), cells: records.length };
}

/** Seconds until a CLI run (from the sources, in a session of its own like the workers) exits; throws unless it exits 0. */
function cli(args: string[]): Promise<number> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { stdio: 'ignore', detached: true });
    p.once('exit', (code) => (code === 0 ? resolve(seconds(t0)) : reject(new Error(`blindspots ${args.join(' ')}: exit ${String(code)}`))));
  });
}

/**
 * How much parallelism the machine gives two processes now: a fixed CPU-bound loop in one
 * process, then in two at once (each in a session of its own); 2 x t1 / t2 is 2 on an idle
 * 2-core machine, less when other users' load takes cores.
 */
async function capacity(): Promise<number> {
  const loop = 'let x = 0; for (let i = 0; i < 2e8; i++) x = (x + i * i) % 1000003; if (x < 0) console.log(x);';
  const run = async (k: number): Promise<number> => {
    const t0 = performance.now();
    await Promise.all(
      Array.from(
        { length: k },
        () => new Promise<void>((resolve) => spawn(process.execPath, ['-e', loop], { detached: true }).on('exit', () => resolve())),
      ),
    );
    return seconds(t0);
  };
  return (2 * (await run(1))) / (await run(2));
}

const repeats = 3;
const best = async (f: () => Promise<number>): Promise<number> => {
  let min = Infinity;
  for (let i = 0; i < repeats; i++) min = Math.min(min, await f());
  return min;
};

try {
  // 1. Wall time, as a user sees it: `blindspots study` alone, then `blindspots study --queue`
  //    with two running workers; 12 cells of a second or more. Runs alternate, best of each.
  const idx = writeIdxFolder(join(dir, 'idx-wall'), { train: 1200, test: 400, side: 16, classes: 10 });
  const wall: StudyFile = {
    dataset: { idx },
    signals: ['onePixel', 'orthogonalNoise', 'meanShift'],
    models: ['decisionTree', 'randomForest', 'logisticRegression'],
    modelOptions: { randomForest: { nEstimators: 50 } },
  };
  const config = join(dir, 'wall.json');
  writeFileSync(config, JSON.stringify(wall));
  const cellsWall = 12;
  startWorkers(2, 'wall');
  await queued({ dataset: wall.dataset, signals: wall.signals, models: ['gaussianNB'], seeds: [99] }, 'wall');
  let one = Infinity;
  let two = Infinity;
  let share = 0;
  for (let i = 0; i < repeats; i++) {
    one = Math.min(one, await cli(['study', config, '--results', results(), '--parallel', '1']));
    two = Math.min(two, await cli(['study', config, '--results', results(), '--queue', redis.url, '--queue-name', 'wall']));
    share = Math.max(share, await capacity());
    console.log(
      `run ${String(i + 1)}: one process ${one.toFixed(1)} s, two workers ${two.toFixed(1)} s, parallelism ${share.toFixed(2)} (best so far)`,
    );
  }
  // What both include besides the cells: starting the CLI, making the data, planning (a rerun
  // on a complete results file does only that).
  const complete = results();
  await cli(['study', config, '--results', complete, '--parallel', '1']);
  let fixed = Infinity;
  for (let i = 0; i < repeats; i++) fixed = Math.min(fixed, await cli(['study', config, '--results', complete]));
  console.log(`fixed part (start, data, plan): ${fixed.toFixed(1)} s`);
  await stopWorkers();

  // 2. Overhead per cell: 42 trivial cells, in process vs one worker (one cell at a time).
  const tiny: StudyFile = {
    dataset: { idx: writeIdxFolder(join(dir, 'idx'), { train: 90, test: 30, side: 10, classes: 3 }) },
    signals: 'all',
    models: ['gaussianNB'],
    seeds: [0, 1, 2, 3, 4, 5],
  };
  startWorkers(1, 'overhead');
  await queued({ ...tiny, seeds: [99] }, 'overhead');
  let cells = 0;
  const inProcess = await best(async () => {
    const r = await local(tiny);
    cells = r.cells;
    return r.seconds;
  });
  const viaQueue = await best(() => queued(tiny, 'overhead'));
  const perCellLocal = (1000 * inProcess) / cells;
  const perCellQueue = (1000 * viaQueue) / cells;
  console.log(
    `${String(cells)} trivial cells: in process ${perCellLocal.toFixed(1)} ms/cell, through the queue ${perCellQueue.toFixed(1)} ms/cell: overhead ${(perCellQueue - perCellLocal).toFixed(1)} ms/cell`,
  );

  const load = loadavg()
    .map((x) => x.toFixed(1))
    .join(', ');
  const body = [
    `Command: \`npm run bench:queue\` (${new Date().toISOString().slice(0, 10)}, ${machine}, load average ${load} while it ran — the machine is shared; best of ${String(repeats)} runs). Redis ${redisVersion} on 127.0.0.1, persistence off; workers are \`blindspots worker\` processes (from the sources, through tsx), cells in their child processes, warmed by a few cells first (a running fleet: child processes started, data loaded).`,
    '',
    '| measurement | one process | queue | |',
    '|---|---:|---:|---|',
    `| \`blindspots study\` of ${String(cellsWall)} cells (1,200 train / 400 test 16x16 images; decision tree, random forest of 50, logistic regression x clean + 3 signals), start to exit | ${one.toFixed(1)} s (\`--parallel 1\`) | ${two.toFixed(1)} s (\`--queue\`, 2 workers of 1 cell) | ${(one / two).toFixed(2)}x as fast; two busy processes got ${share.toFixed(2)} cores (2.00 on an idle machine) |`,
    `| the same without the fixed part (CLI start, data, plan: ${fixed.toFixed(1)} s, a rerun on complete results) | ${(one - fixed).toFixed(1)} s | ${(two - fixed).toFixed(1)} s | ${((one - fixed) / (two - fixed)).toFixed(2)}x as fast |`,
    `| ${String(cells)} trivial cells (naive Bayes, 90 train / 30 test), per cell, planning included | ${perCellLocal.toFixed(1)} ms | ${perCellQueue.toFixed(1)} ms (1 worker, one cell at a time) | overhead ${(perCellQueue - perCellLocal).toFixed(1)} ms per cell (goal < 50) |`,
  ].join('\n');
  console.log(`\n${body}`);
  if (write) {
    const path = 'docs/scale-out.md';
    const start = '<!-- bench:queue:start -->';
    const end = '<!-- bench:queue:end -->';
    const doc = readFileSync(path, 'utf8');
    const re = new RegExp(`${start}[\\s\\S]*${end}`);
    if (!re.test(doc)) throw new Error(`${path} has no ${start} … ${end} markers`);
    writeFileSync(
      path,
      doc.replace(re, () => `${start}\n${body}\n${end}`),
    );
    console.log(`written to ${path}`);
  }
} finally {
  await stopWorkers();
  await redis.stop();
  rmSync(dir, { recursive: true, force: true });
}
