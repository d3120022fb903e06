/** What the benches say about the machine they ran on. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';

/** The CPU model and the SIMD flags that decide PyTorch's kernels (from /proc/cpuinfo where there is one). */
export function cpuDescription(): string {
  let flags: string[] = [];
  try {
    const line = /^flags\s*:(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? '';
    flags = ['avx2', 'fma', 'avx512f'].filter((f) => line.split(/\s+/).includes(f));
  } catch {
    // no /proc/cpuinfo (not Linux): the model name only
  }
  return `${String(cpus().length)} cores, ${cpus()[0]?.model ?? '?'}, SIMD: ${flags.length > 0 ? flags.join(' ') : 'no avx2/avx512f'}`;
}

/** bench/cpu-scaling.c's results: per kind of work, the seconds on one thread and the throughput on N threads over one. */
export type ScalingRow = { readonly work: string; readonly one: number; readonly ratio: number };

/**
 * Runs bench/cpu-scaling.c (compiled with gcc into a temporary folder) `runs` times on `threads`
 * threads, `reps` iterations per test; undefined where gcc is missing.
 */
export function cpuScaling(threads = 2, runs = 1, reps = 100_000_000): ScalingRow[][] | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'blindspots-cpu-scaling-'));
  try {
    const exe = join(dir, 'cpu-scaling');
    try {
      execFileSync('gcc', ['-O2', '-pthread', 'bench/cpu-scaling.c', '-o', exe], { stdio: 'ignore' });
    } catch {
      return undefined;
    }
    return Array.from({ length: runs }, () =>
      execFileSync(exe, [String(threads), String(reps)], { encoding: 'utf8' })
        .trim()
        .split('\n')
        .map((line) => {
          const [work, one, , ratio] = line.split('\t') as [string, string, string, string];
          return { work, one: Number(one), ratio: Number(ratio) };
        }),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A quick probe (~1 s) of what a second thread adds to vector multiply-adds right now: on this
 * project's VM it swings between ~1x (the two vCPUs on one core's vector units) and ~2x, minutes
 * apart, and every 2-thread rate measured beside it swings with it. A line for a bench's notes.
 */
export function fmaProbe(): string {
  const rows = cpuScaling(2, 1, 20_000_000)?.[0];
  if (rows === undefined) return 'second-thread FMA gain not probed (no gcc)';
  const fma = rows.filter((r) => r.work.includes('FMA'));
  return `second thread's FMA throughput gain ${fma.map((r) => `${r.work} ${r.ratio.toFixed(2)}x`).join(', ')}`;
}
