import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  KERNEL_PARAMS,
  type KernelName,
  type Kernels,
  type PositionalKernels,
  bindKernels,
  bindNativeKernels,
} from '../../src/kernels/bindings.js';
import { type NativeAddon, nativeKernels } from '../../src/kernels/tfjs/native.js';
import { convModuleBytes, type WasmApi } from '../../src/kernels/tfjs/wasm.js';
import { distance } from '../helpers/distance.js';
import { residualSteps } from '../helpers/featureNet.js';
import { compilePlan, writePlan } from '../../src/kernels/tfjs/plan.js';

// Every export of the native addon against the wasm module, under each instruction set this CPU
// runs: the same inputs in one WebAssembly.Memory, each kernel run by both builds from the same
// memory state, outputs compared. The baseline build (no FMA, 4 lanes) is the wasm module's
// arithmetic exactly and must match bit for bit; AVX2 and AVX-512 fuse multiply-adds, so their
// sums round differently: within TOLERANCE of the output's largest value. The kernels' agreement
// with tfjs's cpu backend is test/kernels/parity.test.ts's, run there under both builds.
//
// Skips, saying why, where the addon does not load (not built: npm run build:native).

const native = nativeKernels();
const why = 'reason' in native ? native.reason : undefined;
if (why !== undefined) console.warn(`native kernels not loaded, their parity tests skip: ${why}`);

/** Relative error allowed for the FMA builds (measured: at most ~5e-6, Winograd F(4x4, 3x3)). */
const TOLERANCE = 2e-5;

const api = globalThis as unknown as { WebAssembly: WasmApi & { Memory: new (d: { initial: number }) => { buffer: ArrayBuffer } } };
const MB = 1 << 20;
const memory = new api.WebAssembly.Memory({ initial: (40 * MB) / 65536 });
const wasm = bindKernels(
  new api.WebAssembly.Instance(new api.WebAssembly.Module(convModuleBytes()), { env: { memory } }).exports as PositionalKernels,
);
/** Region i: 2 MB each after the first MB. */
const R = (i: number): number => MB + i * 2 * MB;

/** Deterministic inputs in every region; letter codes, row indices and variances where kernels need them. */
function reset(): void {
  const f = new Float32Array(memory.buffer);
  let s = 12345;
  for (let i = 0; i < f.length; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    f[i] = (s / 2 ** 31 - 1) * 2;
  }
  const codes = new Int32Array(memory.buffer, R(15), 4096);
  for (let i = 0; i < codes.length; i++) codes[i] = ((i * 7919) % 13) - 2;
  const idx = new Int32Array(memory.buffer, R(16), 64);
  for (let i = 0; i < idx.length; i++) idx[i] = ((i * 31) % 12) - 1;
  const v = new Float32Array(memory.buffer, R(6), 4096);
  for (let i = 0; i < v.length; i++) v[i] = Math.abs(v[i] as number) + 0.1;
  // 1-D Winograd F(4, 3): BT [6][6], G [6][3], AT [4][6] (as the glue passes them).
  new Float32Array(memory.buffer, R(17), 36 + 18 + 24).set([
    ...[4, 0, -5, 0, 1, 0, 0, -4, -4, 1, 1, 0, 0, 4, -4, -1, 1, 0, 0, -2, -1, 2, 1, 0, 0, 2, -1, -2, 1, 0, 0, 4, 0, -5, 0, 1],
    ...[1 / 4, 0, 0, -1 / 6, -1 / 6, -1 / 6, -1 / 6, 1 / 6, -1 / 6, 1 / 24, 1 / 12, 1 / 6, 1 / 24, -1 / 12, 1 / 6, 0, 0, 1],
    ...[1, 1, 1, 1, 1, 0, 0, 1, -1, 2, -2, 0, 0, 1, 1, 4, 4, 0, 0, 1, -1, 8, -8, 1],
  ]);
}
const [BT, G, AT] = [R(17), R(17) + 36 * 4, R(17) + 54 * 4];

/** One case: what it runs and the outputs it writes ([offset, floats]). */
interface Case {
  readonly kernels: readonly KernelName[];
  readonly run: (k: Kernels) => void;
  readonly outputs: readonly (readonly [number, number])[];
}

/**
 * Batch norm's cases at C channels over 333 rows (5 blocks of 64 and a tail): 13 runs the 4-lane
 * loops and a scalar tail, 32 natively the wide ones (16 and 8 lanes).
 */
