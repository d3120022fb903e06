/**
 * ConvNet training and inference throughput: ResNet (He et al., CIFAR-10, 32x32x3, batch 128) and
 * Zhang et al.'s small char-CNN (1,014 characters), trained by this library for a fixed number of
 * steps and then run through `predict`, beside the same architectures in PyTorch CPU
 * (bench/convnet_torch.py, /usr/bin/python3, Debian python3-torch; training, and inference with
 * `eval()` under `no_grad`) measured in the same run. Writes its tables into docs/performance.md.
 *
 *   npm run bench:convnet -- [--steps 10] [--warmup 10] [--depth 20] [--batch 128] [--char-batch 128] [--nets resnet,charcnn] [--threads 1,2] [--threading data-parallel,intra-op] [--rounds 1] [--infer-steps 5] [--torch-malloc tuned] [--no-infer] [--no-write]
 *
 * --torch-malloc tuned (the default) runs PyTorch with TORCH_MALLOC_TUNABLES below: glibc's malloc
 * keeps freed memory mapped (no mmap/munmap per tensor up to 32 MB, no trim) and backs it with
 * transparent huge pages. With glibc's defaults PyTorch re-faults its activations every step, and
 * a page fault costs ~15 us on this project's VM: 3,664 faults per ResNet-20 step and ~360,000 per
 * char-CNN step (2026-12-07), which made its char-CNN ~2.6x slower. `default` measures that.
 *
 * --threads lists the thread counts to measure ours with; above 1 trains on that many threads
 * (options.threads) in each --threading way (options.threading: data-parallel replicas, or the
 * native kernels split over intra-op threads, where the addon loads), and the table gives the
 * scaling efficiency: the rate on N threads over N times the rate on one.
 *
 * --rounds R measures everything R times and gives medians (a ratio: the median of the rounds'
 * ratios, each listed). Within a round ours and PyTorch alternate network by network (ours first
 * in odd rounds, PyTorch first in even ones): on this project's VM both sides' rates drift by tens
 * of percent within minutes, and a ratio from one pass pairs whatever each side met.
 *
 * Ten warm-up steps by default (both sides get the same), then ten timed: the table is meant to
 * give the steady training rate. A fit with threads > 1 starts new worker threads, whose first two
 * steps run 2-5x slower than the rest while V8 compiles and tiers up their wasm code, and tfjs's
 * wasm memory keeps growing over about the first ten steps of a new model: each new page is a
 * page fault, ~15 us on this project's VM (bench/page-faults.ts), 100-2,000 of them per step after
 * two warm-up steps (2026-12-07), 5-20% of a 2-thread step. The page faults per timed step of both
 * sides are in the Command line.
 *
 * Inference: `predict` on (1 + infer-steps) batches of 256 (the batch predict uses), the first
 * batch's time left out; PyTorch the same batches, one warm-up. Ours on one thread, and with
 * intra-op threads on the largest thread count when that is measured.
 */
import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { CharCNN, ResNet, useFastestBackend, type ConvNetModel } from '../src/models/index.js';
import { createRandom } from '../src/random.js';
import { ZHANG_ALPHABET } from '../src/data/alphabet.js';
import { describeKernels } from '../src/kernels/tfjs/index.js';
import { intraOpUnavailableReason } from '../src/kernels/tfjs/wasm.js';
import { writePerformanceSection } from './docs.js';
import { benchArgs } from './args.js';
import { cpuDescription, fmaProbe } from './cpu.js';

const args = benchArgs(
  'npm run bench:convnet -- [--steps 10] [--warmup 10] [--depth 20] [--batch 128] [--char-batch 128] [--nets resnet,charcnn] [--threads 1,2] [--threading data-parallel,intra-op] [--rounds 1] [--infer-steps 5] [--torch-malloc tuned] [--no-infer] [--no-write]',
  {
    steps: 10,
    warmup: 10,
    depth: 20,
    batch: 128,
    'char-batch': 128,
    nets: ['resnet', 'charcnn'],
    threads: [1, 2],
    threading: ['data-parallel', 'intra-op'],
    'infer-steps': 5,
    rounds: 1,
    'torch-malloc': 'tuned',
    'no-infer': false,
    'no-write': false,
  },
  { choices: { nets: ['resnet', 'charcnn'], threading: ['data-parallel', 'intra-op'], 'torch-malloc': ['tuned', 'default'] } },
);
const { steps, warmup, depth, batch, nets, rounds, 'char-batch': charBatch, threads: threadCounts, 'infer-steps': inferSteps } = args;
const infer = !args['no-infer'];
/** The batch `predict` runs (ConvNetModel.predictProba: max(batchSize, 256)). */
const inferBatch = Math.max(batch, charBatch, 256);

