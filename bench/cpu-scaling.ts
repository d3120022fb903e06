/**
 * What a second thread adds on this machine, by kind of work (bench/cpu-scaling.c, built here with
 * gcc): vector fused multiply-adds as the convolution kernels issue them, a latency-bound integer
 * chain and a memory stream, each on 1 thread and on N at once. On a VM whose vCPUs are SMT
 * siblings of one physical core, the vector units are shared: the FMA ratio stays near 1 while the
 * integer chain doubles. Prints a table (throughput on N threads / on 1):
 *
 *   npx tsx bench/cpu-scaling.ts [--threads 2] [--runs 3]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchArgs } from './args.js';
import { cpuDescription } from './cpu.js';

const { threads, runs } = benchArgs('npx tsx bench/cpu-scaling.ts [--threads 2] [--runs 3]', { threads: 2, runs: 3 });
const dir = mkdtempSync(join(tmpdir(), 'blindspots-cpu-scaling-'));
try {
  const exe = join(dir, 'cpu-scaling');
  execFileSync('gcc', ['-O2', '-pthread', 'bench/cpu-scaling.c', '-o', exe]);
  const rows = new Map<string, { one: number[]; ratio: number[] }>();
  const load = (loadavg()[0] ?? 0).toFixed(1);
  for (let r = 0; r < runs; r++) {
    for (const line of execFileSync(exe, [String(threads)], { encoding: 'utf8' })
      .trim()
      .split('\n')) {
      const [name, one, , ratio] = line.split('\t') as [string, string, string, string];
      const row = rows.get(name) ?? { one: [], ratio: [] };
      row.one.push(Number(one));
      row.ratio.push(Number(ratio));
      rows.set(name, row);
    }
  }
  const range = (v: number[]) => `${Math.min(...v).toFixed(2)}–${Math.max(...v).toFixed(2)}`;
  console.log(
    `Command: \`npx tsx bench/cpu-scaling.ts --threads ${String(threads)} --runs ${String(runs)}\` (${new Date().toISOString().slice(0, 10)}, load average ${load} before; ${cpuDescription()}).`,
  );
  console.log('');
  console.log(`| work | 1 thread (s) | throughput on ${String(threads)} threads / 1, ${String(runs)} runs |`);
  console.log('|---|---:|---:|');
  for (const [name, row] of rows) console.log(`| ${name} | ${range(row.one)} | ${range(row.ratio)} |`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
