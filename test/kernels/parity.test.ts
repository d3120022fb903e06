import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { useFastestBackend } from '../../src/models/index.js';
import {
  INFERENCE_PLAN_KERNEL,
  type InferencePlanAttrs,
  type RegisteredKernelName,
  SGD_MOMENTUM_KERNEL,
  type SgdAttrs,
  WASM_KERNELS,
} from '../../src/kernels/tfjs/index.js';
import {
  Init,
  batchNorm,
  batchNormVars,
  biasRelu,
  convBatchNorm,
  disposeParams,
  featureInputs,
  globalAveragePool,
  newParams,
  oneHotConv1d,
  optionAShortcut,
  runFeatureSteps,
} from '../../src/models/tfjs/layers.js';
import { residualNet } from '../helpers/featureNet.js';
import { tensorBatches } from '../../src/models/tfjs/batches.js';
import { convAlgorithms } from '../../src/kernels/tfjs/conv.js';
import { nativeKernels } from '../../src/kernels/tfjs/native.js';
import { kernelBuild, useKernelBuild, withKernelThreads } from '../../src/kernels/tfjs/wasm.js';
import { distance } from '../helpers/distance.js';

/**
 * One kernel's parity check: `run` computes some outputs through public ops (on wasm they reach
 * the library's kernel, on cpu the package's or the composed ops); `reference`, when given, is
 * what runs on cpu instead. Outputs must agree within `tolerance` times the reference's largest
 * magnitude (plus `tolerance` absolute), and the wasm run must leave no tensor behind.
 */
interface ParityCase {
  readonly tolerance: number;
  readonly run: () => Record<string, ArrayLike<number>>;
  readonly reference?: () => Record<string, ArrayLike<number>>;
}

const rnd = (shape: number[], seed: number): tf.Tensor => tf.randomNormal(shape, 0, 1, 'float32', seed);
const values = (t: tf.Tensor | undefined): Float32Array => (t as tf.Tensor).dataSync() as Float32Array;

/** Conv2D configurations: Winograd (3x3, C % 4 == 0, F % 8 == 0), the direct kernel (5x5, 3 channels), stride 2 (XNNPACK / the strided kernels). */
const convs: [number[], number[], number, 'same' | 'valid'][] = [
  [[2, 9, 10, 8], [3, 3, 8, 16], 1, 'same'],
  [[2, 8, 8, 16], [3, 3, 16, 8], 1, 'valid'],
  [[2, 7, 7, 3], [5, 5, 3, 8], 1, 'same'],
  [[2, 9, 9, 4], [3, 3, 4, 8], 2, 'same'],
  [[2, 8, 8, 64], [3, 3, 64, 64], 1, 'same'],
  [[3, 1, 40, 16], [1, 7, 16, 24], 1, 'valid'],
  [[2, 1, 31, 32], [1, 3, 32, 16], 1, 'valid'],
  [[2, 2, 13, 8], [1, 3, 8, 8], 1, 'same'],
];
/**
 * Every configuration under each algorithm choice on wasm: Winograd F(2x2, 3x3) and F(4x4, 3x3) for
 * the forward and input gradient, direct and F(4x4, 3x3) filter gradients, direct and 1-D Winograd
 * F(4, 3) / F(2, 7) for the 1 x 3 and 1 x 7 filters (keys `name/variant`).
 */
function convOutputs(which: 'y' | 'dx' | 'dw'): Record<string, Float32Array> {
  const saved = { ...convAlgorithms };
  const out: Record<string, Float32Array> = {};
  try {
    for (const [variant, tile, winogradGrad] of [
      ['f23', 2, false],
      ['f43', 4, true],
    ] as const) {
      convAlgorithms.forwardTile = () => tile;
      convAlgorithms.winogradFilterGrad = () => winogradGrad;
      convAlgorithms.winograd1d = () => winogradGrad;
      for (const [key, value] of Object.entries(convOutputsOnce(which))) out[`${key}/${variant}`] = value;
    }
  } finally {
    Object.assign(convAlgorithms, saved);
  }
  return out;
}

function convOutputsOnce(which: 'y' | 'dx' | 'dw'): Record<string, Float32Array> {
  const out: Record<string, Float32Array> = {};
  convs.forEach(([xs, ws, s, pad], i) => {
    const x = rnd(xs, 10 + i) as tf.Tensor4D;
    const w = rnd(ws, 20 + i) as tf.Tensor4D;
    const f = (a: tf.Tensor, b: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, s, pad);
    const y = f(x, w);
    if (which === 'y') out[`y${String(i)}`] = values(y);
    else {
      const dy = rnd(y.shape, 30 + i);
      const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(f(a, b), dy)))([x, w]);
      out[`${which}${String(i)}`] = values(which === 'dx' ? dx : dw);
    }
  });
  return out;
}