const backend = await useFastestBackend();
/** The 1-minute load average before the runs: on a shared machine it says how far to trust the table. */
const loadBefore = loadavg()[0] ?? 0;
const cpu = cpuDescription();
const probeBefore = fmaProbe();
console.log(`tfjs backend: ${backend.name}, kernels: ${describeKernels()}; ${cpu}`);

/** Minor page faults per timed training step, by net and run label, one entry per round. */
const oursFaults: Record<string, Record<string, number[]>> = {};
/** Trains `model` for warmup + steps steps and returns the samples/s of the timed steps. */
async function throughput(
  model: ConvNetModel<'images'> | ConvNetModel<'texts'>,
  fit: (onProgress: () => void) => Promise<unknown>,
  size: number,
  net: string,
  label: string,
): Promise<number> {
  const stamps: number[] = [];
  const faults: number[] = [];
  await fit(() => {
    stamps.push(performance.now());
    faults.push(process.resourceUsage().minorPageFault);
  });
  // stamps[i] is the end of step i; the timed steps run from the end of the warmup.
  const t0 = stamps[warmup - 1] as number;
  const t1 = stamps[warmup + steps - 1] as number;
  ((oursFaults[net] ??= {})[label] ??= []).push(((faults[warmup + steps - 1] as number) - (faults[warmup - 1] as number)) / steps);
  return (steps * size) / ((t1 - t0) / 1000);
}

/** `predict` samples/s of a fitted model: one batch to warm up, then inferSteps batches. */
async function inference(predict: (count: number) => Promise<unknown>): Promise<number> {
  await predict(inferBatch);
  const t0 = performance.now();
  await predict(inferSteps * inferBatch);
  return (inferSteps * inferBatch) / ((performance.now() - t0) / 1000);
}

/** One measured configuration: a thread count and, above 1, how the threads are used. */
interface Run {
  readonly threads: number;
  readonly threading: 'data-parallel' | 'intra-op';
  readonly label: string;
}
const intraOpWhy = intraOpUnavailableReason();
if (args.threading.includes('intra-op') && intraOpWhy !== undefined) console.log(`intra-op threads not measured: ${intraOpWhy}`);
const runs: Run[] = threadCounts.flatMap((threads) =>
  threads === 1
    ? [{ threads, threading: 'data-parallel' as const, label: '1 thread' }]
    : args.threading
        .filter((t) => t === 'data-parallel' || intraOpWhy === undefined)
        .map((threading) => ({ threads, threading: threading as Run['threading'], label: `${String(threads)} threads ${threading}` })),
);
/** Where predict is also measured: one thread, and intra-op on the most threads. */
const intraOpRuns = runs.filter((r) => r.threading === 'intra-op');
const inferRuns = new Set([runs.find((r) => r.threads === 1), intraOpRuns.at(-1)].filter((r) => r !== undefined));

/** One round's rates: by net, then by run label. */
type Rates = Record<string, Record<string, number>>;
const random = createRandom('bench-convnet');
const resnetName = `resnet${String(depth)}`;
const resnetData = (() => {
  if (!nets.includes('resnet')) return undefined;
  const n = Math.max((warmup + steps) * batch, inferSteps * inferBatch);
  return { data: Float32Array.from({ length: n * 32 * 32 * 3 }, () => random()), labels: Int32Array.from({ length: n }, (_, i) => i % 10) };
})();
const charData = (() => {
  if (!nets.includes('charcnn')) return undefined;
  const n = Math.max((warmup + steps) * charBatch, inferSteps * inferBatch);
  const letters = ZHANG_ALPHABET.join('');
  const texts = Array.from({ length: n }, () =>
    Array.from({ length: 1014 }, () => letters[Math.floor(random() * letters.length)]).join(''),
  );
  return { texts, labels: Int32Array.from({ length: n }, (_, i) => i % 2) };
})();

