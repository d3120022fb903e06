/**
 * ConvNet training throughput: ResNet (He et al., CIFAR-10, 32x32x3, batch 128) and Zhang et al.'s
 * small char-CNN (1,014 characters), trained by this library for a fixed number of steps, beside
 * the same architectures in PyTorch CPU (bench/convnet_torch.py, /usr/bin/python3, Debian
 * python3-torch, 2 threads) measured in the same run. Writes its table into docs/performance.md.
 *
 *   npm run bench:convnet -- [--steps 5] [--warmup 2] [--depth 20] [--batch 128] [--char-batch 128] [--nets resnet,charcnn] [--threads 1,2] [--no-write]
 *
 * --threads lists the thread counts to measure ours with; above 1 trains data-parallel on that many
 * threads (options.threads).
 *
 * Two warm-up steps by default (both sides get the same): a fit with threads > 1 starts new worker
 * threads, whose first two steps run 2-5x slower than the rest while V8 compiles and tiers up
 * their wasm code; the table is meant to give the steady training rate.
 */
import { execFileSync } from 'node:child_process';
import { cpus } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { CharCNN, ResNet, useFastestBackend, type ConvNetModel } from '../src/models/index.js';
import { createRandom } from '../src/random.js';
import { ZHANG_ALPHABET } from '../src/encoders/text/alphabet.js';
import { writePerformanceSection } from './docs.js';

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const steps = Number(arg('--steps') ?? 5);
const warmup = Number(arg('--warmup') ?? 2);
const depth = Number(arg('--depth') ?? 20);
const batch = Number(arg('--batch') ?? 128);
const charBatch = Number(arg('--char-batch') ?? 128);
const nets = (arg('--nets') ?? 'resnet,charcnn').split(',');
const threadCounts = (arg('--threads') ?? '1,2').split(',').map(Number);

const backend = await useFastestBackend();
console.log(`tfjs backend: ${backend.name}; ${String(cpus().length)} cores (${cpus()[0]?.model ?? '?'})`);

/** Trains `model` on `x` for warmup + steps steps and returns the images/s of the timed steps. */
async function throughput(
  model: ConvNetModel<'images'> | ConvNetModel<'texts'>,
  fit: (onProgress: () => void) => Promise<unknown>,
  size: number,
): Promise<number> {
  const stamps: number[] = [];
  await fit(() => stamps.push(performance.now()));
  model.dispose();
  // stamps[i] is the end of step i; the timed steps run from the end of the warmup.
  const t0 = stamps[warmup - 1] as number;
  const t1 = stamps[warmup + steps - 1] as number;
  return (steps * size) / ((t1 - t0) / 1000);
}

const ours: Record<string, Record<number, number>> = {};
const random = createRandom('bench-convnet');
const record = (net: string, threads: number, value: number, unit: string) => {
  (ours[net] ??= {})[threads] = value;
  console.log(`ours ${net}, ${String(threads)} thread(s): ${value.toFixed(1)} ${unit}/s`);
};
if (nets.includes('resnet')) {
  const n = (warmup + steps) * batch;
  const data = Float32Array.from({ length: n * 32 * 32 * 3 }, () => random());
  const labels = Int32Array.from({ length: n }, (_, i) => i % 10);
  for (const threads of threadCounts) {
    const model = new ResNet({ depth, epochs: 1, batchSize: batch, seed: 1, threads });
    record(
      `resnet${String(depth)}`,
      threads,
      await throughput(model, (onProgress) => model.fit({ data, shape: [n, 32, 32, 3] }, labels, { onProgress }), batch),
      'images',
    );
  }
}
if (nets.includes('charcnn')) {
  const n = (warmup + steps) * charBatch;
  const letters = ZHANG_ALPHABET.join('');
  const texts = Array.from({ length: n }, () =>
    Array.from({ length: 1014 }, () => letters[Math.floor(random() * letters.length)]).join(''),
  );
  const labels = Int32Array.from({ length: n }, (_, i) => i % 2);
  for (const threads of threadCounts) {
    const model = new CharCNN({ size: 'small', epochs: 1, batchSize: charBatch, seed: 1, threads });
    record('charcnn-small', threads, await throughput(model, (onProgress) => model.fit(texts, labels, { onProgress }), charBatch), 'texts');
  }
}
console.log(`tensors left: ${String(tf.memory().numTensors)}`);

interface TorchRow {
  net: string;
  imagesPerSecond: number;
  threads: number;
  params: number;
}
function torch(threads: number): TorchRow[] {
  const out = execFileSync(
    '/usr/bin/python3',
    [
      'bench/convnet_torch.py',
      '--threads',
      String(threads),
      '--steps',
      String(steps),
      '--warmup',
      String(warmup),
      '--batch',
      String(batch),
      '--char-batch',
      String(charBatch),
      '--resnet-depth',
      String(depth),
      '--nets',
      nets.join(','),
    ],
    { encoding: 'utf8' },
  );
  return out
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as TorchRow);
}
const torch2 = torch(2);
const torch1 = torch(1);
const version = execFileSync('/usr/bin/python3', ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' }).trim();

const fmt = (v: number | undefined) => (v === undefined ? '—' : v.toFixed(1));
const ratio = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined ? '—' : (a / b).toFixed(2));
const rows = torch2.map((t) => {
  const o = ours[t.net] ?? {};
  const t1 = torch1.find((r) => r.net === t.net)?.imagesPerSecond;
  const best = Math.max(...Object.values(o));
  return `| ${t.net} | ${String(t.net.startsWith('resnet') ? batch : charBatch)} | ${threadCounts.map((k) => fmt(o[k])).join(' | ')} | ${t.imagesPerSecond.toFixed(1)} | ${ratio(best, t.imagesPerSecond)} | ${fmt(t1)} | ${ratio(o[1], t1)} |`;
});
const body = [
  `Command: \`npm run bench:convnet -- --steps ${String(steps)} --warmup ${String(warmup)} --threads ${threadCounts.join(',')}\` (${new Date().toISOString().slice(0, 10)}, ${String(cpus().length)} cores, nothing else running; tfjs ${tf.version.tfjs} on the \`${backend.name}\` backend with this library's kernels, one thread or data-parallel on worker threads; PyTorch ${version}, same architectures and optimizer, random inputs). Samples per second over ${String(steps)} training steps after ${String(warmup)} warm-up step(s). Ratios: our best / PyTorch 2 threads, and ours on 1 thread / PyTorch 1 thread.`,
  '',
  `| network | batch | ${threadCounts.map((k) => `ours, ${String(k)} thread${k > 1 ? 's' : ''}`).join(' | ')} | PyTorch 2 threads | ratio | PyTorch 1 thread | ratio |`,
  `|---|---:|${threadCounts.map(() => '---:').join('|')}|---:|---:|---:|---:|`,
  ...rows,
].join('\n');
console.log(body);
if (!process.argv.includes('--no-write'))
  console.log(`written to ${writePerformanceSection('convnet', body, 'ConvNet training vs PyTorch')}`);
