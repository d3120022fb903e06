/**
 * The C kernels' two builds side by side, per kernel, on ResNet-20's layers (batch 128 by
 * default): the wasm module and the native addon under each instruction set this CPU runs, on the
 * same inputs in one WebAssembly.Memory (no tfjs), interleaved round by round so that a loaded
 * machine slows all of them alike. Times are process CPU time; the table gives the best and
 * median of --reps rounds, each build's speed-up over wasm at the best time, and the largest
 * difference of its output from the wasm module's relative to the output's largest value.
 *
 *   npx tsx bench/native-kernels.ts [--reps 5] [--batch 128] [--layers 32x16x16,16x32x32,8x64x64] [--net resnet|charcnn]
 *
 * --net charcnn: the small char-CNN's layers instead (1 x 7 and 1 x 3 convolutions of 256 channels
 * through 1-D Winograd, and the dense layers' matrix products), --batch texts.
 * Needs the addon built (`npm run build:native`).
 */
import { type Kernels, bindNativeKernels } from '../src/kernels/bindings.js';
import { nativeKernels } from '../src/kernels/tfjs/native.js';
import { benchArgs } from './args.js';
import { cpuMs, kernelArena, maxRelErr } from './kernelArena.js';

const args = benchArgs(
  'npx tsx bench/native-kernels.ts [--reps 5] [--batch 128] [--layers 32x16x16,16x32x32,8x64x64] [--net resnet|charcnn]',
  { reps: 5, batch: 128, layers: ['32x16x16', '16x32x32', '8x64x64'], net: 'resnet' },
  { choices: { net: ['resnet', 'charcnn'] } },
);
const { reps, batch: N } = args;
const layers = args.layers.map((l) => l.split('x').map(Number) as [number, number, number]);

const native = nativeKernels();
if (!('addon' in native)) throw new Error(`the native addon does not load: ${native.reason} (npm run build:native)`);
const addon = native.addon;

const arena = kernelArena(24576); // 1.5 GiB
const { memory, alloc, view, fill } = arena;
const wasm = arena.wasm;
const nat = bindNativeKernels(addon, memory);
const builds: { name: string; k: Kernels; isa?: string }[] = [
  { name: 'wasm', k: wasm },
  ...addon.isas.map((isa) => ({ name: `native-${isa}`, k: nat, isa })),
];

/** One kernel case: `run(k, out)` writes its output (`floats` values) at `out`. */
interface Case {
  readonly name: string;
  readonly floats: number;
  readonly run: (k: Kernels, out: number) => void;
}

