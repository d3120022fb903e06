/**
 * The packed package on a machine without a compiler: `npm pack` (with the prebuild that
 * `npm run build:native` left in prebuilds/, as .ci/run does before the tests) installed into a
 * fresh folder by an npm whose PATH has node and nothing to compile with, then a tiny ResNet
 * trained in plain Node: on the native kernels where the prebuild fits this machine, and on the
 * wasm kernels where none does (the installed prebuilds/ removed, as on another platform).
 *
 * Skips, saying why, where there is no prebuild for this platform (npm run build:native).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { prebuildPath } from '../../scripts/build-native.js';

const root = resolve(import.meta.dirname, '../..');
const prebuild = prebuildPath(root);
const missing = existsSync(prebuild) ? undefined : `no prebuild at ${prebuild} (npm run build:native)`;
if (missing !== undefined) console.warn(`install test skipped: ${missing}`);
const linux = process.platform === 'linux';

const scratch = mkdtempSync(join(tmpdir(), 'blindspots-install-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** What an install step could compile with: compilers, make, python (node-gyp's), node-gyp. */
const TOOLCHAIN = /^(cc|c\+\+|c89|c99|cpp|gcc.*|g\+\+.*|.*-linux-gnu.*-(gcc|g\+\+|cc|c\+\+).*|clang.*|make|gmake|python.*|node-gyp.*)$/;

/** A PATH with the system's commands but no compiler, make or python: links to the rest. */
function bareEnv(): NodeJS.ProcessEnv {
  const bin = join(scratch, 'bin');
  mkdirSync(bin, { recursive: true });
  for (const dir of (process.env.PATH ?? '').split(':').filter((d) => d !== '' && existsSync(d)))
    for (const name of readdirSync(dir))
      if (!TOOLCHAIN.test(name) && !existsSync(join(bin, name))) symlinkSync(join(dir, name), join(bin, name));
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: bin };
  // npm's own variables from the test runner's npm (node-gyp's path, the nodedir) stay out.
  for (const k of Object.keys(env)) if (k.startsWith('npm_')) delete env[k];
  delete env.BLINDSPOTS_NATIVE;
  return env;
}

/** The package's version of a dependency the repository has installed (for an install from npm's cache). */
const repoVersion = (pkg: string): string =>
  (JSON.parse(readFileSync(join(root, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version;

const TRAIN = `import { readFileSync } from 'node:fs';
import { ResNet, useFastestBackend } from 'blindspots/models';
await useFastestBackend();
const n = 16;
const data = Float32Array.from({ length: n * 8 * 8 * 3 }, (_, i) => Math.sin(i));
const labels = Int32Array.from({ length: n }, (_, i) => i % 2);
const model = new ResNet({ depth: 8, width: 4, epochs: 1, batchSize: 8, seed: 1 });
await model.fit({ data, shape: [n, 8, 8, 3] }, labels);
const p = await model.predictProba({ data, shape: [n, 8, 8, 3] });
model.dispose();
const native = readFileSync('/proc/self/maps', 'utf8').includes('node.napi');
console.log(JSON.stringify({ native, finite: p.data.every(Number.isFinite) }));
`;

describe.skipIf(missing !== undefined || !linux)('the packed package installs without a compiler', () => {
  it('carries the prebuild, no install step, and trains on the native kernels, or on wasm without a prebuild', () => {
    const env = bareEnv();
    expect(
      spawnSync('/bin/sh', ['-c', 'command -v cc || command -v gcc || command -v make || command -v python3'], { env }).status,
    ).not.toBe(0);
    // Packed from a copy of the package's sources, so that its prepack (rm -rf dist, tsc) cannot
    // race another test that packs the repository itself (test/pack.integration.test.ts) in parallel.
    const copy = join(scratch, 'source');
    const manifestIn = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { files: string[] };
    for (const entry of ['package.json', 'tsconfig.json', 'tsconfig.build.json', 'src', 'prebuilds', 'docs', ...manifestIn.files])
      if (!entry.includes('*') && entry !== 'dist' && existsSync(join(root, entry)) && !existsSync(join(copy, entry)))
        cpSync(join(root, entry), join(copy, entry), { recursive: true });
    symlinkSync(join(root, 'node_modules'), join(copy, 'node_modules'));
    execFileSync('npm', ['pack', '--pack-destination', scratch], { cwd: copy, stdio: 'ignore', timeout: 600_000 });
    const tgz = readdirSync(scratch).find((f) => f.endsWith('.tgz')) as string;
    const listing = execFileSync('tar', ['-tzf', join(scratch, tgz)], { encoding: 'utf8' }).split('\n');
    expect(listing).toContain(`package/prebuilds/${process.platform}-${process.arch}/${prebuild.split('/').at(-1) ?? ''}`);
    expect(listing.filter((f) => f.endsWith('binding.gyp'))).toEqual([]);
    const manifest = JSON.parse(execFileSync('tar', ['-xzOf', join(scratch, tgz), 'package/package.json'], { encoding: 'utf8' })) as {
      scripts?: Record<string, string>;
    };
    for (const hook of ['preinstall', 'install', 'postinstall']) expect(manifest.scripts?.[hook], hook).toBeUndefined();

    const project = join(scratch, 'project');
    mkdirSync(project);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'scratch', private: true, type: 'module' }));
    const tfjs = repoVersion('@tensorflow/tfjs');
    execFileSync(
      'npm',
      [
        'install',
        '--no-audit',
        '--no-fund',
        '--prefer-offline',
        join(scratch, tgz),
        `@tensorflow/tfjs@${tfjs}`,
        `@tensorflow/tfjs-backend-wasm@${tfjs}`,
      ],
      { cwd: project, env, stdio: 'ignore', timeout: 600_000 },
    );
    writeFileSync(join(project, 'train.mjs'), TRAIN);
    const train = (): { native: boolean; finite: boolean } =>
      JSON.parse(
        execFileSync(process.execPath, ['train.mjs'], { cwd: project, env, encoding: 'utf8', timeout: 300_000 })
          .trim()
          .split('\n')
          .at(-1) as string,
      ) as {
        native: boolean;
        finite: boolean;
      };
    expect(train()).toEqual({ native: true, finite: true });
    // As on a platform without a prebuild.
    rmSync(join(project, 'node_modules', 'blindspots', 'prebuilds'), { recursive: true });
    expect(train()).toEqual({ native: false, finite: true });
  }, 1_200_000);
});
