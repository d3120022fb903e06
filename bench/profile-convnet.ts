/**
 * Kernel time of ConvNet training steps on the active backend, summed by kernel name (tf.profile),
 * beside the wall time of the same steps.
 *
 *   npx tsx bench/profile-convnet.ts [--net resnet|charcnn] [--steps 3] [--depth 20] [--batch 128] [--threads 1]
 *
 * resnet: ResNet-`depth` on random 32x32x3 images; charcnn: Zhang et al.'s small char-CNN on random
 * 1,014-character texts. With --threads above 1 only replica 0's kernels (this thread) are profiled.
 */
import * as tf from '@tensorflow/tfjs';
import { CharCNN, ResNet, useFastestBackend, type ConvNetModel } from '../src/models/index.js';
import { createRandom } from '../src/random.js';
import { ZHANG_ALPHABET } from '../src/data/alphabet.js';
import { benchArgs } from './args.js';

const { net, steps, depth, batch, threads } = benchArgs(
  'npx tsx bench/profile-convnet.ts [--net resnet|charcnn] [--steps 3] [--depth 20] [--batch 128] [--threads 1]',
  { net: 'resnet', steps: 3, depth: 20, batch: 128, threads: 1 },
  { choices: { net: ['resnet', 'charcnn'] } },
);
await useFastestBackend();
const random = createRandom('profile-convnet');
const n = steps * batch;

/** A model and a fit of it on `count` samples. */
type Run = { model: ConvNetModel<'images'> | ConvNetModel<'texts'>; fit: (count: number, onProgress: () => void) => Promise<unknown> };
let make: () => Run;
if (net === 'resnet') {
  const data = Float32Array.from({ length: n * 32 * 32 * 3 }, () => random());
  const labels = Int32Array.from({ length: n }, (_, i) => i % 10);
  make = () => {
    const model = new ResNet({ depth, epochs: 1, batchSize: batch, seed: 1, threads });
    return {
      model,
      fit: (count, onProgress) =>
        model.fit({ data: data.subarray(0, count * 32 * 32 * 3), shape: [count, 32, 32, 3] }, labels.subarray(0, count), { onProgress }),
    };
  };
} else {
  // charcnn: benchArgs admits no other --net.
  const letters = ZHANG_ALPHABET.join('');
  const texts = Array.from({ length: n }, () =>
    Array.from({ length: 1014 }, () => letters[Math.floor(random() * letters.length)]).join(''),
  );
  const labels = Int32Array.from({ length: n }, (_, i) => i % 2);
  make = () => {
    const model = new CharCNN({ size: 'small', epochs: 1, batchSize: batch, seed: 1, threads });
    return { model, fit: (count, onProgress) => model.fit(texts.slice(0, count), labels.subarray(0, count), { onProgress }) };
  };
}
// A warm-up fit, so that one-time costs (module instantiation, allocations) stay out.
{
  const { model, fit } = make();
  await fit(batch, () => undefined);
  model.dispose();
}
const { model, fit } = make();
const stamps: number[] = [];
const info = await tf.profile(async () => {
  await fit(n, () => stamps.push(performance.now()));
});
model.dispose();
const byName = new Map<string, { ms: number; calls: number }>();
for (const k of info.kernels) {
  const e = byName.get(k.name) ?? { ms: 0, calls: 0 };
  e.ms += k.kernelTimeMs as number;
  e.calls += 1;
  byName.set(k.name, e);
}
const rows = [...byName].sort((a, b) => b[1].ms - a[1].ms);
const total = rows.reduce((s, [, e]) => s + e.ms, 0);
const wall = ((stamps.at(-1) as number) - (stamps[0] as number)) / Math.max(steps - 1, 1);
const label = net === 'resnet' ? `resnet${String(depth)}` : 'charcnn-small';
console.log(
  `per step (${String(steps)} steps, batch ${String(batch)}, ${label}, ${String(threads)} thread(s)): kernels ${(total / steps).toFixed(0)} ms, wall ${wall.toFixed(0)} ms (profiled)`,
);
for (const [name, e] of rows)
  console.log(`${name.padEnd(28)} ${(e.ms / steps).toFixed(1).padStart(8)} ms ${String(e.calls / steps).padStart(6)} calls`);
