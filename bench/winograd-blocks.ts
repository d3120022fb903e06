/**
 * Winograd F(4x4, 3x3)'s block size (src/kernels/kernels.h's WG4_BLOCK, tiles per block of
 * scratch): bench/winograd-blocks.c built with gcc once per block size and instruction set (the
 * native addon's flags), the builds run in turn over --rounds rounds in fresh processes, one
 * thread; the forward convolution and the filter gradient at ResNet-20's stride-1 shapes, batch
 * --batch. Prints the median ms per block size and its ratio to the first block size listed.
 *
 *   npx tsx bench/winograd-blocks.ts [--blocks 32,16,24,40] [--batch 128] [--rounds 5] [--isa avx512,avx2]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { benchArgs } from './args.js';
import { cpuDescription } from './cpu.js';

const { blocks, batch, rounds, isa } = benchArgs(
  'npx tsx bench/winograd-blocks.ts [--blocks 32,16,24,40] [--batch 128] [--rounds 5] [--isa avx512,avx2]',
  { blocks: [32, 16, 24, 40], batch: 128, rounds: 5, isa: ['avx512', 'avx2'] },
  { choices: { isa: ['avx512', 'avx2'] } },
);
for (const b of blocks)
  if (!(Number.isInteger(b) && b >= 1 && b <= 256)) throw new Error(`--blocks: ${String(b)} is not a block size in 1..256`);
/** native/binding.gyp's flags for each object. */
const FLAGS: Record<string, string[]> = {
  avx512: ['-mavx512f', '-mavx512vl', '-mavx512dq', '-mavx512bw', '-mavx2', '-mfma', '-mprefer-vector-width=512'],
  avx2: ['-mavx2', '-mfma'],
};
const cpuFlags = /^flags\s*:(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.split(' ') ?? [];
const sets = isa.filter((s) => (s === 'avx512' ? cpuFlags.includes('avx512f') : cpuFlags.includes('avx2') && cpuFlags.includes('fma')));
const load = (loadavg()[0] ?? 0).toFixed(1);
const dir = mkdtempSync(join(tmpdir(), 'winograd-blocks-'));
try {
  const exes = new Map<string, string>();
  for (const s of sets)
    for (const b of blocks) {
      const exe = join(dir, `${s}-${String(b)}`);
      execFileSync('gcc', [
        '-std=gnu11',
        '-O3',
        '-ffp-contract=off',
        '-fno-math-errno',
        '-fno-strict-aliasing',
        '-w',
        ...(FLAGS[s] ?? []),
        `-DWG4_BLOCK=${String(b)}`,
        'bench/winograd-blocks.c',
        '-o',
        exe,
      ]);
      exes.set(`${s} ${String(b)}`, exe);
    }
  // ms by "isa block", then by "kernel shape", one entry per round.
  const ms = new Map<string, Map<string, number[]>>();
  for (let r = 0; r < rounds; r++)
    for (const [key, exe] of exes) {
      const out = execFileSync(exe, [String(batch), '9'], { encoding: 'utf8' });
      const rows = ms.get(key) ?? new Map<string, number[]>();
      for (const line of out.trim().split('\n')) {
        const { kernel, shape, ms: t } = JSON.parse(line) as { kernel: string; shape: string; ms: number };
        rows.set(`${kernel} ${shape}`, [...(rows.get(`${kernel} ${shape}`) ?? []), t]);
      }
      ms.set(key, rows);
    }
  const median = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1] as number;
  console.log(
    `Command: \`npx tsx bench/winograd-blocks.ts --blocks ${blocks.join(',')} --batch ${String(batch)} --rounds ${String(rounds)} --isa ${isa.join(',')}\` (${new Date().toISOString().slice(0, 10)}, load average ${load} before; ${cpuDescription()}). One thread, median ms over ${String(rounds)} rounds (each the median of 9 calls); in brackets the ratio to block ${String(blocks[0])}.`,
  );
  for (const s of sets) {
    console.log(`\n| ${s}: kernel, layer | ${blocks.map((b) => `block ${String(b)}`).join(' | ')} |`);
    console.log(`|---|${blocks.map(() => '---:').join('|')}|`);
    const base = ms.get(`${s} ${String(blocks[0])}`) as Map<string, number[]>;
    for (const [row, first] of base) {
      const cells = blocks.map((b) => {
        const v = median(ms.get(`${s} ${String(b)}`)?.get(row) ?? [NaN]);
        return `${v.toFixed(2)} (${(v / median(first)).toFixed(2)})`;
      });
      console.log(`| ${row} | ${cells.join(' | ')} |`);
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
