/**
 * Per-kernel timings of conv.c's convolutions on ResNet's stride-1 3x3 layers (batch 128 by
 * default), on a module instance with its own memory (no tfjs): the direct register-tiled kernel,
 * Winograd F(2x2, 3x3) and F(4x4, 3x3) forward, and the direct and F(4x4, 3x3) filter gradients.
 * Each is timed by its process CPU time (less sensitive than wall time to other jobs on a shared
 * machine), interleaved over --reps rounds; the table gives the best and median of each, GFLOP/s of
 * the direct convolution's 2 * N * Ho * Wo * 9 * C * F flops at the best time, and the largest error
 * against the direct kernel relative to the output's largest value.
 *
 *   npx tsx bench/conv-kernels.ts [--reps 5] [--batch 128] [--layers 32x16x16,16x32x32,8x64x64]
 *
 * On a loaded machine, where times move by tens of percent, bench/callgrind-kernels.sh counts the
 * same kernels' instructions instead.
 */
import { benchArgs } from './args.js';
import { cpuMs, kernelArena, maxRelErr } from './kernelArena.js';

const args = benchArgs('npx tsx bench/conv-kernels.ts [--reps 5] [--batch 128] [--layers 32x16x16,16x32x32,8x64x64]', {
  reps: 5,
  batch: 128,
  layers: ['32x16x16', '16x32x32', '8x64x64'],
});
const { reps, batch: N } = args;
const layers = args.layers.map((l) => l.split('x').map(Number) as [number, number, number]);

const arena = kernelArena(16384); // 1 GiB
const { alloc, view, fill } = arena;
const k = arena.wasm;

console.log(`batch ${String(N)}, ${String(reps)} interleaved rounds, process CPU time`);
console.log('| layer (H x W x C -> F) | kernel | best ms | median ms | GFLOP/s | max error / max value |');
console.log('|---|---|---:|---:|---:|---:|');
for (const [H, C, F] of layers) {
  const W = H;
  arena.reset();
  const x = alloc(N * H * W * C);
  const w = alloc(9 * C * F);
  const dy = alloc(N * H * W * F);
  fill(x, N * H * W * C);
  fill(w, 9 * C * F);
  fill(dy, N * H * W * F);
  const xp = alloc(N * (H + 2) * (W + 2) * C);
  const wp = alloc(9 * C * F);
  const yDirect = alloc(N * H * W * F);
  const y = alloc(N * H * W * F);
  const y43 = alloc(N * H * W * F);
  const U = alloc(36 * C * F);
  const V = alloc(36 * 32 * Math.max(C, F));
  const M = alloc(36 * 32 * Math.max(C, F));
  const D = alloc(36 * 32 * F);
  const Macc = alloc(36 * C * F);
  const dwDirect = alloc(9 * C * F);
  const dw = alloc(9 * C * F);
  const flops = 2 * N * H * W * 9 * C * F;
  const kernels: [string, () => void, (() => number) | undefined][] = [
    [
      'direct forward (pad + conv2dValid)',
      () => {
        k.padImages({ x, xp, N, H, W, C, Hp: H + 2, Wp: W + 2, pt: 1, pl: 1 });
        k.packFilter8({ w, wp, T: 9 * C, F });
        k.conv2dValid({ xp, w, wp, y: yDirect, N, Hp: H + 2, Wp: W + 2, C, Ho: H, Wo: W, F, KH: 3, KW: 3, sh: 1, sw: 1 });
      },
      undefined,
    ],
    [
      'Winograd F(2x2, 3x3) forward',
      () => {
        k.winogradFilter({ w, U, C, F });
        k.winogradConv({ x, U, V, M: V + 16 * 32 * C * 4, y, N, H, W, C, Ho: H, Wo: W, F, pt: 1, pl: 1 });
      },
      () => maxRelErr(view(y, N * H * W * F), view(yDirect, N * H * W * F)),
    ],
    [
      'Winograd F(4x4, 3x3) forward',
      () => {
        k.winograd43Filter({ w, U, C, F });
        k.winograd43Conv({ x, U, V, M, y: y43, N, H, W, C, Ho: H, Wo: W, F, pt: 1, pl: 1 });
      },
      () => maxRelErr(view(y43, N * H * W * F), view(yDirect, N * H * W * F)),
    ],
    [
      'direct filter gradient',
      () => k.conv2dBackpropFilter({ x, dy, dw: dwDirect, N, H, W, C, Ho: H, Wo: W, F, KH: 3, KW: 3, sh: 1, sw: 1, pt: 1, pl: 1 }),
      undefined,
    ],
    [
      'Winograd F(4x4, 3x3) filter gradient',
      () => k.winograd43FilterGrad({ x, dy, V, D, Macc, dw, N, H, W, C, Ho: H, Wo: W, F, pt: 1, pl: 1 }),
      () => maxRelErr(view(dw, 9 * C * F), view(dwDirect, 9 * C * F)),
    ],
  ];
  const times = kernels.map(() => [] as number[]);
  for (let r = 0; r < reps; r++) kernels.forEach(([, run], i) => times[i]?.push(cpuMs(run)));
  kernels.forEach(([name, , err], i) => {
    const t = [...(times[i] as number[])].sort((a, b) => a - b);
    const best = t[0] as number;
    const median = t[Math.floor(t.length / 2)] as number;
    console.log(
      `| ${String(H)}x${String(W)}x${String(C)} -> ${String(F)} | ${name} | ${best.toFixed(1)} | ${median.toFixed(1)} | ${(flops / best / 1e6).toFixed(1)} | ${err === undefined ? '—' : err().toExponential(1)} |`,
    );
  });
}