/** batchNormOutputsOf at a small shape (one block of rows) and one of 8 blocks (split over intra-op threads). */
function batchNormOutputs(): Record<string, Float32Array> {
  const big = Object.entries(batchNormOutputsOf([4, 8, 16, 12])).map(([k, v]) => [`${k}/8 blocks`, v] as const);
  return { ...batchNormOutputsOf([4, 5, 3, 12]), ...Object.fromEntries(big) };
}

function batchNormOutputsOf(shape: number[]): Record<string, Float32Array> {
  const params = newParams();
  try {
    const bn = batchNormVars(new Init(params, 1), 'bn', 12);
    tf.tidy(() => {
      bn.gamma.assign(rnd([12], 3));
      bn.beta.assign(rnd([12], 4));
    });
    const x = tf.add(tf.mul(rnd(shape, 5), 3), 1);
    const residual = rnd(shape, 6);
    const updates: (() => void)[] = [];
    const y = batchNorm(x, bn, true, updates, { residual, relu: true });
    const dy = rnd(y.shape, 7);
    const g = tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor, r: tf.Tensor) =>
      tf.sum(
        tf.mul(batchNorm(a, { ...bn, gamma: b as tf.Variable, beta: c as tf.Variable }, true, undefined, { residual: r, relu: true }), dy),
      ),
    )([x, bn.gamma, bn.beta, residual]);
    for (const u of updates) u();
    return {
      y: values(y),
      dx: values(g[0]),
      dgamma: values(g[1]),
      dbeta: values(g[2]),
      dresidual: values(g[3]),
      runningMean: values(bn.mean),
      runningVariance: values(bn.variance),
    };
  } finally {
    disposeParams(params);
  }
}

function shortcutOutputs(): Record<string, Float32Array> {
  const x = rnd([2, 7, 6, 4], 8) as tf.Tensor4D;
  const y = optionAShortcut(x, 2, 10);
  const dy = rnd(y.shape, 9);
  return { y: values(y), dx: values(tf.grad((a: tf.Tensor) => tf.sum(tf.mul(optionAShortcut(a as tf.Tensor4D, 2, 10), dy)))(x)) };
}

function oneHotOutputs(): Record<string, Float32Array> {
  const [N, L, A, KW, F] = [3, 30, 11, 7, 12];
  const codes = tf.tensor2d(
    Int32Array.from({ length: N * L }, (_, i) => ((i * 7919) % (A + 3)) - 2),
    [N, L],
    'int32',
  );
  const w = rnd([1, KW, A, F], 11) as tf.Tensor4D;
  const y = oneHotConv1d(codes, w);
  const dy = rnd(y.shape, 12);
  return { y: values(y), dw: values(tf.grad((v: tf.Tensor) => tf.sum(tf.mul(oneHotConv1d(codes, v as tf.Tensor4D), dy)))(w)) };
}

function biasReluOutputs(): Record<string, Float32Array> {
  const x = rnd([3, 1, 20, 12], 13);
  const b = rnd([12], 14);
  const y = biasRelu(x, b);
  const dy = rnd(y.shape, 15);
  const [dx, db] = tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.sum(tf.mul(biasRelu(p, q), dy)))([x, b]);
  return { y: values(y), dx: values(dx), dbias: values(db) };
}

/**
 * Convolution + inference batch norm configurations: Winograd F(4x4, 3x3) at the full vector width
 * (16 -> 16, with residual and ReLU), 8 filters (the 4-lane output transform natively), 'valid'
 * padding, and 3 input channels (another algorithm, then batch norm in place).
 */
const convBns: [number[], number[], 'same' | 'valid', boolean, boolean][] = [
  [[2, 9, 10, 16], [3, 3, 16, 16], 'same', true, true],
  [[2, 6, 6, 12], [3, 3, 12, 8], 'same', true, false],
  [[2, 8, 8, 8], [3, 3, 8, 24], 'valid', false, true],
  [[2, 7, 7, 3], [3, 3, 3, 16], 'same', false, true],
];

