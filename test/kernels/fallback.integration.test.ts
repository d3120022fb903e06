import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { nativeKernels } from '../../src/kernels/tfjs/native.js';

// Which build of the kernels a program runs, and that it trains either way: the native addon where
// it loads (describeKernels names its instruction set), the wasm kernels with BLINDSPOTS_NATIVE=0
// or an instruction set the CPU lacks. Each in its own process, as a user's program would.

const native = nativeKernels();
const isas = 'addon' in native ? native.addon.isas : [];

function run(env: Record<string, string>, threads = 1): { kernels: string; reason: string | null; finite: boolean } {
  const child = spawnSync('node_modules/.bin/tsx', ['test/kernels/fixtures/kernelPath.ts', String(threads)], {
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, ...env },
  });
  expect(child.status, child.stderr).toBe(0);
  return JSON.parse(child.stdout.trim().split('\n').at(-1) as string) as { kernels: string; reason: string | null; finite: boolean };
}

describe('the kernels a program runs', () => {
  it('BLINDSPOTS_NATIVE=0: the wasm kernels, and training works', () => {
    expect(run({ BLINDSPOTS_NATIVE: '0' })).toEqual({ kernels: 'wasm', reason: 'BLINDSPOTS_NATIVE=0', finite: true });
  });

  it('an instruction set the CPU does not run: the wasm kernels, saying why', () => {
    const got = run({ BLINDSPOTS_NATIVE: 'sse9' });
    expect(got.kernels).toBe('wasm');
    expect(got.finite).toBe(true);
  });

  it.skipIf(isas.length === 0)('by default the native addon with the best instruction set, on 2 threads too', () => {
    expect(run({ BLINDSPOTS_NATIVE: '' }, 2)).toEqual({ kernels: `wasm+native-${isas[0] ?? ''}`, reason: null, finite: true });
  });

  it.skipIf(!isas.includes('baseline'))('BLINDSPOTS_NATIVE=baseline: that instruction set', () => {
    expect(run({ BLINDSPOTS_NATIVE: 'baseline' }).kernels).toBe('wasm+native-baseline');
  });
});