function batchNormCases(C: number): Record<string, Case> {
  const moments = R(17) + 4096 * 4;
  return {
    [`batch norm in pieces (shift, sums, moments, coefficients, gradient pass; ${String(C)} channels over 333 rows)`]: {
      kernels: [
        'batchNormShift',
        'batchNormSums',
        'batchNormMoments',
        'batchNormGradSums',
        'batchNormGradCoefficients',
        'batchNormGradApply',
      ],
      run: (k) => {
        new Float64Array(memory.buffer, R(8), 4 * C).fill(0);
        k.batchNormShift({ x: R(0), shift: R(14), M: 333, C });
        k.batchNormSums({ x: R(0), shift: R(14), acc: R(8), blk: R(9), M: 333, C });
        k.batchNormMoments({ shift: R(14), acc: R(8), mean: moments, var: moments + C * 4, M: 333, C });
        k.batchNormGradSums({ dy: R(11), x: R(0), y: R(2), mean: R(5), dz: R(18), acc: R(8) + 2 * C * 8, blk: R(9), M: 333, C, relu: 1 });
        k.batchNormGradCoefficients({
          gamma: R(1),
          mean: R(5),
          var: R(6),
          acc: R(8) + 2 * C * 8,
          kab: R(10),
          dgamma: R(13),
          M: 333,
          C,
          eps: 1e-3,
        });
        k.batchNormGradApply({ dy: R(11), x: R(0), y: R(2), kab: R(10), dx: R(12), M: 333, C, relu: 1 });
        // The f64 sums as f32 values, so that the comparison below reads them.
        const acc = new Float64Array(memory.buffer, R(8), 4 * C);
        new Float32Array(memory.buffer, R(7), 4 * C).set(acc);
      },
      outputs: [
        [R(14), C],
        [moments, 2 * C],
        [R(7), 4 * C],
        [R(10), 3 * C],
        [R(13), C],
        [R(12), 333 * C],
        [R(18), 333 * C],
      ],
    },
    [`batch norm forward, apply and backward (${String(C)} channels, with and without residual)`]: {
      kernels: ['batchNormForward', 'batchNormApply', 'batchNormBackward'],
      run: (k) => {
        k.batchNormForward({
          x: R(0),
          gamma: R(1),
          beta: R(3),
          res: R(4),
          y: R(2),
          mean: R(5),
          var: R(7),
          acc: R(8),
          blk: R(9),
          M: 333,
          C,
          relu: 1,
          eps: 1e-3,
        });
        k.batchNormApply({
          x: R(0),
          gamma: R(1),
          beta: R(3),
          mean: R(5),
          var: R(6),
          res: 0,
          y: R(10),
          blk: R(9),
          M: 333,
          C: C - 1,
          relu: 0,
          eps: 1e-3,
        });
        k.batchNormBackward({
          dy: R(11),
          x: R(0),
          y: R(2),
          gamma: R(1),
          mean: R(5),
          var: R(6),
          dx: R(12),
          dgamma: R(13),
          dbeta: R(14),
          dz: R(18),
          acc: R(8),
          blk: R(9),
          M: 333,
          C,
          relu: 1,
          eps: 1e-3,
        });
      },
      outputs: [
        [R(2), 333 * C],
        [R(5), C],
        [R(7), C],
        [R(10), 333 * (C - 1)],
        [R(12), 333 * C],
        [R(13), C],
        [R(14), C],
        [R(18), 333 * C],
      ],
    },
  };
}

