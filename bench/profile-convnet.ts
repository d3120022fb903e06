/**
 * Kernel time of ConvNet training steps on the active backend, summed by kernel name (tf.profile),
 * beside the wall time of the same steps, for each build of the library's C kernels asked for
 * (`--kernels native,wasm`: the native addon, the wasm module), the builds alternated over
 * `--rounds` rounds in this one process so that other load on the machine hits them alike; the
 * table gives each kernel's best round per build.
 *
 *   npx tsx bench/profile-convnet.ts [--net resnet|charcnn] [--steps 3] [--depth 20] [--batch 128] [--threads 1] [--threading data-parallel|intra-op] [--kernels native,wasm] [--rounds 1]
 *
 * resnet: ResNet-`depth` on random 32x32x3 images; charcnn: Zhang et al.'s small char-CNN on random
 * 1,014-character texts. With --threads above 1 only replica 0's kernels (this thread) are profiled
 * (and worker threads use the native addon whenever it loads, whatever --kernels says).
 */
import * as tf from '@tensorflow/tfjs';
import { CharCNN, ResNet, useFastestBackend, type ConvNetModel } from '../src/models/index.js';
import { createRandom } from '../src/random.js';
import { ZHANG_ALPHABET } from '../src/data/alphabet.js';
import { describeKernels } from '../src/kernels/tfjs/index.js';
import { nativeUnavailableReason } from '../src/kernels/tfjs/native.js';
import { useKernelBuild } from '../src/kernels/tfjs/wasm.js';
import { benchArgs } from './args.js';

const { net, steps, depth, batch, threads, threading, kernels, rounds } = benchArgs(
  'npx tsx bench/profile-convnet.ts [--net resnet|charcnn] [--steps 3] [--depth 20] [--batch 128] [--threads 1] [--threading data-parallel|intra-op] [--kernels native,wasm] [--rounds 1]',
  { net: 'resnet', steps: 3, depth: 20, batch: 128, threads: 1, threading: 'data-parallel', kernels: ['native', 'wasm'], rounds: 1 },
  { choices: { net: ['resnet', 'charcnn'], threading: ['data-parallel', 'intra-op'], kernels: ['native', 'wasm'] } },
);
await useFastestBackend();
const why = nativeUnavailableReason();
const builds = kernels.filter((k) => k === 'wasm' || why === undefined);
if (builds.length < kernels.length) console.log(`native kernels not loaded (${why ?? ''}): wasm only`);
const random = createRandom('profile-convnet');
const n = steps * batch;

/** A model and a fit of it on `count` samples. */
type Run = { model: ConvNetModel<'images'> | ConvNetModel<'texts'>; fit: (count: number, onProgress: () => void) => Promise<unknown> };
let make: () => Run;
if (net === 'resnet') {
  const data = Float32Array.from({ length: n * 32 * 32 * 3 }, () => random());
  const labels = Int32Array.from({ length: n }, (_, i) => i % 10);
  make = () => {
    const model = new ResNet({
      depth,
      epochs: 1,
      batchSize: batch,
      seed: 1,
      threads,
      threading: threading as 'data-parallel' | 'intra-op',
    });
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
    const model = new CharCNN({
      size: 'small',
      epochs: 1,
      batchSize: batch,
      seed: 1,
      threads,
      threading: threading as 'data-parallel' | 'intra-op',
    });
    return { model, fit: (count, onProgress) => model.fit(texts.slice(0, count), labels.subarray(0, count), { onProgress }) };
  };
}
// A warm-up fit per build, so that one-time costs (module instantiation, allocations) stay out.
for (const build of builds) {
  useKernelBuild(build === 'native' ? 'auto' : 'wasm');
  const { model, fit } = make();
  await fit(batch, () => undefined);
  model.dispose();
}

/** Per build: kernel ms and calls per step by name (best round), and wall ms per step (best round). */
const results = new Map<string, { path: string; byName: Map<string, { ms: number; calls: number }>; wall: number }>();
for (let round = 0; round < rounds; round++) {
  for (const build of builds) {
    useKernelBuild(build === 'native' ? 'auto' : 'wasm');
    const { model, fit } = make();
    const stamps: number[] = [];
    const info = await tf.profile(async () => {
      await fit(n, () => stamps.push(performance.now()));
    });
    const path = describeKernels();
    model.dispose();
    const byName = new Map<string, { ms: number; calls: number }>();
    for (const k of info.kernels) {
      const e = byName.get(k.name) ?? { ms: 0, calls: 0 };
      e.ms += (k.kernelTimeMs as number) / steps;
      e.calls += 1 / steps;
      byName.set(k.name, e);
    }
    const wall = ((stamps.at(-1) as number) - (stamps[0] as number)) / Math.max(steps - 1, 1);
    const prev = results.get(build);
    if (prev === undefined) results.set(build, { path, byName, wall });
    else {
      prev.wall = Math.min(prev.wall, wall);
      for (const [name, e] of byName) {
        const p = prev.byName.get(name);
        if (p === undefined || e.ms < p.ms) prev.byName.set(name, e);
      }
    }
  }
}
const label = net === 'resnet' ? `resnet${String(depth)}` : 'charcnn-small';
const names = [...new Set([...results.values()].flatMap((r) => [...r.byName.keys()]))];
const first = results.get(builds[0] as string);
names.sort((a, b) => (first?.byName.get(b)?.ms ?? 0) - (first?.byName.get(a)?.ms ?? 0));
console.log(
  `per step (${String(steps)} steps, batch ${String(batch)}, ${label}, ${String(threads)} thread(s), best of ${String(rounds)} alternated round(s)), ms:`,
);
console.log(`| kernel | ${builds.map((b) => `${results.get(b)?.path ?? b} (ms)`).join(' | ')} | calls |`);
console.log(`|---|${builds.map(() => '---:').join('|')}|---:|`);
for (const name of names)
  console.log(
    `| ${name} | ${builds.map((b) => (results.get(b)?.byName.get(name)?.ms ?? 0).toFixed(1)).join(' | ')} | ${(first?.byName.get(name)?.calls ?? 0).toFixed(0)} |`,
  );
const totals = builds.map((b) => [...(results.get(b)?.byName.values() ?? [])].reduce((s, e) => s + e.ms, 0));
console.log(`| all kernels | ${totals.map((x) => x.toFixed(0)).join(' | ')} | |`);
console.log(`| wall time per step (profiled) | ${builds.map((b) => (results.get(b)?.wall ?? 0).toFixed(0)).join(' | ')} | |`);
