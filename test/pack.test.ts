/**
 * The published package, as a user gets it: `npm pack`, install the tarball into a scratch ESM
 * project, import from 'blindspots' and its subpaths in plain Node, and run the CLI.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { encoderNames } from '../src/encoders/registry.js';
import { writeIdxFolder } from './conformance/fixtures.js';
import { REDIS_SERVER, startRedis } from './study/redisServer.js';

const root = resolve(import.meta.dirname, '..');
const scratch = mkdtempSync(join(tmpdir(), 'blindspots-pack-'));

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('npm pack', () => {
  it('produces a tarball whose dist imports cleanly from a scratch ESM project and bundles for the browser', async () => {
    const npm = (args: string[], cwd: string) =>
      execFileSync('npm', args, { cwd, encoding: 'utf8', timeout: 300_000, stdio: ['ignore', 'pipe', 'pipe'] });
    npm(['pack', '--pack-destination', scratch], root);
    const tgz = readdirSync(scratch).find((f) => f.endsWith('.tgz'));
    expect(tgz).toBeDefined();
    writeFileSync(join(scratch, 'package.json'), JSON.stringify({ name: 'scratch', private: true, type: 'module' }));
    npm(['install', '--no-audit', '--no-fund', '--prefer-offline', `./${tgz as string}`], scratch);
    writeFileSync(
      join(scratch, 'check.mjs'),
      `import { injectOrthogonalNoise, recoverability, encoders, BlindspotsError, VERSION } from 'blindspots';
import { injectOnePixel } from 'blindspots/encoders';
import { models, ResNet, useFastestBackend } from 'blindspots/models';
import { FASHION_MNIST_CLASSES } from 'blindspots/data';
import { recoverabilityTable } from 'blindspots/study';
import { QUEUE_SETTINGS } from 'blindspots/queue';
const x = { data: new Float32Array(4 * 8 * 8 * 3).fill(128 / 255), shape: [4, 8, 8, 3] };
const y = [0, 1, 2, 3];
const r = recoverability('orthogonalNoise', injectOrthogonalNoise(x, y), y);
let typed = false;
try { injectOnePixel(x, [9, 9, 9], {}); } catch (e) { typed = e instanceof BlindspotsError && e.code === 'LENGTH_MISMATCH'; }
// The wasm backend finds its .wasm files inside the installed package, and our kernels train.
const backend = (await useFastestBackend()).name;
const net = await new ResNet({ depth: 8, width: 4, epochs: 1, batchSize: 4 }).fit(x, y);
const predicted = (await net.predict(x)).length;
net.dispose();
console.log(JSON.stringify({ accuracy: r.accuracy, signals: Object.keys(encoders).length, models: typeof models, classes: FASHION_MNIST_CLASSES.length, table: typeof recoverabilityTable, queue: QUEUE_SETTINGS.attempts, typed, VERSION, backend, predicted }));
`,
    );
    // Nothing but the result: importing the library and training prints nothing (no tfjs notice).
    const check = spawnSync('node', ['check.mjs'], { cwd: scratch, encoding: 'utf8' });
    expect(check.stderr).toBe('');
    expect(check.stdout.trim().split('\n')).toHaveLength(1);
    const result = JSON.parse(check.stdout) as Record<string, unknown>;
    expect(result).toMatchObject({
      accuracy: 1,
      signals: encoderNames.length,
      models: 'object',
      classes: 10,
      table: 'function',
      queue: 3,
      typed: true,
      backend: 'wasm',
      predicted: 4,
    });
    const cli = execFileSync(join(scratch, 'node_modules/.bin/blindspots'), ['signals'], { encoding: 'utf8' });
    expect(cli).toContain('orthogonalNoise');
    // A bundler building the installed package for the browser takes #platform's "default"
    // condition (dist/platform/browser.js): no Node built-in gets in.
    writeFileSync(
      join(scratch, 'browser.mjs'),
      `import { DecisionTree, ResNet, recoverability, encoders } from 'blindspots';\nconsole.log(DecisionTree, ResNet, recoverability, encoders);\n`,
    );
    const bundled = await build({
      absWorkingDir: scratch,
      entryPoints: ['browser.mjs'],
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'browser',
      metafile: true,
      logLevel: 'silent',
    });
    const inputs = Object.keys(bundled.metafile.inputs);
    expect(inputs).toContain('node_modules/blindspots/dist/platform/browser.js');
    expect(
      inputs.filter((f) =>
        /blindspots\/dist\/(platform\/node|workers|cli\/|data\/(cifar10|export|fashionMnist|idx|mnist|packages|spamAssassin|zhangCsv))/.test(
          f,
        ),
      ),
    ).toEqual([]);
    const external = Object.values(bundled.metafile.inputs).flatMap((i) =>
      i.imports.filter((m) => m.external === true || m.path.startsWith('node:')),
    );
    expect(external).toEqual([]);
  }, 600_000);

  // The queue's cell processes are started from a file path (BullMQ's sandboxed processor): the
  // installed package's dist/study/queue/processor.js must be found and run.
  it.skipIf(REDIS_SERVER === undefined)(
    'runs a study on a Redis queue with the installed CLI (coordinator and worker)',
    async () => {
      const bin = join(scratch, 'node_modules/.bin/blindspots');
      expect(existsSync(bin)).toBe(true);
      const redis = await startRedis(scratch);
      try {
        writeIdxFolder(join(scratch, 'idx'), { train: 60, test: 30, side: 8, classes: 3 });
        writeFileSync(
          join(scratch, 'study.json'),
          JSON.stringify({ dataset: { idx: 'idx' }, signals: ['onePixel'], models: ['decisionTree'], results: 'study.jsonl' }),
        );
        const run = (args: string[]) => {
          const p = spawn(bin, args, { cwd: scratch, stdio: ['ignore', 'pipe', 'pipe'] });
          const result = { out: '', exited: new Promise<number | null>((resolve) => p.on('exit', resolve)) };
          p.stdout.on('data', (b: Buffer) => (result.out += b.toString()));
          p.stderr.on('data', (b: Buffer) => (result.out += b.toString()));
          return result;
        };
        const study = run(['study', 'study.json', '--queue', redis.url]);
        // The worker after the cells are queued, so that its --idle-exit cannot end it before.
        while (!study.out.includes('start workers with')) await new Promise((r) => setTimeout(r, 100));
        const worker = run(['worker', '--queue', redis.url, '--idle-exit', '2']);
        expect(await study.exited, study.out).toBe(0);
        expect(await worker.exited, worker.out).toBe(0);
        expect(worker.out).toMatch(/done decisionTree on onePixel/);
        expect(readFileSync(join(scratch, 'study.jsonl'), 'utf8').trim().split('\n')).toHaveLength(2);
      } finally {
        await redis.stop();
      }
    },
    300_000,
  );
});