const cases: Record<string, Case> = {
  'conv2dBackpropFilter, stride 2, 7 channels': {
    kernels: ['conv2dBackpropFilter'],
    run: (k) =>
      k.conv2dBackpropFilter({
        x: R(0),
        dy: R(1),
        dw: R(2),
        N: 3,
        H: 9,
        W: 10,
        C: 7,
        Ho: 5,
        Wo: 5,
        F: 12,
        KH: 3,
        KW: 3,
        sh: 2,
        sw: 2,
        pt: 1,
        pl: 1,
      }),
    outputs: [[R(2), 9 * 7 * 12]],
  },
  'conv2dBackpropFilter, stride 1, 16 channels': {
    kernels: ['conv2dBackpropFilter'],
    run: (k) =>
      k.conv2dBackpropFilter({
        x: R(0),
        dy: R(1),
        dw: R(2),
        N: 2,
        H: 8,
        W: 8,
        C: 16,
        Ho: 8,
        Wo: 8,
        F: 16,
        KH: 3,
        KW: 3,
        sh: 1,
        sw: 1,
        pt: 1,
        pl: 1,
      }),
    outputs: [[R(2), 9 * 16 * 16]],
  },
  'conv2dBackpropFilter, stride 2, 16 -> 32 and 3 -> 48 (wide tiles and a channel tail)': {
    kernels: ['conv2dBackpropFilter'],
    run: (k) => {
      k.conv2dBackpropFilter({
        x: R(0),
        dy: R(1),
        dw: R(2),
        N: 2,
        H: 9,
        W: 10,
        C: 16,
        Ho: 5,
        Wo: 5,
        F: 32,
        KH: 3,
        KW: 3,
        sh: 2,
        sw: 2,
        pt: 1,
        pl: 1,
      });
      k.conv2dBackpropFilter({
        x: R(0),
        dy: R(1),
        dw: R(3),
        N: 2,
        H: 8,
        W: 8,
        C: 3,
        Ho: 8,
        Wo: 8,
        F: 48,
        KH: 3,
        KW: 3,
        sh: 1,
        sw: 1,
        pt: 1,
        pl: 1,
      });
    },
    outputs: [
      [R(2), 9 * 16 * 32],
      [R(3), 9 * 3 * 48],
    ],
  },
  'conv2dBackpropInput, stride 2': {
    kernels: ['conv2dBackpropInput'],
    run: (k) =>
      k.conv2dBackpropInput({
        dy: R(0),
        w: R(1),
        dx: R(2),
        wt: R(3),
        N: 3,
        H: 9,
        W: 10,
        C: 12,
        Ho: 5,
        Wo: 5,
        F: 7,
        KH: 3,
        KW: 3,
        sh: 2,
        sw: 2,
        pt: 1,
        pl: 1,
      }),
    outputs: [[R(2), 3 * 9 * 10 * 12]],
  },
  "conv2dBackpropInput, stride 2, 32 channels <- 24 (natively the 8-lane tile; ResNet's symmetric padding)": {
    kernels: ['conv2dBackpropInput'],
    run: (k) =>
      k.conv2dBackpropInput({
        dy: R(0),
        w: R(1),
        dx: R(2),
        wt: R(3),
        N: 3,
        H: 16,
        W: 16,
        C: 32,
        Ho: 8,
        Wo: 8,
        F: 24,
        KH: 3,
        KW: 3,
        sh: 2,
        sw: 2,
        pt: 1,
        pl: 1,
      }),
    outputs: [[R(2), 3 * 16 * 16 * 32]],
  },
  "conv2dBackpropInput, stride 2, 16 channels <- 32 (TensorFlow's 'same' padding)": {
    kernels: ['conv2dBackpropInput'],
    run: (k) =>
      k.conv2dBackpropInput({
        dy: R(0),
        w: R(1),
        dx: R(2),
        wt: R(3),
        N: 2,
        H: 17,
        W: 18,
        C: 16,
        Ho: 9,
        Wo: 9,
        F: 32,
        KH: 3,
        KW: 3,
        sh: 2,
        sw: 2,
        pt: 0,
        pl: 0,
      }),
    outputs: [[R(2), 2 * 17 * 18 * 16]],
  },
  'conv2dValid, stride 2, 16 -> 40 channels (wide tiles, a 4-lane tail, a pixel tail)': {
    kernels: ['packFilter8', 'conv2dValid'],
    run: (k) => {
      k.packFilter8({ w: R(1), wp: R(3), T: 9 * 16, F: 40 });
      k.conv2dValid({ xp: R(0), w: R(1), wp: R(3), y: R(2), N: 3, Hp: 11, Wp: 11, C: 16, Ho: 5, Wo: 5, F: 40, KH: 3, KW: 3, sh: 2, sw: 2 });
    },
    outputs: [[R(2), 3 * 5 * 5 * 40]],
  },
  'conv2dValid, stride 1, 3 -> 48 channels (the RGB layer; natively 16 filters in 8 lanes after the widest tile)': {
    kernels: ['packFilter8', 'conv2dValid'],
    run: (k) => {
      k.packFilter8({ w: R(1), wp: R(3), T: 9 * 3, F: 48 });
      k.conv2dValid({ xp: R(0), w: R(1), wp: R(3), y: R(2), N: 2, Hp: 12, Wp: 11, C: 3, Ho: 10, Wo: 9, F: 48, KH: 3, KW: 3, sh: 1, sw: 1 });
    },
    outputs: [[R(2), 2 * 10 * 9 * 48]],
  },
  'padImages, packFilter8, conv2dValid (20 filters: a tail of 4)': {
    kernels: ['padImages', 'packFilter8', 'conv2dValid'],
    run: (k) => {
      k.padImages({ x: R(0), xp: R(4), N: 2, H: 7, W: 9, C: 6, Hp: 9, Wp: 11, pt: 1, pl: 1 });
      k.packFilter8({ w: R(1), wp: R(3), T: 9 * 6, F: 20 });
      k.conv2dValid({ xp: R(4), w: R(1), wp: R(3), y: R(2), N: 2, Hp: 9, Wp: 11, C: 6, Ho: 7, Wo: 9, F: 20, KH: 3, KW: 3, sh: 1, sw: 1 });
    },
    outputs: [
      [R(4), 2 * 9 * 11 * 6],
      [R(2), 2 * 7 * 9 * 20],
    ],
  },
  flipFilter: {
    kernels: ['flipFilter'],
    run: (k) => k.flipFilter({ w: R(0), wf: R(2), KH: 3, KW: 3, C: 5, F: 7 }),
    outputs: [[R(2), 9 * 35]],
  },
  'Winograd F(2x2, 3x3)': {
    kernels: ['winogradFilter', 'winogradConv'],
    run: (k) => {
      k.winogradFilter({ w: R(1), U: R(3), C: 8, F: 16 });
      k.winogradConv({ x: R(0), U: R(3), V: R(4), M: R(5), y: R(2), N: 2, H: 9, W: 10, C: 8, Ho: 9, Wo: 10, F: 16, pt: 1, pl: 1 });
    },
    outputs: [[R(2), 2 * 9 * 10 * 16]],
  },
  'Winograd F(4x4, 3x3), 24 filters (wide panels and a panel of 8)': {
    kernels: ['winograd43Filter', 'winograd43Conv'],
    run: (k) => {
      k.winograd43Filter({ w: R(1), U: R(3), C: 16, F: 24 });
      k.winograd43Conv({ x: R(0), U: R(3), V: R(4), M: R(5), y: R(2), N: 3, H: 11, W: 9, C: 16, Ho: 11, Wo: 9, F: 24, pt: 1, pl: 1 });
    },
    outputs: [[R(2), 3 * 11 * 9 * 24]],
  },
  'Winograd F(4x4, 3x3), 32 filters': {
    kernels: ['winograd43Filter', 'winograd43Conv'],
    run: (k) => {
      k.winograd43Filter({ w: R(1), U: R(3), C: 8, F: 32 });
      k.winograd43Conv({ x: R(0), U: R(3), V: R(4), M: R(5), y: R(2), N: 5, H: 8, W: 8, C: 8, Ho: 8, Wo: 8, F: 32, pt: 1, pl: 1 });
    },
    outputs: [[R(2), 5 * 64 * 32]],
  },
  'winograd43Filter, 64 -> 64, whole and in two channel ranges (how intra-op threads split it), each through winograd43Conv': {
    // U's panels depend on the build: compared through the convolutions that read them.
    kernels: ['winograd43Filter', 'winograd43FilterRange', 'winograd43Conv'],
    run: (k) => {
      k.winograd43Filter({ w: R(1), U: R(3), C: 64, F: 64 });
      k.winograd43FilterRange({ w: R(1), U: R(4), C: 64, F: 64, c0: 0, c1: 24 });
      k.winograd43FilterRange({ w: R(1), U: R(4), C: 64, F: 64, c0: 24, c1: 64 });
      for (const [U, y] of [
        [R(3), R(2)],
        [R(4), R(7)],
      ] as const)
        k.winograd43Conv({ x: R(0), U, V: R(5), M: R(9), y, N: 3, H: 8, W: 8, C: 64, Ho: 8, Wo: 8, F: 64, pt: 1, pl: 1 });
    },
    outputs: [
      [R(2), 3 * 64 * 64],
      [R(7), 3 * 64 * 64],
    ],
  },
  'winograd43FilterGrad, 16 -> 32 and 12 -> 24': {
    kernels: ['winograd43FilterGrad'],
    run: (k) => {
      k.winograd43FilterGrad({
        x: R(0),
        dy: R(1),
        V: R(3),
        D: R(4),
        Macc: R(5),
        dw: R(2),
        N: 3,
        H: 11,
        W: 9,
        C: 16,
        Ho: 11,
        Wo: 9,
        F: 32,
        pt: 1,
        pl: 1,
      });
      k.winograd43FilterGrad({
        x: R(0),
        dy: R(1),
        V: R(3),
        D: R(4),
        Macc: R(5),
        dw: R(7),
        N: 3,
        H: 11,
        W: 9,
        C: 12,
        Ho: 11,
        Wo: 9,
        F: 24,
        pt: 1,
        pl: 1,
      });
    },
    outputs: [
      [R(2), 9 * 16 * 32],
      [R(7), 9 * 12 * 24],
    ],
  },
  '1-D Winograd F(4, 3), forward and filter gradient': {
    kernels: ['winograd1dFilter', 'winograd1dConv', 'winograd1dFilterGrad'],
    run: (k) => {
      k.winograd1dFilter({ w: R(1), G, U: R(3), r: 3, a: 6, C: 8, F: 16 });
      k.winograd1dConv({ x: R(0), U: R(3), BT, AT, V: R(4), M: R(5), y: R(2), R: 3, W: 30, C: 8, Wo: 28, F: 16, pl: 0, m: 4, a: 6 });
      k.winograd1dFilterGrad({
        x: R(0),
        dy: R(1),
        BT,
        AT,
        G,
        V: R(4),
        D: R(5),
        Macc: R(8),
        dw: R(7),
        R: 3,
        W: 30,
        C: 8,
        Wo: 28,
        F: 16,
        pl: 0,
        m: 4,
        r: 3,
      });
    },
    outputs: [
      [R(2), 3 * 28 * 16],
      [R(7), 3 * 8 * 16],
    ],
  },
  sgdMomentum: {
    kernels: ['sgdMomentum'],
    run: (k) => k.sgdMomentum({ v: R(0), m: R(1), g: R(3), vOut: R(2), mOut: R(4), n: 1003, lr: 0.05, mu: 0.9, wd: 1e-3 }),
    outputs: [
      [R(2), 1003],
      [R(4), 1003],
    ],
  },
  ...batchNormCases(13),
  ...batchNormCases(32),
  'axpby over 70,001 values (split over intra-op threads)': {
    kernels: ['axpby'],
    run: (k) => k.axpby({ a: R(0), b: R(1), out: R(2), n: 70_001, alpha: 1, beta: 1 }),
    outputs: [[R(2), 70_001]],
  },
  axpby: {
    kernels: ['axpby'],
    run: (k) => k.axpby({ a: R(0), b: R(1), out: R(2), n: 1003, alpha: 0.9, beta: 0.1 }),
    outputs: [[R(2), 1003]],
  },
  'shortcut forward and backward': {
    kernels: ['shortcutForward', 'shortcutBackward'],
    run: (k) => {
      k.shortcutForward({ in: R(0), out: R(2), N: 2, H: 7, W: 6, C: 4, Ho: 4, Wo: 3, Cout: 10, s: 2, lo: 3 });
      k.shortcutBackward({ dout: R(1), din: R(3), N: 2, H: 7, W: 6, C: 4, Ho: 4, Wo: 3, Cout: 10, s: 2, lo: 3 });
    },
    outputs: [
      [R(2), 2 * 4 * 3 * 10],
      [R(3), 2 * 7 * 6 * 4],
    ],
  },
  gatherRows: {
    kernels: ['gatherRows'],
    run: (k) => k.gatherRows({ src: R(0), idx: R(16), dst: R(2), count: 40, rows: 10, row: 37 }),
    outputs: [[R(2), 40 * 37]],
  },
  'matMul, plain and transposed (21 columns: a tail of 5)': {
    kernels: ['matMul'],
    run: (k) => {
      k.matMul({ a: R(0), b: R(1), bp: R(3), out: R(2), M: 37, K: 300, N: 21, sam: 300, sak: 1, sbk: 21, sbn: 1 });
      k.matMul({ a: R(0), b: R(1), bp: R(3), out: R(4), M: 37, K: 300, N: 21, sam: 1, sak: 37, sbk: 1, sbn: 300 });
    },
    outputs: [
      [R(2), 37 * 21],
      [R(4), 37 * 21],
    ],
  },
  'matMul at 64 columns (natively the full-width tile: 8-row tiles, a remainder of 5 rows, two chunks of K), plain and both transposed': {
    kernels: ['matMul'],
    run: (k) => {
      k.matMul({ a: R(0), b: R(1), bp: R(3), out: R(2), M: 37, K: 300, N: 64, sam: 300, sak: 1, sbk: 64, sbn: 1 });
      k.matMul({ a: R(0), b: R(1), bp: R(3), out: R(4), M: 37, K: 300, N: 64, sam: 1, sak: 37, sbk: 1, sbn: 300 });
    },
    outputs: [
      [R(2), 37 * 64],
      [R(4), 37 * 64],
    ],
  },
  'matMul of 64 x 300 by 300 x 256 (large enough for intra-op threads to split its rows), B transposed': {
    kernels: ['matMul'],
    run: (k) => k.matMul({ a: R(0), b: R(1), bp: R(3), out: R(2), M: 64, K: 300, N: 256, sam: 300, sak: 1, sbk: 1, sbn: 300 }),
    outputs: [[R(2), 64 * 256]],
  },
  'one-hot convolution and its filter gradient': {
    kernels: ['oneHotConv', 'oneHotConvFilterGrad'],
    run: (k) => {
      k.oneHotConv({ codes: R(15), w: R(0), y: R(2), N: 3, L: 40, A: 11, KW: 7, F: 13 });
      k.oneHotConvFilterGrad({ codes: R(15), dy: R(1), dw: R(3), N: 3, L: 40, A: 11, KW: 7, F: 13 });
    },
    outputs: [
      [R(2), 3 * 34 * 13],
      [R(3), 7 * 11 * 13],
    ],
  },
  'bias + ReLU and its gradient': {
    kernels: ['biasRelu', 'biasReluGrad'],
    run: (k) => {
      k.biasRelu({ x: R(0), bias: R(1), y: R(2), M: 101, C: 13 });
      k.biasReluGrad({ dy: R(3), y: R(2), dx: R(4), dbias: R(5), acc: R(8), blk: R(9), M: 101, C: 13 });
    },
    outputs: [
      [R(2), 101 * 13],
      [R(4), 101 * 13],
      [R(5), 13],
    ],
  },
  'winograd43ConvBn: batch norm in the output transform (32 filters at the full width with residual and ReLU; 8 filters 4-lane, without)': {
    kernels: ['batchNormScaleShift', 'winograd43Filter', 'winograd43ConvBn'],
    run: (k) => {
      // gamma R(1), beta R(3), mean R(5), variance R(6) (positive); scale and shift into R(8).
      for (const [F, res, relu, y] of [
        [32, R(4), 1, R(2)],
        [8, 0, 0, R(7)],
      ] as const) {
        k.batchNormScaleShift({ gamma: R(1), beta: R(3), mean: R(5), var: R(6), scale: R(8), shift: R(8) + F * 4, C: F, eps: 1e-5 });
        k.winograd43Filter({ w: R(1), U: R(3) + 4096 * 4, C: 16, F });
        k.winograd43ConvBn({
          x: R(0),
          U: R(3) + 4096 * 4,
          V: R(9),
          M: R(10),
          y,
          N: 3,
          H: 10,
          W: 9,
          C: 16,
          Ho: 10,
          Wo: 9,
          F,
          pt: 1,
          pl: 1,
          scale: R(8),
          shift: R(8) + F * 4,
          res,
          relu,
        });
      }
    },
    outputs: [
      [R(8), 16],
      [R(2), 3 * 10 * 9 * 32],
      [R(7), 3 * 10 * 9 * 8],
    ],
  },
  'runPlan (a residual network on chunks of 3 of 7 images)': {
    kernels: ['runPlan'],
    run: (k) => {
      // residualSteps' filters one after another in region 3, each batch norm's four vectors at
      // the same index of regions 4, 5, 7 and 6 (positive: the variances).
      const { steps, filters } = residualSteps('same');
      const shapes: Record<string, readonly number[]> = {};
      const offsets: Record<string, number> = {};
      let at = R(3);
      for (const [i, [name, shape]] of Object.entries(filters).entries()) {
        [shapes[name], offsets[name]] = [shape, at];
        at += shape.reduce((a, b) => a * b, 1) * 4;
        for (const [part, region] of [
          ['gamma', 4],
          ['beta', 5],
          ['mean', 7],
          ['variance', 6],
        ] as const)
          [shapes[`${name}/${part}`], offsets[`${name}/${part}`]] = [[shape[3] as number], R(region) + i * 64];
      }
      const compiled = compilePlan(steps, [10, 10, 3], (n) => shapes[n], 1e-5, 3);
      if (typeof compiled === 'string') throw new Error(compiled);
      const plan = writePlan(k, memory.buffer, R(9), compiled, (n) => offsets[n] as number);
      k.runPlan({ plan: plan.plan, x: R(0), out: R(2), work: plan.work, N: 7 });
    },
    outputs: [[R(2), 7 * 16]],
  },
  spatialMean: {
    kernels: ['spatialMean'],
    run: (k) => k.spatialMean({ x: R(0), y: R(2), acc: R(8), N: 5, P: 49, C: 13 }),
    outputs: [[R(2), 5 * 13]],
  },
  spatialMeanGrad: {
    kernels: ['spatialMeanGrad'],
    run: (k) => k.spatialMeanGrad({ dy: R(0), dx: R(2), N: 5, P: 49, C: 13 }),
    outputs: [[R(2), 5 * 49 * 13]],
  },
  maxPoolGrad: {
    kernels: ['maxPoolGrad'],
    run: (k) =>
      k.maxPoolGrad({ dy: R(0), x: R(1), dx: R(2), N: 2, H: 9, W: 31, C: 13, Ho: 3, Wo: 10, KH: 3, KW: 3, sh: 3, sw: 3, pt: 0, pl: 0 }),
    outputs: [[R(2), 2 * 9 * 31 * 13]],
  },
};