/** Our training (and, for inferRuns, predict) rates of every run of one network, once. */
async function measureOurs(net: 'resnet' | 'charcnn'): Promise<{ train: Rates; infer: Rates }> {
  const train: Rates = {};
  const inferRates: Rates = {};
  const record = (net: string, run: Run, value: number, unit: string) => {
    (train[net] ??= {})[run.label] = value;
    console.log(`ours ${net}, ${run.label}: ${value.toFixed(1)} ${unit}/s`);
  };
  const recordInfer = async (net: string, run: Run, predict: (count: number) => Promise<unknown>, unit: string) => {
    if (!infer || !inferRuns.has(run)) return;
    const value = await inference(predict);
    (inferRates[net] ??= {})[run.label] = value;
    console.log(`ours ${net} predict, ${run.label}: ${value.toFixed(1)} ${unit}/s`);
  };
  if (net === 'resnet' && resnetData !== undefined) {
    const { data, labels } = resnetData;
    const n = (warmup + steps) * batch;
    for (const run of runs) {
      const model = new ResNet({ depth, epochs: 1, batchSize: batch, seed: 1, threads: run.threads, threading: run.threading });
      const fit = (onProgress: () => void) =>
        model.fit({ data: data.subarray(0, n * 3072), shape: [n, 32, 32, 3] }, labels.subarray(0, n), { onProgress });
      record(resnetName, run, await throughput(model, fit, batch, resnetName, run.label), 'images');
      await recordInfer(
        resnetName,
        run,
        (count) => model.predict({ data: data.subarray(0, count * 3072), shape: [count, 32, 32, 3] }),
        'images',
      );
      model.dispose();
    }
  }
  if (net === 'charcnn' && charData !== undefined) {
    const { texts, labels } = charData;
    const n = (warmup + steps) * charBatch;
    for (const run of runs) {
      const model = new CharCNN({
        size: 'small',
        epochs: 1,
        batchSize: charBatch,
        seed: 1,
        threads: run.threads,
        threading: run.threading,
      });
      const fit = (onProgress: () => void) => model.fit(texts.slice(0, n), labels.subarray(0, n), { onProgress });
      record('charcnn-small', run, await throughput(model, fit, charBatch, 'charcnn-small', run.label), 'texts');
      await recordInfer('charcnn-small', run, (count) => model.predict(texts.slice(0, count)), 'texts');
      model.dispose();
    }
  }
  return { train, infer: inferRates };
}

interface TorchRow {
  net: string;
  imagesPerSecond: number;
  threads: number;
  params: number;
  /** Minor page faults per timed step (training). */
  faultsPerStep?: number;
}
/** PyTorch's minor page faults per timed training step, by net and thread count, one entry per round. */
const torchFaults: Record<string, Record<string, number[]>> = {};
/** glibc malloc settings that keep PyTorch's freed memory mapped, in huge pages (--torch-malloc tuned). */
const TORCH_MALLOC_TUNABLES = 'glibc.malloc.hugetlb=1:glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=4294967296';
function torch(net: 'resnet' | 'charcnn', threads: number, mode: 'train' | 'infer'): TorchRow[] {
  const out = execFileSync(
    '/usr/bin/python3',
    [
      'bench/convnet_torch.py',
      '--threads',
      String(threads),
      '--steps',
      String(mode === 'infer' ? inferSteps : steps),
      '--warmup',
      String(mode === 'infer' ? 1 : warmup),
      '--batch',
      String(batch),
      '--char-batch',
      String(charBatch),
      '--infer-batch',
      String(inferBatch),
      '--resnet-depth',
      String(depth),
      '--nets',
      net,
      '--mode',
      mode,
    ],
    {
      encoding: 'utf8',
      env: args['torch-malloc'] === 'tuned' ? { ...process.env, GLIBC_TUNABLES: TORCH_MALLOC_TUNABLES } : process.env,
    },
  );
  return out
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as TorchRow);
}
/** PyTorch's rates of one network, once: by net, then by thread count (train and infer). */
function measureTorch(net: 'resnet' | 'charcnn'): { train: Rates; infer: Rates } {
  const train: Rates = {};
  const inferRates: Rates = {};
  for (const threads of [2, 1]) {
    for (const r of torch(net, threads, 'train')) {
      (train[r.net] ??= {})[String(threads)] = r.imagesPerSecond;
      if (r.faultsPerStep !== undefined) ((torchFaults[r.net] ??= {})[String(threads)] ??= []).push(r.faultsPerStep);
    }
    if (infer) for (const r of torch(net, threads, 'infer')) (inferRates[r.net] ??= {})[String(threads)] = r.imagesPerSecond;
  }
  return { train, infer: inferRates };
}