function layerCases(H: number, C: number, F: number): Case[] {
  const W = H;
  const x = alloc(N * H * W * C);
  const w = alloc(9 * C * F);
  const dy = alloc(N * H * W * F);
  fill(x, N * H * W * C);
  fill(w, 9 * C * F);
  fill(dy, N * H * W * F);
  const U = alloc(36 * C * F);
  const V = alloc(36 * 32 * Math.max(C, F));
  const M = alloc(36 * 32 * Math.max(C, F));
  const D = alloc(36 * 32 * F);
  const Macc = alloc(36 * C * F);
  const wf = alloc(9 * C * F);
  const xp = alloc(N * (H + 2) * (W + 2) * C);
  const wp = alloc(9 * C * F);
  const gamma = alloc(F);
  const beta = alloc(F);
  const mean = alloc(F);
  const variance = alloc(F);
  const acc = alloc(4 * F + 16);
  const blk = alloc(2 * F);
  fill(gamma, F);
  fill(beta, F);
  const layer = `${String(H)}x${String(W)}x${String(C)} -> ${String(F)}`;
  return [
    {
      name: `${layer} forward, Winograd F(4x4, 3x3)`,
      floats: N * H * W * F,
      run: (k, y) => {
        k.winograd43Filter({ w, U, C, F });
        k.winograd43Conv({ x, U, V, M, y, N, H, W, C, Ho: H, Wo: W, F, pt: 1, pl: 1 });
      },
    },
    {
      name: `${layer} input gradient, flipped-filter F(4x4, 3x3)`,
      floats: N * H * W * C,
      run: (k, dx) => {
        k.flipFilter({ w, wf, KH: 3, KW: 3, C, F });
        k.winograd43Filter({ w: wf, U, C: F, F: C });
        k.winograd43Conv({ x: dy, U, V, M, y: dx, N, H, W, C: F, Ho: H, Wo: W, F: C, pt: 1, pl: 1 });
      },
    },
    {
      name: `${layer} filter gradient, F(4x4, 3x3)`,
      floats: 9 * C * F,
      run: (k, dw) => k.winograd43FilterGrad({ x, dy, V, D, Macc, dw, N, H, W, C, Ho: H, Wo: W, F, pt: 1, pl: 1 }),
    },
    {
      name: `${layer} filter gradient, direct`,
      floats: 9 * C * F,
      run: (k, dw) => k.conv2dBackpropFilter({ x, dy, dw, N, H, W, C, Ho: H, Wo: W, F, KH: 3, KW: 3, sh: 1, sw: 1, pt: 1, pl: 1 }),
    },
    {
      name: `${layer} forward, direct (pad + conv2dValid)`,
      floats: N * H * W * F,
      run: (k, y) => {
        k.padImages({ x, xp, N, H, W, C, Hp: H + 2, Wp: W + 2, pt: 1, pl: 1 });
        k.packFilter8({ w, wp, T: 9 * C, F });
        k.conv2dValid({ xp, w, wp, y, N, Hp: H + 2, Wp: W + 2, C, Ho: H, Wo: W, F, KH: 3, KW: 3, sh: 1, sw: 1 });
      },
    },
    {
      name: `${layer} batch norm forward (+ residual, ReLU) on the output`,
      floats: N * H * W * F,
      run: (k, y) =>
        k.batchNormForward({
          x: dy,
          gamma,
          beta,
          res: dy,
          y,
          mean,
          var: variance,
          acc: (acc + 7) & ~7,
          blk,
          M: N * H * W,
          C: F,
          relu: 1,
          eps: 1e-3,
        }),
    },
  ];
}

/** The char-CNN's 1-D convolutions (width L, 1 x KW, 256 channels) and dense products. */
function charCnnCases(): Case[] {
  const C = 256;
  const cases: Case[] = [];
  // 1-D Winograd transforms as the glue passes them (BT, G, AT), F(4, 3) and F(2, 7).
  const transforms: Record<number, { m: number; values: number[] }> = {
    3: {
      m: 4,
      values: [
        ...[4, 0, -5, 0, 1, 0, 0, -4, -4, 1, 1, 0, 0, 4, -4, -1, 1, 0, 0, -2, -1, 2, 1, 0, 0, 2, -1, -2, 1, 0, 0, 4, 0, -5, 0, 1],
        ...[1 / 4, 0, 0, -1 / 6, -1 / 6, -1 / 6, -1 / 6, 1 / 6, -1 / 6, 1 / 24, 1 / 12, 1 / 6, 1 / 24, -1 / 12, 1 / 6, 0, 0, 1],
        ...[1, 1, 1, 1, 1, 0, 0, 1, -1, 2, -2, 0, 0, 1, 1, 4, 4, 0, 0, 1, -1, 8, -8, 1],
      ],
    },
  };
  for (const [L, KW] of [
    [108, 3],
    [336, 3],
  ] as const) {
    const t = transforms[KW] as { m: number; values: number[] };
    const a = t.m + KW - 1;
    const tp = alloc(t.values.length);
    view(tp, t.values.length).set(t.values);
    const [BT, G, AT] = [tp, tp + a * a * 4, tp + (a * a + a * KW) * 4];
    const Wo = L - KW + 1;
    const x = alloc(N * L * C);
    const w = alloc(KW * C * C);
    const dy = alloc(N * Wo * C);
    fill(x, N * L * C);
    fill(w, KW * C * C);
    fill(dy, N * Wo * C);
    const U = alloc(a * C * C);
    const V = alloc(a * 32 * C);
    const M = alloc(a * 32 * C);
    const Macc = alloc(a * C * C);
    cases.push(
      {
        name: `1 x ${String(KW)} over ${String(L)} x 256 -> 256, forward, 1-D Winograd F(${String(t.m)}, ${String(KW)})`,
        floats: N * Wo * C,
        run: (k, y) => {
          k.winograd1dFilter({ w, G, U, r: KW, a, C, F: C });
          k.winograd1dConv({ x, U, BT, AT, V, M, y, R: N, W: L, C, Wo, F: C, pl: 0, m: t.m, a });
        },
      },
      {
        name: `1 x ${String(KW)} over ${String(L)} x 256 -> 256, filter gradient`,
        floats: KW * C * C,
        run: (k, dw) => k.winograd1dFilterGrad({ x, dy, BT, AT, G, V, D: M, Macc, dw, R: N, W: L, C, Wo, F: C, pl: 0, m: t.m, r: KW }),
      },
    );
  }
  const [K, Nout] = [8704, 1024];
  const a = alloc(N * K);
  const b = alloc(K * Nout);
  const bp = alloc(256 * Nout);
  fill(a, N * K);
  fill(b, K * Nout);
  cases.push(
    {
      name: `dense ${String(N)} x ${String(K)} times ${String(K)} x ${String(Nout)} (matMul)`,
      floats: N * Nout,
      run: (k, out) => k.matMul({ a, b, bp, out, M: N, K, N: Nout, sam: K, sak: 1, sbk: Nout, sbn: 1 }),
    },
    {
      name: `its weight gradient, A^T B: ${String(K)} x ${String(N)} times ${String(N)} x ${String(Nout)}`,
      floats: K * Nout,
      run: (k, out) => k.matMul({ a, b, bp, out, M: K, K: N, N: Nout, sam: 1, sak: K, sbk: Nout, sbn: 1 }),
    },
  );
  return cases;
}