/** Runs a case on one build from the reset memory; returns copies of its outputs. */
function outputsOf(c: Case, k: Kernels): Float32Array[] {
  reset();
  c.run(k);
  return c.outputs.map(([at, n]) => new Float32Array(memory.buffer, at, n).slice());
}

describe('wasm kernels', () => {
  it('winograd43FilterRange over a partition of the channels writes what winograd43Filter does, bit for bit', () => {
    reset();
    wasm.winograd43Filter({ w: R(1), U: R(3), C: 32, F: 24 });
    wasm.winograd43FilterRange({ w: R(1), U: R(4), C: 32, F: 24, c0: 0, c1: 13 });
    wasm.winograd43FilterRange({ w: R(1), U: R(4), C: 32, F: 24, c0: 13, c1: 32 });
    const n = 36 * 32 * 24 * 4;
    expect(Buffer.from(memory.buffer, R(4), n).equals(Buffer.from(memory.buffer, R(3), n))).toBe(true);
  });
});

describe('the native addon in CI', () => {
  // .ci/run builds it wherever gcc and make are: there the native tests must run, not skip.
  const compiler = spawnSync('gcc', ['--version']).status === 0 && spawnSync('make', ['--version']).status === 0;
  it.runIf(process.env.CI === 'true' && process.platform === 'linux' && process.arch === 'x64' && compiler)('is built and loads', () => {
    expect(why).toBeUndefined();
  });
});