// Ours and PyTorch alternate network by network within each round, who goes first alternating
// round by round: on this VM the rates of both drift by tens of percent within minutes, so a ratio
// is only as good as the pairing of its two sides (each network's pair is about a minute apart).
const measured: { ours: { train: Rates; infer: Rates }; torch: { train: Rates; infer: Rates } }[] = [];
for (let round = 0; round < rounds; round++) {
  if (rounds > 1) console.log(`round ${String(round + 1)} of ${String(rounds)}`);
  const m = { ours: { train: {}, infer: {} }, torch: { train: {}, infer: {} } };
  for (const net of nets as ('resnet' | 'charcnn')[]) {
    const merge = (into: { train: Rates; infer: Rates }, r: { train: Rates; infer: Rates }) => {
      Object.assign(into.train, r.train);
      Object.assign(into.infer, r.infer);
    };
    if (round % 2 === 0) {
      merge(m.ours, await measureOurs(net));
      merge(m.torch, measureTorch(net));
    } else {
      merge(m.torch, measureTorch(net));
      merge(m.ours, await measureOurs(net));
    }
  }
  measured.push(m);
}
console.log(`tensors left: ${String(tf.memory().numTensors)}`);

const median = (v: number[]): number | undefined => {
  if (v.length === 0) return undefined;
  const sorted = [...v].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};
/** The median over rounds of pick(round), rounds where it is defined. */
const over = (pick: (m: (typeof measured)[number]) => number | undefined): number | undefined =>
  median(measured.map(pick).filter((v): v is number => v !== undefined));
const best = (r: Record<string, number> | undefined): number | undefined =>
  r === undefined || Object.keys(r).length === 0 ? undefined : Math.max(...Object.values(r));
