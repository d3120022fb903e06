import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { useFastestBackend } from '../../src/models/index.js';
import { biasRelu, oneHotConv1d } from '../../src/models/tfjs/layers.js';

// The wasm kernels behind the char-CNN (and every dense layer): each checked against the cpu
// backend's results, and for leaks.

const maxErr = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)));
  return m;
};
const scale = (a: ArrayLike<number>): number => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] as number));
  return m;
};
const close = (got: ArrayLike<number>, want: ArrayLike<number>, rel = 1e-5): void => {
  expect(got.length).toBe(want.length);
  expect(maxErr(got, want)).toBeLessThan(rel * scale(want) + 1e-5);
};

/** Runs `body` on the wasm backend (checking it leaks no tensor) and on cpu. */
async function onBoth<T>(body: () => T): Promise<[T, T]> {
  await useFastestBackend();
  const before = tf.memory().numTensors;
  // body returns typed arrays and shapes, no tensors: tidy disposes everything it made.
  const run = (): T => tf.tidy(() => body() as unknown as tf.TensorContainer) as unknown as T;
  const wasm = run();
  expect(tf.memory().numTensors).toBe(before);
  await tf.setBackend('cpu');
  try {
    return [wasm, run()];
  } finally {
    await tf.setBackend('wasm');
  }
}

describe('wasm BatchMatMul (conv.c matMul) against the cpu backend', () => {
  // Sizes off the 4 x 8 tiles, K over one 256-row chunk, all transposes, a batch of one.
  const cases: [number[], number[], boolean, boolean][] = [
    [[5, 300], [300, 11], false, false],
    [[300, 5], [300, 11], true, false],
    [[5, 300], [11, 300], false, true],
    [[300, 5], [11, 300], true, true],
    [[128, 600], [600, 64], false, false],
    [[64, 37], [64, 16], true, false],
    [[1, 7, 9], [1, 9, 2], false, false],
    [[3, 1], [1, 8], false, false],
  ];
  for (const [as, bs, ta, tb] of cases) {
    it(`matMul(a ${as.join('x')}, b ${bs.join('x')}, transposeA ${String(ta)}, transposeB ${String(tb)}) and its gradients`, async () => {
      const [wasm, cpu] = await onBoth(() => {
        const a = tf.randomNormal(as, 0, 1, 'float32', 1);
        const b = tf.randomNormal(bs, 0, 1, 'float32', 2);
        const f = (x: tf.Tensor, y: tf.Tensor) => tf.matMul(x, y, ta, tb);
        const y = f(a, b);
        const dy = tf.randomNormal(y.shape, 0, 1, 'float32', 3);
        const [ga, gb] = tf.grads((x: tf.Tensor, z: tf.Tensor) => tf.sum(tf.mul(f(x, z), dy)))([a, b]);
        return { shape: y.shape, y: y.dataSync(), ga: (ga as tf.Tensor).dataSync(), gb: (gb as tf.Tensor).dataSync() };
      });
      expect(wasm.shape).toEqual(cpu.shape);
      close(wasm.y, cpu.y);
      close(wasm.ga, cpu.ga);
      close(wasm.gb, cpu.gb);
    });
  }
});

describe('wasm MaxPoolGrad (conv.c maxPoolGrad) against the cpu backend', () => {
  // The char-CNN's 1x3/3, overlapping windows, 'same' padding, and ties (after a ReLU, and
  // rounded inputs): the gradient goes to each window's first maximum.
  const cases: [[number, number, number, number], [number, number], [number, number], 'valid' | 'same', boolean][] = [
    [[2, 1, 31, 12], [1, 3], [1, 3], 'valid', true],
    [[2, 7, 9, 5], [3, 3], [2, 2], 'same', false],
    [[1, 6, 6, 8], [2, 2], [1, 1], 'valid', true],
    [[2, 5, 8, 3], [2, 3], [2, 1], 'same', true],
  ];
  for (const [shape, filter, strides, pad, ties] of cases) {
    it(`maxPool ${filter.join('x')} / ${strides.join('x')} ${pad} on ${shape.join('x')}${ties ? ' with ties' : ''}: forward and gradient`, async () => {
      const [wasm, cpu] = await onBoth(() => {
        let x = tf.randomNormal(shape, 0, 1, 'float32', 4) as tf.Tensor4D;
        if (ties) x = tf.relu(tf.round(tf.mul(x, 2))) as tf.Tensor4D;
        const y = tf.maxPool(x, filter, strides, pad);
        const dy = tf.randomNormal(y.shape, 0, 1, 'float32', 5);
        const dx = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(a as tf.Tensor4D, filter, strides, pad), dy)))(x);
        return { y: y.dataSync(), dx: dx.dataSync() };
      });
      close(wasm.y, cpu.y);
      close(wasm.dx, cpu.dx);
    });
  }
});

describe('char-CNN layers: fused bias + ReLU and the one-hot convolution', () => {
  it('biasRelu equals relu(x + b), forward and both gradients, and the composed ops on cpu', async () => {
    const run = (fused: boolean) => () => {
      const x = tf.randomNormal([3, 1, 50, 12], 0, 1, 'float32', 6);
      const b = tf.randomNormal([12], 0, 1, 'float32', 7);
      const y = biasRelu(x, b, fused);
      const dy = tf.randomNormal(y.shape, 0, 1, 'float32', 8);
      const [gx, gb] = tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.sum(tf.mul(biasRelu(p, q, fused), dy)))([x, b]);
      return { y: y.dataSync(), gx: (gx as tf.Tensor).dataSync(), gb: (gb as tf.Tensor).dataSync() };
    };
    const [wasm, cpu] = await onBoth(run(true));
    expect(wasm.y).toEqual(cpu.y);
    // Equal up to the sign of zero (the cpu backend's dy * 0 is -0 for a negative dy).
    expect(maxErr(wasm.gx, cpu.gx)).toBe(0);
    close(wasm.gb, cpu.gb);
  });

  for (const [N, L, A, KW, F] of [
    [3, 40, 70, 7, 20],
    [2, 17, 5, 3, 8],
    [1, 9, 4, 9, 3],
  ] as const) {
    it(`oneHotConv1d equals conv2d of the one-hot input, forward and filter gradient (${String(N)} texts of ${String(L)}, alphabet ${String(A)}, kernel ${String(KW)}, ${String(F)} filters)`, async () => {
      const codes = Int32Array.from({ length: N * L }, (_, i) => ((i * 7919) % (A + 3)) - 2); // -2 and -1: no letter
      const [wasm, cpu] = await onBoth(() => {
        const c = tf.tensor2d(codes, [N, L], 'int32');
        const w = tf.randomNormal([1, KW, A, F], 0, 1, 'float32', 9) as tf.Tensor4D;
        const y = oneHotConv1d(c, w);
        const dy = tf.randomNormal(y.shape, 0, 1, 'float32', 10);
        const gw = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(oneHotConv1d(c, v as tf.Tensor4D), dy)))(w);
        return { shape: y.shape, y: y.dataSync(), gw: gw.dataSync() };
      });
      expect(wasm.shape).toEqual([N, 1, L - KW + 1, F]);
      expect(wasm.shape).toEqual(cpu.shape);
      close(wasm.y, cpu.y);
      close(wasm.gw, cpu.gw);
    });
  }
});