describe.skipIf(why !== undefined)('native kernels against the wasm module', () => {
  const addon = 'addon' in native ? native.addon : undefined;
  const isas = addon?.isas ?? [];

  it('the cases cover every kernel', () => {
    expect(new Set(Object.values(cases).flatMap((c) => c.kernels))).toEqual(new Set(Object.keys(KERNEL_PARAMS)));
  });

  it('loads with the best instruction set the CPU runs, and offers the baseline', () => {
    expect(isas.at(-1)).toBe('baseline');
    expect(addon?.isa()).toBe(isas[0]);
    expect(addon?.selectIsa('sse9')).toBe(false);
  });

  it('refuses an offset outside the memory, and a first argument that is not an ArrayBuffer', () => {
    const k = addon as NonNullable<typeof addon>;
    expect(() => k.axpby(memory.buffer, 4, 8, memory.buffer.byteLength + 64, 10, 1, 1)).toThrow(/outside the memory/);
    expect(() => k.axpby(new Float32Array(4) as unknown as ArrayBuffer, 4, 8, 16, 1, 1, 1)).toThrow(/ArrayBuffer/);
    expect(() => (k.axpby as (...a: unknown[]) => void)(memory.buffer, 4, 8)).toThrow(/argument count/);
  });

  for (const isa of ['avx512', 'avx2', 'baseline']) {
    for (const [name, c] of Object.entries(cases)) {
      it.skipIf(!isas.includes(isa))(
        `${isa}: ${name} ${isa === 'baseline' ? 'is bit-identical to wasm' : `within ${String(TOLERANCE)} of wasm`}`,
        () => {
          const want = outputsOf(c, wasm);
          const addonKernels = addon as NonNullable<typeof addon>;
          expect(addonKernels.selectIsa(isa)).toBe(true);
          try {
            const got = outputsOf(c, bindNativeKernels(addonKernels, memory));
            got.forEach((g, i) => {
              const w = want[i] as Float32Array;
              const { err, scale } = distance(g, w);
              if (process.env.PARITY_VERBOSE !== undefined)
                console.log(`${isa} ${name} output ${String(i)}: ${(err / scale).toExponential(2)}`);
              if (isa === 'baseline') expect(Buffer.from(g.buffer).equals(Buffer.from(w.buffer)), `output ${String(i)}`).toBe(true);
              else expect(err, `output ${String(i)}: max |native - wasm|`).toBeLessThanOrEqual(TOLERANCE * scale);
            });
          } finally {
            addonKernels.selectIsa(isas[0] as string);
          }
        },
      );
    }
  }
});