/** Each {@link convBns} configuration through convBatchNorm in inference (`fused`: the fused kernel; else Conv2D then batch norm's kernel). */
function convBatchNormOutputs(fused = true): Record<string, Float32Array> {
  const out: Record<string, Float32Array> = {};
  for (const [i, [xs, ws, pad, residual, relu]] of convBns.entries()) {
    const params = newParams();
    try {
      const F = ws[3] as number;
      const bn = batchNormVars(new Init(params, 3), 'bn', F);
      tf.tidy(() => {
        bn.gamma.assign(rnd([F], 70 + i));
        bn.beta.assign(rnd([F], 80 + i));
        bn.mean.assign(rnd([F], 90 + i));
        bn.variance.assign(tf.add(tf.abs(rnd([F], 100 + i)), 0.1));
      });
      const x = rnd(xs, 110 + i) as tf.Tensor4D;
      const w = tf.mul(rnd(ws, 120 + i), 0.3) as tf.Tensor4D;
      const res = residual ? rnd(tf.conv2d(x, w, 1, pad).shape, 130 + i) : undefined;
      const y = fused
        ? convBatchNorm(x, w, 1, pad, bn, false, undefined, { residual: res, relu })
        : batchNorm(tf.conv2d(x, w, 1, pad), bn, false, undefined, { residual: res, relu });
      out[`y${String(i)}`] = values(y);
    } finally {
      disposeParams(params);
    }
  }
  return out;
}

const sgdAttrs: SgdAttrs = { learningRate: 0.05, momentum: 0.9, weightDecay: 1e-3 };

/**
 * Every registered wasm kernel and how it is checked: a kernel added to WASM_KERNELS without an
 * entry here fails to compile.
 */
