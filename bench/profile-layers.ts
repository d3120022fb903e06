/**
 * Where a ResNet-20 training step goes, layer by layer (batch 128, the native kernels): tf.profile's
 * kernel time per step grouped by kernel and input shape, on one thread and on 2 intra-op threads,
 * with each row's share of the step and its rate in direct-equivalent GFLOP/s (2 N Ho Wo F KH KW C
 * per convolution call; Winograd F(4x4, 3x3) performs about a quarter of those multiplies, so its
 * rows read up to ~4x above what the FMA units do). A warm-up fit per thread count first.
 *
 *   npx tsx bench/profile-layers.ts [--steps 3]
 */
import * as tf from '@tensorflow/tfjs';
import { ResNet, useFastestBackend } from '../src/models/index.js';
import { benchArgs } from './args.js';

const { steps } = benchArgs('npx tsx bench/profile-layers.ts [--steps 3]', { steps: 3 });
await useFastestBackend();
const n = steps * 128;
const data = Float32Array.from({ length: n * 3072 }, (_, i) => ((i * 2654435761) % 1000) / 1000);
const y = Int32Array.from({ length: n }, (_, i) => i % 10);
type Row = { ms: number; flops: number };
const results: Record<number, { rows: Map<string, Row>; total: number }> = {};
for (const threads of [1, 2]) {
  const warm = new ResNet({ depth: 20, epochs: 1, batchSize: 128, seed: 1, threads, threading: 'intra-op' });
  await warm.fit({ data: data.subarray(0, 128 * 3072), shape: [128, 32, 32, 3] }, y.subarray(0, 128));
  warm.dispose();
  const m = new ResNet({ depth: 20, epochs: 1, batchSize: 128, seed: 1, threads, threading: 'intra-op' });
  const info = await tf.profile(async () => {
    await m.fit({ data, shape: [n, 32, 32, 3] }, y);
  });
  const rows = new Map<string, Row>();
  let total = 0;
  for (const k of info.kernels) {
    if (k.name === 'forward') continue;
    const ms = (k.kernelTimeMs as number) / steps;
    total += ms;
    const s = k.inputShapes;
    let key = k.name;
    let flops = 0;
    if (k.name === 'Conv2D') {
      const [[N, H, W, C], [KH, KW, , F]] = s as [number[], number[]];
      const stride = k.outputShapes[0]![1]! < H! ? 2 : 1;
      key = `Conv2D ${H}x${W}x${C} -> ${F}${stride === 2 ? ', stride 2' : ''}`;
      flops = 2 * N! * (H! / stride) * (W! / stride) * F! * KH! * KW! * C!;
    } else if (k.name === 'Conv2DBackpropInput') {
      const [[N, Ho, Wo, F], [KH, KW, C]] = s as [number[], number[]];
      const out = k.outputShapes[0]!;
      key = `Conv2DBackpropInput ${out[1]}x${out[2]}x${C} <- ${F}${out[1]! > Ho! ? ', stride 2' : ''}`;
      flops = 2 * N! * Ho! * Wo! * F! * KH! * KW! * C!;
    } else if (k.name === 'Conv2DBackpropFilter') {
      const [[N, H, W, C], [, Ho, Wo, F]] = s as [number[], number[]];
      key = `Conv2DBackpropFilter ${H}x${W}x${C} -> ${F}${Ho! < H! ? ', stride 2' : ''}`;
      flops = 2 * N! * Ho! * Wo! * F! * 9 * C!;
    }
    const r = rows.get(key) ?? { ms: 0, flops: 0 };
    r.ms += ms;
    r.flops += flops / steps;
    rows.set(key, r);
  }
  results[threads] = { rows, total };
  m.dispose();
}
const one = results[1]!,
  two = results[2]!;
console.log(`all kernels per step: 1 thread ${one.total.toFixed(1)} ms, 2 threads ${two.total.toFixed(1)} ms`);
console.log('| kernel, layer | 1 thread (ms) | share | GFLOP/s | 2 threads (ms) | share | GFLOP/s |');
console.log('|---|---:|---:|---:|---:|---:|---:|');
for (const [key, r] of [...one.rows].sort((a, b) => b[1].ms - a[1].ms).slice(0, 24)) {
  const t = two.rows.get(key);
  const g = (row: Row | undefined) => (row === undefined || row.flops === 0 ? '—' : (row.flops / row.ms / 1e6).toFixed(0));
  console.log(
    `| ${key} | ${r.ms.toFixed(1)} | ${((100 * r.ms) / one.total).toFixed(0)}% | ${g(r)} | ${t?.ms.toFixed(1) ?? '—'} | ${t === undefined ? '—' : ((100 * t.ms) / two.total).toFixed(0) + '%'} | ${g(t)} |`,
  );
}