// Intra-op threads (native/threads.c): each case again with this thread's calls split over 2 and
// 3 threads. Every output but a filter gradient is a slice per thread, written as one thread would;
// filter gradients and batch-norm statistics add per-thread partial sums, so they agree within the
// rounding of a sum's order. Same threads, same bits.
describe.skipIf(why !== undefined)('intra-op threads', () => {
  const addon = (native as { addon: NativeAddon }).addon;
  const withThreads = <T>(n: number, body: () => T): T => {
    expect(addon.setThreads(n)).toBe(true);
    try {
      return body();
    } finally {
      addon.setThreads(1);
    }
  };

  it('setThreads takes 1 to 64 threads and refuses the rest', () => {
    expect(addon.threads()).toBe(1);
    for (const bad of [0, -1, 65, 1.5]) expect(addon.setThreads(bad), String(bad)).toBe(false);
    expect(withThreads(3, () => addon.threads())).toBe(3);
    expect(addon.threads()).toBe(1);
  });

  for (const threads of [2, 3])
    for (const [name, c] of Object.entries(cases)) {
      it(`${String(threads)} threads: ${name} within ${String(TOLERANCE)} of one thread, and the same bits twice`, () => {
        const k = bindNativeKernels(addon, memory);
        const one = outputsOf(c, k);
        const first = withThreads(threads, () => outputsOf(c, k));
        const second = withThreads(threads, () => outputsOf(c, k));
        first.forEach((g, i) => {
          const { err, scale } = distance(g, one[i] as Float32Array);
          if (process.env.PARITY_VERBOSE !== undefined)
            console.log(`${String(threads)} threads ${name} output ${String(i)}: ${(err / scale).toExponential(2)}`);
          expect(err, `output ${String(i)}: max |threads - one thread|`).toBeLessThanOrEqual(TOLERANCE * scale);
          expect(Buffer.from(g.buffer).equals(Buffer.from((second[i] as Float32Array).buffer)), `output ${String(i)} twice`).toBe(true);
        });
      });
    }
});

