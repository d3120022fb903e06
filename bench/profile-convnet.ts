/**
 * Kernel time of ResNet training steps on the active backend, summed by kernel name (tf.profile),
 * beside the wall time of the same steps.
 *
 *   npx tsx bench/profile-convnet.ts [--steps 3] [--depth 20] [--batch 128]
 */
import * as tf from '@tensorflow/tfjs';
import { ResNet, useFastestBackend } from '../src/models/index.js';
import { createRandom } from '../src/random.js';

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const steps = Number(arg('--steps') ?? 3);
const depth = Number(arg('--depth') ?? 20);
const batch = Number(arg('--batch') ?? 128);
await useFastestBackend();
const random = createRandom('profile-convnet');
const n = steps * batch;
const data = Float32Array.from({ length: n * 32 * 32 * 3 }, () => random());
const labels = Int32Array.from({ length: n }, (_, i) => i % 10);
// A warm-up fit, so that one-time costs (module instantiation, allocations) stay out.
{
  const m = new ResNet({ depth, epochs: 1, batchSize: batch, seed: 1 });
  await m.fit({ data: data.subarray(0, batch * 32 * 32 * 3), shape: [batch, 32, 32, 3] }, labels.subarray(0, batch));
  m.dispose();
}
const model = new ResNet({ depth, epochs: 1, batchSize: batch, seed: 1 });
const stamps: number[] = [];
const info = await tf.profile(async () => {
  await model.fit({ data, shape: [n, 32, 32, 3] }, labels, { onProgress: () => stamps.push(performance.now()) });
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
console.log(`per step (${String(steps)} steps, batch ${String(batch)}, resnet${String(depth)}): kernels ${(total / steps).toFixed(0)} ms, wall ${wall.toFixed(0)} ms (profiled)`);
for (const [name, e] of rows) console.log(`${name.padEnd(28)} ${(e.ms / steps).toFixed(1).padStart(8)} ms ${String(e.calls / steps).padStart(6)} calls`);
