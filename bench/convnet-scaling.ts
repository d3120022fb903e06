/**
 * Where ResNet-20's data-parallel training loses its second thread: the training rate on one
 * thread at three batch sizes (the time a step takes at batch b is about F + c x b: F, the part of
 * a step that does not shrink with the batch, is paid again by every data-parallel thread), two
 * one-thread trainings in two processes at once (what the two cores give to independent work), and
 * the data-parallel run on 2 threads. Random 32x32x3 images, steps 3 onwards of 9 (two warm-up).
 *
 *   npx tsx bench/convnet-scaling.ts [--depth 20]
 *
 * Prints a Markdown table; run it with nothing else on the machine.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ResNet, useFastestBackend } from '../src/models/index.js';
import { describeKernels } from '../src/kernels/tfjs/index.js';
import { createRandom } from '../src/random.js';
import { benchArgs } from './args.js';

const STEPS = 9;
const WARMUP = 2;

/** Images per second of one training run (steps after the warm-up), in this process. */
async function rate(depth: number, batch: number, threads: number): Promise<number> {
  await useFastestBackend();
  const n = batch * STEPS;
  const random = createRandom('scaling');
  const x = { data: Float32Array.from({ length: n * 32 * 32 * 3 }, () => random()), shape: [n, 32, 32, 3] as const };
  const y = Int32Array.from({ length: n }, (_, i) => i % 10);
  const times: number[] = [];
  const net = await new ResNet({ depth, epochs: 1, batchSize: batch, threads }).fit(x, y, {
    onProgress: () => void times.push(performance.now()),
  });
  net.dispose();
  const first = times[WARMUP] as number;
  const last = times.at(-1) as number;
  return (batch * (times.length - 1 - WARMUP)) / ((last - first) / 1000);
}

/** The rate of a one-thread run in a child process (this file with --child). */
function childRate(depth: number, batch: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', String(depth), String(batch)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(Number(out.trim())) : reject(new Error(`child exited ${String(code)}`))));
  });
}

if (process.argv[2] === '--child') {
  console.log(await rate(Number(process.argv[3]), Number(process.argv[4]), 1));
} else {
  const { depth } = benchArgs('npx tsx bench/convnet-scaling.ts [--depth 20]', { depth: 20 });
  const rows: [string, number][] = [];
  for (const batch of [64, 128, 256]) rows.push([`1 thread, batch ${String(batch)}`, await rate(depth, batch, 1)]);
  const pair = await Promise.all([childRate(depth, 128), childRate(depth, 128)]);
  rows.push(['two 1-thread trainings at once (two processes), batch 128: sum', pair[0] + pair[1]]);
  rows.push(['data-parallel, 2 threads, batch 128', await rate(depth, 128, 2)]);
  console.log(
    `ResNet-${String(depth)} training, ${describeKernels()}, images/s (npx tsx bench/convnet-scaling.ts, ${new Date().toISOString().slice(0, 10)}):\n`,
  );
  console.log('| run | images/s |\n|---|---:|');
  for (const [name, r] of rows) console.log(`| ${name} | ${r.toFixed(1)} |`);
  const ms = (b: number, r: number): number => (1000 * b) / r;
  const [r64, r128, r256] = rows.map(([, r]) => r);
  const perImage = (ms(256, r256!) - ms(64, r64!)) / 192;
  console.log(
    `\nstep time at batch 64, 128, 256: ${[ms(64, r64!), ms(128, r128!), ms(256, r256!)].map((t) => t.toFixed(0)).join(', ')} ms; ` +
      `a line through 64 and 256: ${perImage.toFixed(2)} ms an image, ${(ms(64, r64!) - 64 * perImage).toFixed(0)} ms a step that does not shrink with the batch`,
  );
}