describe.skipIf(why !== undefined)('the native addon in worker threads', () => {
  it('loads in a worker thread (context-aware) with its own choice of instruction set', async () => {
    const { Worker } = await import('node:worker_threads');
    const { fileURLToPath } = await import('node:url');
    const root = fileURLToPath(new URL('../../', import.meta.url));
    const addon = (native as { addon: NativeAddon }).addon;
    addon.selectIsa('baseline');
    try {
      const worker = new Worker(
        `const { parentPort, workerData } = require('node:worker_threads');
         const k = require(require.resolve('node-gyp-build', { paths: [workerData] }))(workerData);
         const memory = new WebAssembly.Memory({ initial: 1 });
         const f = new Float32Array(memory.buffer);
         f.set([1, 2, 3, 4], 4); f.set([10, 20, 30, 40], 8);
         k.axpby(memory.buffer, 16, 32, 64, 4, 2, 1);
         parentPort.postMessage({ isa: k.isa(), out: Array.from(f.subarray(16, 20)) });`,
        { eval: true, workerData: root },
      );
      const reply = await new Promise<{ isa: string; out: number[] }>((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
      });
      await worker.terminate();
      // The worker's instance chose the best set; this thread's choice (baseline) is its own.
      expect(reply).toEqual({ isa: addon.isas[0], out: [12, 24, 36, 48] });
      expect(addon.isa()).toBe('baseline');
    } finally {
      addon.selectIsa(addon.isas[0] as string);
    }
  });
});