console.log(`batch ${String(N)}, ${String(reps)} interleaved rounds, process CPU time; builds: ${builds.map((b) => b.name).join(', ')}`);
console.log(
  `| kernel | ${builds.map((b) => `${b.name} best / median ms`).join(' | ')} | ${builds
    .slice(1)
    .map((b) => `${b.name} speed-up`)
    .join(' | ')} | ${builds
    .slice(1)
    .map((b) => `${b.name} max error / max value`)
    .join(' | ')} |`,
);
console.log(
  `|---|${builds.map(() => '---:').join('|')}|${builds
    .slice(1)
    .map(() => '---:')
    .join('|')}|${builds
    .slice(1)
    .map(() => '---:')
    .join('|')}|`,
);
for (const [H, C, F] of args.net === 'charcnn' ? ([[0, 0, 0]] as [number, number, number][]) : layers) {
  arena.reset();
  const cases = args.net === 'charcnn' ? charCnnCases() : layerCases(H, C, F);
  for (const c of cases) {
    const outs = builds.map(() => alloc(c.floats));
    const times = builds.map(() => [] as number[]);
    for (let r = 0; r < reps; r++)
      builds.forEach((b, i) => {
        if (b.isa !== undefined) addon.selectIsa(b.isa);
        times[i]?.push(cpuMs(() => c.run(b.k, outs[i] as number)));
      });
    const best = times.map((t) => Math.min(...t));
    const median = times.map((t) => [...t].sort((a, b) => a - b)[Math.floor(t.length / 2)] as number);
    const ref = view(outs[0] as number, c.floats);
    const errs = outs.slice(1).map((o) => maxRelErr(view(o, c.floats), ref));
    console.log(
      `| ${c.name} | ${best.map((b, i) => `${b.toFixed(1)} / ${(median[i] as number).toFixed(1)}`).join(' | ')} | ${best
        .slice(1)
        .map((b) => `${((best[0] as number) / b).toFixed(2)}x`)
        .join(' | ')} | ${errs.map((e) => e.toExponential(1)).join(' | ')} |`,
    );
  }
}
addon.selectIsa(addon.isas[0] as string);
