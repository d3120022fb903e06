/**
 * ConvNet training throughput: ResNet (He et al., CIFAR-10, 32x32x3, batch 128) and Zhang et al.'s
 * small char-CNN (1,014 characters), trained by this library for a fixed number of steps, beside
 * the same architectures in PyTorch CPU (bench/convnet_torch.py, /usr/bin/python3, Debian
 * python3-torch, 2 threads) measured in the same run. Writes its table into docs/performance.md.
 *
 *   npm run bench:convnet -- [--steps 5] [--warmup 1] [--depth 20] [--batch 128] [--char-batch 128] [--nets resnet,charcnn] [--threads 1] [--no-write]
 *
 * --threads above 1 trains data-parallel on that many threads (options.threads).
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
const warmup = Number(arg('--warmup') ?? 1);
const depth = Number(arg('--depth') ?? 20);
const batch = Number(arg('--batch') ?? 128);
const charBatch = Number(arg('--char-batch') ?? 128);
const nets = (arg('--nets') ?? 'resnet,charcnn').split(',');
const threads = Number(arg('--threads') ?? 1);

const backend = await useFastestBackend();
console.log(`tfjs backend: ${backend.name}; ${String(cpus().length)} cores (${cpus()[0]?.model ?? '?'})`);

/** Trains `model` on `x` for warmup + steps steps and returns the images/s of the timed steps. */
async function throughput(model: ConvNetModel<'images'> | ConvNetModel<'texts'>, fit: (onProgress: () => void) => Promise<unknown>, size: number): Promise<number> {
  const stamps: number[] = [];
  await fit(() => stamps.push(performance.now()));
  model.dispose();
  // stamps[i] is the end of step i; the timed steps run from the end of the warmup.
  const t0 = stamps[warmup - 1] as number;
  const t1 = stamps[warmup + steps - 1] as number;
  return (steps * size) / ((t1 - t0) / 1000);
}

const ours: Record<string, number> = {};
const random = createRandom('bench-convnet');
if (nets.includes('resnet')) {
  const n = (warmup + steps) * batch;
  const data = Float32Array.from({ length: n * 32 * 32 * 3 }, () => random());
  const labels = Int32Array.from({ length: n }, (_, i) => i % 10);
  const model = new ResNet({ depth, epochs: 1, batchSize: batch, seed: 1, threads });
  ours[`resnet${String(depth)}`] = await throughput(model, (onProgress) => model.fit({ data, shape: [n, 32, 32, 3] }, labels, { onProgress }), batch);
  console.log(`ours resnet${String(depth)}: ${(ours[`resnet${String(depth)}`] as number).toFixed(1)} images/s`);
}
if (nets.includes('charcnn')) {
  const n = (warmup + steps) * charBatch;
  const letters = ZHANG_ALPHABET.join('');
  const texts = Array.from({ length: n }, () => Array.from({ length: 1014 }, () => letters[Math.floor(random() * letters.length)]).join(''));
  const labels = Int32Array.from({ length: n }, (_, i) => i % 2);
  const model = new CharCNN({ size: 'small', epochs: 1, batchSize: charBatch, seed: 1, threads });
  ours['charcnn-small'] = await throughput(model, (onProgress) => model.fit(texts, labels, { onProgress }), charBatch);
  console.log(`ours charcnn-small: ${(ours['charcnn-small'] as number).toFixed(1)} texts/s`);
}
console.log(`tensors left: ${String(tf.memory().numTensors)}`);

interface TorchRow { net: string; imagesPerSecond: number; threads: number; params: number }
function torch(threads: number): TorchRow[] {
  const out = execFileSync('/usr/bin/python3', [
    'bench/convnet_torch.py', '--threads', String(threads), '--steps', String(steps), '--warmup', String(warmup),
    '--batch', String(batch), '--char-batch', String(charBatch), '--resnet-depth', String(depth), '--nets', nets.join(','),
  ], { encoding: 'utf8' });
  return out.trim().split('\n').map((l) => JSON.parse(l) as TorchRow);
}
const torch2 = torch(2);
const torch1 = torch(1);
const version = execFileSync('/usr/bin/python3', ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' }).trim();

const rows = torch2.map((t) => {
  const o = ours[t.net] ?? Number.NaN;
  const t1 = torch1.find((r) => r.net === t.net)?.imagesPerSecond ?? Number.NaN;
  return `| ${t.net} | ${String(t.net.startsWith('resnet') ? batch : charBatch)} | ${o.toFixed(1)} | ${t.imagesPerSecond.toFixed(1)} | ${(o / t.imagesPerSecond).toFixed(2)} | ${t1.toFixed(1)} | ${(o / t1).toFixed(2)} |`;
});
const body = [
  `Command: \`npm run bench:convnet -- --steps ${String(steps)} --warmup ${String(warmup)}${threads > 1 ? ` --threads ${String(threads)}` : ''}\` (${new Date().toISOString().slice(0, 10)}, ${String(cpus().length)} cores; tfjs ${tf.version.tfjs} on the \`${backend.name}\` backend, ${threads > 1 ? `${String(threads)} threads (data-parallel)` : 'one thread'}; PyTorch ${version}, same architectures and optimizer, random inputs). Samples per second over ${String(steps)} training steps after ${String(warmup)} warm-up step(s); ratio = ours / PyTorch.`,
  '',
  '| network | batch | ours (samples/s) | PyTorch 2 threads | ratio | PyTorch 1 thread | ratio |',
  '|---|---:|---:|---:|---:|---:|---:|',
  ...rows,
].join('\n');
console.log(body);
if (!process.argv.includes('--no-write')) console.log(`written to ${writePerformanceSection('convnet', body, 'ConvNet training vs PyTorch')}`);