const cases: Record<RegisteredKernelName, ParityCase> = {
  Conv2D: { tolerance: 1e-5, run: () => convOutputs('y') },
  Conv2DBackpropFilter: { tolerance: 1e-5, run: () => convOutputs('dw') },
  Conv2DBackpropInput: { tolerance: 1e-5, run: () => convOutputs('dx') },
  BatchMatMul: {
    tolerance: 1e-5,
    run: () => {
      const out: Record<string, Float32Array> = {};
      for (const [i, [as, bs, ta, tb]] of (
        [
          [[5, 300], [300, 11], false, false],
          [[300, 5], [11, 300], true, true],
          [[2, 3, 4], [2, 4, 5], false, false],
          // 64 columns: natively the full-width tile (dense layers' N); the gradients transpose both ways.
          [[19, 300], [300, 64], false, false],
          [[300, 19], [64, 300], true, true],
        ] as const
      ).entries()) {
        const a = rnd([...as], 40 + i);
        const b = rnd([...bs], 50 + i);
        const y = tf.matMul(a, b, ta, tb);
        const dy = rnd(y.shape, 60 + i);
        const [ga, gb] = tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.sum(tf.mul(tf.matMul(p, q, ta, tb), dy)))([a, b]);
        Object.assign(out, { [`y${String(i)}`]: values(y), [`da${String(i)}`]: values(ga), [`db${String(i)}`]: values(gb) });
      }
      return out;
    },
  },
  MaxPoolGrad: {
    tolerance: 1e-6,
    run: () => {
      const x = tf.relu(tf.round(tf.mul(rnd([2, 1, 31, 12], 16), 2))) as tf.Tensor4D; // ties
      const f = (a: tf.Tensor) => tf.maxPool(a as tf.Tensor4D, [1, 3], [1, 3], 'valid');
      const dy = rnd(f(x).shape, 17);
      return { dx: values(tf.grad((a: tf.Tensor) => tf.sum(tf.mul(f(a), dy)))(x)) };
    },
  },
  Identity: {
    tolerance: 0,
    run: () => {
      const x = rnd([3, 4], 18);
      const copy = tf.clone(x);
      x.dispose(); // the clone shares x's buffer on wasm: it must outlive x
      return { copy: values(copy) };
    },
  },
  BlindspotsBatchNorm: { tolerance: 1e-5, run: batchNormOutputs },
  BlindspotsBatchNormGrad: { tolerance: 1e-4, run: batchNormOutputs },
  BlindspotsBatchNormInference: {
    tolerance: 1e-6,
    run: () => {
      const params = newParams();
      try {
        const bn = batchNormVars(new Init(params, 2), 'bn', 12);
        tf.tidy(() => {
          for (const [v, seed] of [
            [bn.gamma, 23],
            [bn.beta, 24],
            [bn.mean, 25],
          ] as const)
            v.assign(rnd([12], seed));
          bn.variance.assign(tf.add(tf.abs(rnd([12], 26)), 0.1));
        });
        const x = rnd([4, 5, 3, 12], 27);
        const residual = rnd([4, 5, 3, 12], 28);
        return {
          plain: values(batchNorm(x, bn, false)),
          residualRelu: values(batchNorm(x, bn, false, undefined, { residual, relu: true })),
        };
      } finally {
        disposeParams(params);
      }
    },
  },
  BlindspotsAxpby: { tolerance: 1e-6, run: batchNormOutputs },
  BlindspotsConv2DBatchNormInference: { tolerance: 1e-5, run: () => convBatchNormOutputs() },
  Mean: {
    tolerance: 1e-6,
    run: () => ({
      // Over H and W (the library's kernel, also with keepDims) and over other axes (the package's).
      spatial: values(tf.mean(rnd([3, 5, 7, 12], 45), [1, 2])),
      keepDims: values(tf.mean(rnd([2, 4, 4, 8], 46), [2, 1], true)),
      other: values(tf.mean(rnd([3, 5, 7, 12], 47), [0, 3])),
    }),
  },
  BlindspotsSpatialMeanGrad: {
    tolerance: 0, // dy / (H W) at every position, as tfjs's Mean gradient (dy * 1 / (H W)) on cpu
    run: () => {
      const x = rnd([3, 5, 7, 12], 48) as tf.Tensor4D;
      const dy = rnd([3, 12], 49);
      return { dx: values(tf.grad((a: tf.Tensor) => tf.sum(tf.mul(globalAveragePool(a as tf.Tensor4D), dy)))(x)) };
    },
  },
  Add: {
    tolerance: 0,
    run: () => {
      // Same shapes (the library's kernel under intra-op threads, large enough to be split) and a broadcast (the package's).
      const [a, b] = [rnd([70_001], 41), rnd([70_001], 42)];
      return { same: values(tf.add(a, b)), broadcast: values(tf.add(rnd([5, 7], 43), rnd([7], 44))) };
    },
  },
  BlindspotsSgdMomentum: {
    tolerance: 0, // bit-identical: the same operation order, no fused multiply-add
    run: () => {
      const [v, m, g] = [rnd([1000], 19), rnd([1000], 20), rnd([1000], 21)];
      const [nv, nm] = tf.engine().runKernel(SGD_MOMENTUM_KERNEL, { v, m, g }, sgdAttrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
      return { v: values(nv), m: values(nm) };
    },
    reference: () => {
      const [v, m, g] = [rnd([1000], 19), rnd([1000], 20), rnd([1000], 21)];
      const { learningRate, momentum, weightDecay } = sgdAttrs;
      const nm = tf.add(tf.mul(m, momentum), tf.add(g, tf.mul(v, weightDecay)));
      return { v: values(tf.sub(v, tf.mul(nm, learningRate))), m: values(nm) };
    },
  },
  BlindspotsShortcut: { tolerance: 0, run: shortcutOutputs },
  BlindspotsShortcutGrad: { tolerance: 0, run: shortcutOutputs },
  BlindspotsGatherRows: {
    tolerance: 0,
    run: () => {
      const batches = tensorBatches(rnd([10, 3, 2, 2], 22));
      const rows = batches.gather(Int32Array.from([7, 0, 3, 3, 9]));
      batches.dispose();
      return { rows: values(rows) };
    },
  },
  BlindspotsOneHotConv: { tolerance: 1e-5, run: oneHotOutputs },
  BlindspotsOneHotConvGrad: { tolerance: 1e-5, run: oneHotOutputs },
  BlindspotsBiasRelu: { tolerance: 1e-5, run: biasReluOutputs },
  BlindspotsBiasReluGrad: { tolerance: 1e-5, run: biasReluOutputs },
  BlindspotsInferencePlan: {
    tolerance: 1e-5,
    // The kernel itself (on chunks of 3 of 7 images), against the layers one by one on cpu.
    run: () => planOutputs(true),
    reference: () => planOutputs(false),
  },
};

