/**
 * The published package, as a user gets it: `npm pack`, install the tarball into a scratch ESM
 * project, import from 'blindspots' and its subpaths in plain Node, and run the CLI.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { encoderNames } from '../src/encoders/registry.js';

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
console.log(JSON.stringify({ accuracy: r.accuracy, signals: Object.keys(encoders).length, models: typeof models, classes: FASHION_MNIST_CLASSES.length, table: typeof recoverabilityTable, typed, VERSION, backend, predicted }));
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
});