const div = (a: number | undefined, b: number | undefined): number | undefined => (a === undefined || b === undefined ? undefined : a / b);
const netNames = [...(resnetData === undefined ? [] : [resnetName]), ...(charData === undefined ? [] : ['charcnn-small'])];
const version = execFileSync('/usr/bin/python3', ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' }).trim();

const fmt = (v: number | undefined) => (v === undefined ? '—' : v.toFixed(1));
const fmtRatio = (v: number | undefined) => (v === undefined ? '—' : v.toFixed(2));
const multi = runs.filter((r) => r.threads > 1);
const oursOf = (net: string, label: string) => over((m) => m.ours.train[net]?.[label]);
const torchOf = (net: string, threads: number) => over((m) => m.torch.train[net]?.[String(threads)]);
const scaling = (net: string) =>
  multi
    .map((r) => {
      const v = over((m) => div(m.ours.train[net]?.[r.label], (m.ours.train[net]?.['1 thread'] ?? NaN) * r.threads));
      return v === undefined || Number.isNaN(v) ? '—' : `${(100 * v).toFixed(0)}%`;
    })
    .join(', ') || '—';
/** Per round, our best training rate over PyTorch's on 2 threads. */
const perRound = (net: string) => measured.map((m) => div(best(m.ours.train[net]), m.torch.train[net]?.['2']));
const rows = netNames.map(
  (net) =>
    `| ${net} | ${String(net.startsWith('resnet') ? batch : charBatch)} | ${runs.map((r) => fmt(oursOf(net, r.label))).join(' | ')} | ${scaling(net)} | ${fmt(torchOf(net, 2))} | ${fmtRatio(median(perRound(net).filter((v): v is number => v !== undefined)))} | ${fmt(torchOf(net, 1))} | ${fmtRatio(over((m) => div(m.ours.train[net]?.['1 thread'], m.torch.train[net]?.['1'])))} |`,
);
const probeAfter = fmaProbe();
const date = `${new Date().toISOString().slice(0, 10)}, load average ${loadBefore.toFixed(1)} before and ${(loadavg()[0] ?? 0).toFixed(1)} after the runs; ${probeBefore} before, ${probeAfter.replace(/^second thread's FMA throughput gain /, '')} after`;
const threadsArg = threadCounts.join(',');
const threadingArg = args.threading.join(',');
// The options that change what is measured, when not their defaults, so that the line reruns it.
const otherArgs = [
  depth === 20 ? '' : ` --depth ${String(depth)}`,
  batch === 128 ? '' : ` --batch ${String(batch)}`,
  charBatch === 128 ? '' : ` --char-batch ${String(charBatch)}`,
  nets.join(',') === 'resnet,charcnn' ? '' : ` --nets ${nets.join(',')}`,
  infer ? '' : ' --no-infer',
  args['torch-malloc'] === 'tuned' ? '' : ` --torch-malloc ${args['torch-malloc']}`,
].join('');
// Page faults cost ~15 us each on this project's VM (bench/page-faults.ts): a side still growing
// its memory in the timed steps pays for it there, which a long training run does not.
const faultsNote = netNames
  .map((net) => {
    const o = runs.map((r) => `${r.label} ${fmt(median(oursFaults[net]?.[r.label] ?? []))}`).join(', ');
    const t = [2, 1].map((n) => `${String(n)} thread${n > 1 ? 's' : ''} ${fmt(median(torchFaults[net]?.[String(n)] ?? []))}`).join(', ');
    return `${net}: ours ${o}; PyTorch ${t}`;
  })
  .join('; ');
const roundsNote =
  rounds > 1
    ? ` ${String(rounds)} rounds, ours and PyTorch alternating network by network (who goes first alternating by round); every figure is the median over the rounds, a ratio the median of the rounds' ratios (our best / PyTorch 2 threads per round: ${netNames.map((net) => `${net} ${perRound(net).map(fmtRatio).join(', ')}`).join('; ')}).`
    : '';
const body = [
  `Command: \`npm run bench:convnet -- --steps ${String(steps)} --warmup ${String(warmup)} --threads ${threadsArg} --threading ${threadingArg}${rounds > 1 ? ` --rounds ${String(rounds)}` : ''}${otherArgs}\` (${date}; ${cpu}; tfjs ${tf.version.tfjs} on the \`${backend.name}\` backend with this library's kernels (\`${describeKernels()}\`: ${describeKernels().includes('native') ? 'the native addon' : 'the wasm module'}); one thread, data-parallel replicas on worker threads, or intra-op threads in the native kernels; PyTorch ${version}, same architectures and optimizer, random inputs; ${args['torch-malloc'] === 'tuned' ? `PyTorch run with \`GLIBC_TUNABLES=${TORCH_MALLOC_TUNABLES}\`, which keeps its freed memory mapped` : "PyTorch with glibc's default malloc settings"}). Samples per second over ${String(steps)} training steps after ${String(warmup)} warm-up step(s). Scaling: the rate on N threads / (N x the rate on 1), per multi-thread column. Ratios: our best / PyTorch 2 threads, and ours on 1 thread / PyTorch 1 thread. Minor page faults per timed step (the whole process${rounds > 1 ? ', medians' : ''}): ${faultsNote}.${roundsNote}`,
  '',
  `| network | batch | ${runs.map((r) => `ours, ${r.label}`).join(' | ')} | scaling | PyTorch 2 threads | ratio | PyTorch 1 thread | ratio |`,
  `|---|---:|${runs.map(() => '---:').join('|')}|---:|---:|---:|---:|---:|`,
  ...rows,
].join('\n');
console.log(body);
const inferLabels = runs.filter((r) => inferRuns.has(r)).map((r) => r.label);
const inferBody = [
  `Command: as above (${date}; ${cpu}). \`predict\` (inference mode) on ${String(inferSteps)} batches of ${String(inferBatch)} after one warm-up batch, on one thread${inferLabels.length > 1 ? ' and on intra-op threads' : ''}, against PyTorch \`eval()\` under \`torch.no_grad()\` on the same batches${rounds > 1 ? ', medians over the rounds' : ''}. Ratios: ours / PyTorch (ours on one thread against PyTorch's one; our best against PyTorch's two).`,
  '',
  `| network | batch | ${inferLabels.map((l) => `ours, ${l}`).join(' | ')} | PyTorch 1 thread | ratio | PyTorch 2 threads | ratio |`,
  `|---|---:|${inferLabels.map(() => '---:').join('|')}|---:|---:|---:|---:|`,
  ...netNames.map((net) => {
    return `| ${net} | ${String(inferBatch)} | ${inferLabels.map((l) => fmt(over((m) => m.ours.infer[net]?.[l]))).join(' | ')} | ${fmt(over((m) => m.torch.infer[net]?.['1']))} | ${fmtRatio(over((m) => div(m.ours.infer[net]?.['1 thread'], m.torch.infer[net]?.['1'])))} | ${fmt(over((m) => m.torch.infer[net]?.['2']))} | ${fmtRatio(over((m) => div(best(m.ours.infer[net]), m.torch.infer[net]?.['2'])))} |`;
  }),
].join('\n');
if (infer) console.log(inferBody);
if (!args['no-write']) {
  console.log(`written to ${writePerformanceSection('convnet', body, 'ConvNet training vs PyTorch')}`);
  if (infer) console.log(`written to ${writePerformanceSection('convnet-infer', inferBody, 'ConvNet inference vs PyTorch')}`);
}