/** residualNet's features under both stride paddings: through the plan kernel, or runFeatureSteps. */
function planOutputs(kernel: boolean): Record<string, Float32Array> {
  const out: Record<string, Float32Array> = {};
  for (const pad of ['same', 1] as const) {
    const net = residualNet(pad, 7);
    try {
      const x = rnd([7, 10, 10, 3], 140);
      const inputs = featureInputs(x, net);
      const attrs: InferencePlanAttrs = { steps: net.steps, epsilon: 1e-5, chunk: 3 };
      const y = kernel
        ? (tf.engine().runKernel(INFERENCE_PLAN_KERNEL, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor)
        : runFeatureSteps(x as tf.Tensor4D, net, false);
      out[`features/${String(pad)}`] = values(y);
    } finally {
      net.dispose();
    }
  }
  return out;
}

/**
 * The builds of the C kernels the table runs under: the native addon (test/kernels/native.test.ts
 * compares it with the wasm module export by export) where it loads, and the wasm module always.
 * The tolerances are the same for both.
 */
const native = nativeKernels();
/** The builds, and the native one with its calls split over 2 intra-op threads (native/threads.c). */
type Build = 'native' | 'native, 2 threads' | 'wasm';
const builds: Build[] = 'addon' in native ? ['native', 'native, 2 threads', 'wasm'] : ['wasm'];
if (!('addon' in native)) console.warn(`parity table: wasm kernels only (native: ${native.reason})`);

describe('every registered wasm kernel against the cpu backend (parity table)', () => {
  it('lists exactly the registered kernels', () => {
    expect(Object.keys(cases).sort()).toEqual(WASM_KERNELS.map((k) => k.kernelName).sort());
  });

  for (const build of builds)
    for (const [name, c] of Object.entries(cases) as [RegisteredKernelName, ParityCase][]) {
      it(`${build} build, ${name}: runs, matches the cpu backend within ${String(c.tolerance)} of the output scale, leaks no tensor`, async () => {
        await useFastestBackend();
        expect(tf.getBackend()).toBe('wasm');
        useKernelBuild(build === 'wasm' ? 'wasm' : 'auto');
        expect(kernelBuild()).toBe(build === 'wasm' ? 'wasm' : 'native');
        const before = tf.memory().numTensors;
        let got: Record<string, ArrayLike<number>> = {};
        const profile = await tf.profile(() => {
          got = withKernelThreads(build === 'native, 2 threads' ? 2 : 1, () =>
            tf.tidy(() => c.run() as unknown as tf.TensorContainer),
          ) as unknown as Record<string, ArrayLike<number>>;
        });
        expect(tf.memory().numTensors).toBe(before);
        expect(profile.kernelNames).toContain(name);
        await tf.setBackend('cpu');
        let want: Record<string, ArrayLike<number>>;
        try {
          want = tf.tidy(() => (c.reference ?? c.run)() as unknown as tf.TensorContainer) as unknown as Record<string, ArrayLike<number>>;
        } finally {
          await tf.setBackend('wasm');
        }
        expect(Object.keys(got).sort()).toEqual(Object.keys(want).sort());
        for (const [key, w] of Object.entries(want)) {
          const g = got[key] as ArrayLike<number>;
          expect(g.length, key).toBe(w.length);
          const { err, scale } = distance(g, w);
          if (process.env.PARITY_VERBOSE !== undefined)
            console.log(`${build} ${name} ${key}: max error / max value ${(err / scale).toExponential(2)}`);
          expect(err, `${key}: max |wasm - cpu|`).toBeLessThanOrEqual(c.tolerance * scale + c.tolerance);
        }
      });
    }
});

describe('convBatchNorm in inference', () => {
  for (const build of builds)
    it(`${build} build: the fused kernel gives the bits of Conv2D then batch norm's inference kernel`, async () => {
      await useFastestBackend();
      useKernelBuild(build === 'wasm' ? 'wasm' : 'auto');
      const threads = build === 'native, 2 threads' ? 2 : 1;
      const before = tf.memory().numTensors;
      const run = (fused: boolean) =>
        withKernelThreads(threads, () => tf.tidy(() => convBatchNormOutputs(fused) as unknown as tf.TensorContainer)) as unknown as Record<
          string,
          Float32Array
        >;
      const [fused, twoKernels] = [run(true), run(false)];
      expect(tf.memory().numTensors).toBe(before);
      expect(Object.keys(fused)).toHaveLength(convBns.length);
      for (const [key, want] of Object.entries(twoKernels)) {
        const got = fused[key] as Float32Array;
        expect(got.length, key).toBe(want.length);
        let differ = 0;
        for (let j = 0; j < want.length; j++) if (!Object.is(got[j], want[j])) differ++;
        expect(differ, `${key}: values that differ`).toBe(0);
      }
    });
});
