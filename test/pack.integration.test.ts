/**
 * The published package, as a user gets it: `npm pack`, install the tarball into a scratch ESM
 * project, import from 'blindspots' and its subpaths in plain Node, and run the CLI; the tarball
 * passes publint and arethetypeswrong; and beside a project's own, older tfjs there is one tfjs
 * and nothing printed (issue #26).
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { encoderNames } from '../src/encoders/encoderRegistry.js';
import { writeIdxFolder } from './conformance/fixtures.js';
import { REDIS_SERVER, startRedis } from './helpers/redisServer.js';

const root = resolve(import.meta.dirname, '..');
const scratch = mkdtempSync(join(tmpdir(), 'blindspots-pack-'));
/** A second project, on an older tfjs than the repository's. */
const older = mkdtempSync(join(tmpdir(), 'blindspots-pack-tfjs421-'));

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
  rmSync(older, { recursive: true, force: true });
});

const npm = (args: string[], cwd: string) =>
  execFileSync('npm', args, { cwd, encoding: 'utf8', timeout: 300_000, stdio: ['ignore', 'pipe', 'pipe'] });
const install = (cwd: string, ...specs: string[]) => npm(['install', '--no-audit', '--no-fund', '--prefer-offline', ...specs], cwd);
/** The version of a package installed in the repository (its devDependencies), for installs from npm's cache. */
const repoVersion = (pkg: string): string =>
  (JSON.parse(readFileSync(join(root, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version;
/** The tarball, packed by the first test. */
const tarball = (): string => {
  const tgz = readdirSync(scratch).find((f) => f.endsWith('.tgz'));
  if (tgz === undefined) throw new Error('no tarball: the first test packs it');
  return join(scratch, tgz);
};
/** Every installed copy of a package under `dir`'s node_modules, nested ones included. */
function copiesOf(dir: string, pkg: string): string[] {
  const found: string[] = [];
  const walk = (modules: string): void => {
    if (!existsSync(modules)) return;
    if (existsSync(join(modules, pkg, 'package.json'))) found.push(join(modules, pkg));
    for (const entry of readdirSync(modules)) {
      const scoped = entry.startsWith('@') ? readdirSync(join(modules, entry)).map((e) => join(entry, e)) : [entry];
      for (const name of scoped) walk(join(modules, name, 'node_modules'));
    }
  };
  walk(join(dir, 'node_modules'));
  return found;
}

describe('npm pack', () => {
  it('produces a tarball whose dist imports cleanly from a scratch ESM project and bundles for the browser', async () => {
    npm(['pack', '--pack-destination', scratch], root);
    const tgz = readdirSync(scratch).find((f) => f.endsWith('.tgz'));
    expect(tgz).toBeDefined();
    writeFileSync(join(scratch, 'package.json'), JSON.stringify({ name: 'scratch', private: true, type: 'module' }));
    // As README's install section says: the library with tfjs and its wasm backend, same version.
    const tfjs = repoVersion('@tensorflow/tfjs');
    install(scratch, `./${tgz as string}`, `@tensorflow/tfjs@${tfjs}`, `@tensorflow/tfjs-backend-wasm@${tfjs}`);
    // The queue's packages are optional peers: not installed for everyone (issue #26, finding 2).
    for (const pkg of ['bullmq', 'ioredis', 'msgpackr', 'msgpackr-extract', 'luxon']) expect(copiesOf(scratch, pkg), pkg).toEqual([]);
    expect(copiesOf(scratch, '@tensorflow/tfjs-core')).toHaveLength(1);
    writeFileSync(
      join(scratch, 'check.mjs'),
      `import { injectOrthogonalNoise, recoverability, encoders, BlindspotsError, VERSION } from 'blindspots';
import { injectOnePixel } from 'blindspots/encoders';
import { models, ResNet, useFastestBackend } from 'blindspots/models';
import { FASHION_MNIST_CLASSES } from 'blindspots/data';
import { recoverabilityTable } from 'blindspots/study';
import { QUEUE_SETTINGS, startQueueWorker } from 'blindspots/queue';
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
// Without BullMQ and ioredis the queue says what to install (a real module-resolution failure).
let missing = null;
try { await startQueueWorker({ queue: 'redis://127.0.0.1:1' }); } catch (e) { missing = { code: e.code, message: e.message }; }
console.log(JSON.stringify({ accuracy: r.accuracy, signals: Object.keys(encoders).length, models: typeof models, classes: FASHION_MNIST_CLASSES.length, table: typeof recoverabilityTable, queue: QUEUE_SETTINGS.attempts, typed, VERSION, backend, predicted, missing }));
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
      missing: { code: 'MISSING_DEPENDENCY', message: expect.stringContaining('npm install bullmq ioredis') as unknown },
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

  // Issue #26, finding 9: the docs ship with the package, so every relative link of README.md and
  // docs/*.md (pages, images, the results' data), and the CLI's "see docs/scale-out.md", resolve
  // inside it.
  it('ships the docs that its README and its CLI point to', () => {
    const installed = join(scratch, 'node_modules/blindspots');
    const pages = [
      'README.md',
      ...readdirSync(join(installed, 'docs'))
        .filter((f) => f.endsWith('.md'))
        .map((f) => `docs/${f}`),
    ];
    const links = pages.flatMap((page) =>
      [...readFileSync(join(installed, page), 'utf8').matchAll(/\]\(([^)\s#]+)(?:#[^)\s]*)?\)/g)]
        .map((m) => m[1] as string)
        .filter((href) => !/^[a-z]+:/.test(href))
        .map((href) => ({ page, href, file: join(dirname(join(installed, page)), href) })),
    );
    expect(links.filter((l) => l.page === 'README.md' && l.href.startsWith('docs/')).length).toBeGreaterThanOrEqual(11);
    // Images and data too (README's explorer screenshot, results.md's plots and records).
    expect(links.filter((l) => /\.(png|svg)$/.test(l.href)).length).toBeGreaterThanOrEqual(30);
    expect(links.filter((l) => l.href.endsWith('.jsonl')).length).toBeGreaterThanOrEqual(4);
    expect(links.filter((l) => !existsSync(l.file)).map((l) => `${l.page} -> ${l.href}`)).toEqual([]);
    expect(execFileSync(join(scratch, 'node_modules/.bin/blindspots'), ['worker', '--help'], { encoding: 'utf8' })).toContain(
      'docs/scale-out.md',
    );
    expect(existsSync(join(installed, 'docs/scale-out.md'))).toBe(true);
  });

  // The queue's cell processes are started from a file path (BullMQ's sandboxed processor): the
  // installed package's dist/study/run/queue/cellJobProcessor.js must be found and run.
  it.skipIf(REDIS_SERVER === undefined)(
    'runs a study on a Redis queue with the installed CLI (coordinator and worker)',
    async () => {
      const bin = join(scratch, 'node_modules/.bin/blindspots');
      expect(existsSync(bin)).toBe(true);
      // The queue's optional peer dependencies, as README's install section says to install them.
      install(scratch, `bullmq@${repoVersion('bullmq')}`, `ioredis@${repoVersion('ioredis')}`);
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
  // Linters of the published package. attw's profile 'esm-only' ignores the node10 and
  // node16-from-CommonJS resolutions: the package is ESM only ("type": "module", exports with
  // "import" conditions alone), so a CommonJS require of it is expected to fail (a dynamic import
  // works) and TypeScript's legacy node10 resolution does not read "exports" subpaths.
  it('passes publint and arethetypeswrong (esm-only profile)', () => {
    const bin = (name: string) => join(root, 'node_modules/.bin', name);
    const run = (name: string, args: string[]) =>
      execFileSync(bin(name), args, { cwd: scratch, encoding: 'utf8', timeout: 120_000, stdio: ['ignore', 'pipe', 'pipe'] });
    expect(run('publint', ['run', '--strict', tarball()])).toContain('All good');
    // Exits non-zero on any problem the profile does not ignore; the JSON lists the ignored ones too.
    const attw = JSON.parse(run('attw', [tarball(), '--profile', 'esm-only', '--format', 'json'])) as {
      analysis: { entrypoints: Record<string, unknown> };
      problems?: Record<string, { entrypoint: string; resolutionKind: string }[]>;
    };
    expect(Object.keys(attw.analysis.entrypoints)).toEqual(expect.arrayContaining(['.', './models', './queue']));
    const counted = Object.values(attw.problems ?? {})
      .flat()
      .filter((p) => !['node10', 'node16-cjs'].includes(p.resolutionKind));
    expect(counted).toEqual([]);
  }, 120_000);

  // Issue #26, finding 2: @tensorflow/tfjs is a peer dependency, so the library runs on the
  // project's own tfjs (4.21.0 here, the repository has 4.22): one tfjs-core, and nothing printed
  // ("Platform node has already been set", "The kernel 'Abs' for backend 'cpu' is already
  // registered", … came from a second copy). The wasm backend is an optional peer: without it the
  // models train on cpu and say why; with the project's version of it, on wasm.
  it("runs beside a project's own older tfjs (4.21.0): one copy, nothing printed, wasm once its matching backend is installed", () => {
    writeFileSync(join(older, 'package.json'), JSON.stringify({ name: 'older', private: true, type: 'module' }));
    install(older, '@tensorflow/tfjs@4.21.0', tarball());
    const cores = () =>
      copiesOf(older, '@tensorflow/tfjs-core').map(
        (dir) => (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version,
      );
    expect(cores()).toEqual(['4.21.0']);
    writeFileSync(
      join(older, 'check.mjs'),
      `import * as tf from '@tensorflow/tfjs';
import { recoverability, injectOnePixel } from 'blindspots';
import { ResNet, useFastestBackend } from 'blindspots/models';
const info = await useFastestBackend();
const x = { data: new Float32Array(16 * 8 * 8).fill(0.5), shape: [16, 8, 8, 1] };
const y = Array.from({ length: 16 }, (_, i) => i % 4);
const encoded = injectOnePixel(x, y);
const net = await new ResNet({ depth: 8, width: 4, epochs: 1, batchSize: 8 }).fit(encoded, y);
const predicted = (await net.predict(encoded)).length;
net.dispose();
console.log(JSON.stringify({ core: tf.version_core, backend: tf.getBackend(), skipped: info.skipped, predicted, recovered: recoverability('onePixel', encoded, y).accuracy }));
`,
    );
    const check = () => {
      const run = spawnSync('node', ['check.mjs'], { cwd: older, encoding: 'utf8', timeout: 120_000 });
      expect(run.stderr).toBe('');
      expect(run.stdout.trim().split('\n')).toHaveLength(1);
      return JSON.parse(run.stdout) as { core: string; backend: string; skipped: { name: string; reason: string }[]; predicted: number };
    };
    const withoutWasm = check();
    expect(withoutWasm).toMatchObject({ core: '4.21.0', backend: 'cpu', predicted: 16, recovered: 1 });
    expect(withoutWasm.skipped.find((s) => s.name === 'wasm')?.reason).toMatch(/Cannot find package '@tensorflow\/tfjs-backend-wasm'/);

    // A wasm backend that would load a tfjs-core of its own (the layout npm makes when it installs
    // the peer for another tfjs) is not imported: nothing printed, and the reason names the fix.
    const wasmDir = join(older, 'node_modules/@tensorflow/tfjs-backend-wasm');
    cpSync(join(root, 'node_modules/@tensorflow/tfjs-backend-wasm'), wasmDir, { recursive: true });
    for (const pkg of ['@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-cpu']) {
      mkdirSync(join(wasmDir, 'node_modules', pkg), { recursive: true });
      cpSync(join(root, 'node_modules', pkg), join(wasmDir, 'node_modules', pkg), { recursive: true });
    }
    const mismatched = check();
    expect(mismatched).toMatchObject({ core: '4.21.0', backend: 'cpu', predicted: 16 });
    expect(mismatched.skipped.find((s) => s.name === 'wasm')?.reason).toContain('npm install @tensorflow/tfjs-backend-wasm@4.21.0');
    rmSync(wasmDir, { recursive: true, force: true });

    install(older, '@tensorflow/tfjs-backend-wasm@4.21.0');
    expect(cores()).toEqual(['4.21.0']);
    const withWasm = check();
    expect(withWasm).toMatchObject({ core: '4.21.0', backend: 'wasm', predicted: 16, recovered: 1 });
    expect(withWasm.skipped.map((s) => s.name)).toEqual(['tensorflow']);
  }, 600_000);
});
