/**
 * What a second thread adds on this machine, by kind of work (bench/cpu-scaling.c, built here with
 * gcc): vector fused multiply-adds as the convolution kernels issue them, a latency-bound integer
 * chain and a memory stream, each on 1 thread and on N at once. On a VM whose vCPUs are SMT
 * siblings of one physical core, the vector units are shared: the FMA ratio stays near 1 while the
 * integer chain doubles. Prints a table (throughput on N threads / on 1):
 *
 *   npx tsx bench/cpu-scaling.ts [--threads 2] [--runs 3]
 */
import { loadavg } from 'node:os';
import { benchArgs } from './args.js';
import { cpuDescription, cpuScaling, type ScalingRow } from './cpu.js';

const { threads, runs } = benchArgs('npx tsx bench/cpu-scaling.ts [--threads 2] [--runs 3]', { threads: 2, runs: 3 });
const load = (loadavg()[0] ?? 0).toFixed(1);
const results = cpuScaling(threads, runs);
if (results === undefined) throw new Error('bench/cpu-scaling.ts needs gcc');
const rows = new Map<string, ScalingRow[]>();
for (const run of results) for (const r of run) rows.set(r.work, [...(rows.get(r.work) ?? []), r]);
const range = (v: number[]) => `${Math.min(...v).toFixed(2)}–${Math.max(...v).toFixed(2)}`;
console.log(
  `Command: \`npx tsx bench/cpu-scaling.ts --threads ${String(threads)} --runs ${String(runs)}\` (${new Date().toISOString().slice(0, 10)}, load average ${load} before; ${cpuDescription()}).`,
);
console.log('');
console.log(`| work | 1 thread (s) | throughput on ${String(threads)} threads / 1, ${String(runs)} runs | each run |`);
console.log('|---|---:|---:|---|');
for (const [work, rs] of rows)
  console.log(
    `| ${work} | ${range(rs.map((r) => r.one))} | ${range(rs.map((r) => r.ratio))} | ${rs.map((r) => r.ratio.toFixed(2)).join(' ')} |`,
  );
