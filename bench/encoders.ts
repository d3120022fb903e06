/**
 * Benchmark: each image encoder on 50,000 x 32x32x3 8-bit images against the same operation in
 * NumPy (/usr/bin/python3, Debian python3-numpy), measured in the same run. Writes its table into
 * docs/performance.md.
 *
 *   npm run bench:encoders -- [--n 50000] [--reps 5] [--no-write]
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { createRandom } from '../src/random.js';
import { encoders, imageEncoderNames } from '../src/encoders/index.js';
import { writePerformanceSection } from './docs.js';
import { benchArgs } from './args.js';

const args = benchArgs('npm run bench:encoders -- [--n 50000] [--reps 5] [--no-write]', { n: 50000, reps: 5, 'no-write': false });
const { n, reps } = args;
const write = !args['no-write'];

mkdirSync('bench/out', { recursive: true });
const file = `bench/out/images-${String(n)}.u8`;
if (!existsSync(file)) {
  const random = createRandom('bench/encoders');
  const bytes = new Uint8Array(n * 32 * 32 * 3);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(random() * 256);
  writeFileSync(file, bytes);
}

const median = (a: readonly number[]): number => {
  const s = [...a].sort((p, q) => p - q);
  return s[Math.floor(s.length / 2)] as number;
};

type JsTimes = Record<string, { array: number[]; tensor: number[] }>;
function runJs(env: NodeJS.ProcessEnv): JsTimes {
  const out = execFileSync(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', 'bench/encoders-worker.ts', file, String(n), String(reps)],
    {
      encoding: 'utf8',
      env: { ...process.env, ...env },
      maxBuffer: 1 << 24,
      stdio: ['ignore', 'pipe', 'ignore'],
    },
  );
  return JSON.parse(out.trim().split('\n').pop() as string) as JsTimes;
}

console.log(`encoders on ${String(n)} x 32x32x3 float32 (${((n * 3072 * 4) / 2 ** 20).toFixed(0)} MiB), median of ${String(reps)}`);
const js = runJs({});
console.log('  node: done');
const jsThp = runJs({ GLIBC_TUNABLES: 'glibc.malloc.hugetlb=1' });
console.log('  node + GLIBC_TUNABLES=glibc.malloc.hugetlb=1: done');
const py = JSON.parse(
  execFileSync('/usr/bin/python3', ['bench/encoders_numpy.py', file, String(n), String(reps)], {
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  }).trim(),
) as Record<string, { bare: number[]; checked: number[] }>;
const numpyVersion = execFileSync('/usr/bin/python3', ['-c', 'import numpy; print(numpy.__version__)'], { encoding: 'utf8' }).trim();
console.log('  numpy: done\n');

const f = (v: number): string => v.toFixed(0);
const rows = [
  '| signal | node, plain batch (ms) | node, tensor (ms) | node + hugetlb (ms) | NumPy bare (ms) | NumPy + same checks (ms) | ratio node / NumPy-checked | ratio node+hugetlb / NumPy-checked | ratio node+hugetlb / NumPy bare |',
  '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
];
for (const name of imageEncoderNames) {
  const a = median(js[name]?.array ?? []);
  const t = median(js[name]?.tensor ?? []);
  const h = median(jsThp[name]?.array ?? []);
  const bare = median(py[name]?.bare ?? []);
  const checked = median(py[name]?.checked ?? []);
  rows.push(
    `| ${encoders[name].title} | ${f(a)} | ${f(t)} | ${f(h)} | ${f(bare)} | ${f(checked)} | ${(a / checked).toFixed(2)} | ${(h / checked).toFixed(2)} | ${(h / bare).toFixed(2)} |`,
  );
}
const table = rows.join('\n');
console.log(table);

if (write) {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const body = [
    `Measured ${new Date().toISOString().slice(0, 10)} with \`npm run bench:encoders\` (n = ${String(n)}, median of ${String(reps)} runs, each after a GC), on ${String(cpus().length)} cores (${cpu}), Node ${process.version}, NumPy ${numpyVersion}.`,
    '',
    table,
  ].join('\n');
  console.log(`\nwritten to ${writePerformanceSection('encoders', body, 'Image encoders vs NumPy')}`);
}
