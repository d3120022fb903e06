/**
 * What inference plans (src/kernels/plan.c) give a ResNet's `predict`: the same fitted network's
 * class probabilities on random 32x32x3 images in batches of 256, through the layers one by one
 * (plans off: each layer over the whole batch; and in batches of 64) and through plans at several
 * chunk sizes, the runs
 * alternated `rounds` times in this one process so that the machine's drift falls on every
 * variant alike; medians. Checks that every variant gives the layers' bits.
 *
 *   npx tsx bench/inference-plans.ts [--depth 20] [--threads 1,2] [--images 2048] [--rounds 5] [--chunks 4,8,16,32,64]
 *
 * Prints a Markdown table (images/s, and the ratio to plans off); run it with nothing else on the
 * machine. Needs the native kernels (plans run only there).
 */
import { ResNet, useFastestBackend } from '../src/models/index.js';
import { describeKernels, inferencePlans } from '../src/kernels/tfjs/index.js';
import { kernelBuild } from '../src/kernels/tfjs/wasm.js';
import { imagesToTensor, tensorBatches } from '../src/models/tfjs/batches.js';
import type { Network } from '../src/models/tfjs/layers.js';
import { predictProbabilities } from '../src/models/tfjs/trainLoop.js';
import { createRandom } from '../src/random.js';
import { benchArgs } from './args.js';

const args = benchArgs(
  'npx tsx bench/inference-plans.ts [--depth 20] [--threads 1,2] [--images 2048] [--rounds 5] [--chunks 4,8,16,32,64]',
  { depth: 20, threads: [1, 2], images: 2048, rounds: 5, chunks: [4, 8, 16, 32, 64] },
);

await useFastestBackend();
if (kernelBuild() !== 'native') {
  console.error(`inference plans run on the native kernels only; here: ${describeKernels()}`);
  process.exit(1);
}
const random = createRandom('inference-plans');
const n = args.images;
const data = Float32Array.from({ length: n * 32 * 32 * 3 }, () => random());
const labels = Int32Array.from({ length: n }, (_, i) => i % 10);
const train = Math.min(n, 256);
/** Bytes of a chunk's largest activation (32x32x16 floats per image) for `images` images. */
const chunkBytes = (images: number): number => images * 32 * 32 * 16 * 4;

console.log(`${describeKernels()}; ResNet-${String(args.depth)}, ${String(n)} images in batches of 256, ${String(args.rounds)} rounds`);
const rows: string[] = [];
for (const threads of args.threads) {
  const model = new ResNet({ depth: args.depth, epochs: 1, batchSize: 128, seed: 1, threads, threading: 'intra-op' });
  await model.fit({ data: data.subarray(0, train * 3072), shape: [train, 32, 32, 3] }, labels.subarray(0, train));
  // The fitted network itself: predict's own path (ConvNetModel.probabilities) without re-validating the images every run.
  const fitted = (model as unknown as { fitted: { net: Network } }).fitted;
  const xs = tensorBatches(imagesToTensor('bench', { data, shape: [n, 32, 32, 3] }));
  const variants: { label: string; enabled: boolean; bytes: number; batch: number }[] = [
    { label: 'layers one by one', enabled: false, bytes: inferencePlans.chunkBytes, batch: 256 },
    // Smaller batches are the other way to smaller activations: what they cost in per-kernel work.
    { label: 'layers one by one, batches of 64', enabled: false, bytes: inferencePlans.chunkBytes, batch: 64 },
    ...args.chunks.map((c) => ({ label: `plan, chunks of ${String(c)}`, enabled: true, bytes: chunkBytes(c), batch: 256 })),
  ];
  const saved = { ...inferencePlans };
  const times = new Map<string, number[]>();
  let reference: Float32Array | undefined;
  try {
    for (let r = 0; r < args.rounds + 1; r++)
      for (const v of variants) {
        Object.assign(inferencePlans, { enabled: v.enabled, chunkBytes: v.bytes });
        const t0 = performance.now();
        const p = await predictProbabilities(fitted.net, xs, 10, v.batch, threads);
        const ms = performance.now() - t0;
        reference ??= p;
        if (!p.every((value, i) => Object.is(value, reference?.[i]))) throw new Error(`${v.label}: not the layers' bits`);
        // Round 0 warms up.
        if (r > 0) times.set(v.label, [...(times.get(v.label) ?? []), ms]);
      }
  } finally {
    Object.assign(inferencePlans, saved);
    xs.dispose();
    model.dispose();
  }
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
  const base = median(times.get('layers one by one') as number[]);
  for (const v of variants) {
    const ms = median(times.get(v.label) as number[]);
    rows.push(`| ${String(threads)} | ${v.label} | ${((n / ms) * 1000).toFixed(0)} | ${(base / ms).toFixed(2)}x |`);
  }
}
console.log('\n| threads | variant | images/s | vs layers |\n|---:|---|---:|---:|');
for (const row of rows) console.log(row);
