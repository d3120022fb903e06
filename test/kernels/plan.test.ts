import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { ResNet, useFastestBackend } from '../../src/models/index.js';
import { INFERENCE_PLAN_KERNEL, inferencePlanUnsupported, inferencePlans } from '../../src/kernels/tfjs/index.js';
import { nativeKernels } from '../../src/kernels/tfjs/native.js';
import { kernelBuild, useKernelBuild, withKernelThreads } from '../../src/kernels/tfjs/wasm.js';
import { runFeatureSteps } from '../../src/models/tfjs/layers.js';
import { residualNet, residualSteps } from '../helpers/featureNet.js';

// Inference plans (src/kernels/plan.c): a network's features on chunks of images. Where the models
// use them (the native kernels) they must give the layer-by-layer path's bits, for any chunk size
// and thread count; the parity table checks the kernel against the cpu backend on both builds.

const native = 'addon' in nativeKernels();

/** Bits of `a` that differ from `b`'s. */
function differing(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let n = 0;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) n++;
  return n;
}

/** Runs `body` with plans on or off and chunks of `chunkBytes`, then restores the settings. */
function withPlans<T>(enabled: boolean, chunkBytes: number, body: () => T): T {
  const saved = { ...inferencePlans };
  Object.assign(inferencePlans, { enabled, chunkBytes });
  try {
    return body();
  } finally {
    Object.assign(inferencePlans, saved);
  }
}

describe.skipIf(!native)('inference plans on the native kernels', () => {
  for (const threads of [1, 2])
    for (const pad of ['same', 1] as const)
      for (const chunk of [1, 3, 64])
        it(`${String(threads)} thread(s), stride padding ${String(pad)}, chunks of ${String(chunk)}: the layers' bits, no tensor left`, async () => {
          await useFastestBackend();
          useKernelBuild('auto');
          const net = residualNet(pad, 3);
          const x = tf.randomNormal([11, 10, 10, 3], 0, 1, 'float32', 5) as tf.Tensor4D;
          try {
            const before = tf.memory().numTensors;
            // A chunk's largest activation: 10 x 10 x 8 floats per image.
            const run = (enabled: boolean) =>
              withPlans(enabled, chunk * 3200, () =>
                withKernelThreads(threads, () => tf.tidy(() => runFeatureSteps(x, net, false).dataSync() as Float32Array)),
              );
            const profiled = await tf.profile(() => {
              run(true);
            });
            expect(profiled.kernelNames).toContain(INFERENCE_PLAN_KERNEL);
            const [planned, layers] = [run(true), run(false)];
            expect(differing(planned, layers)).toBe(0);
            expect(planned.some((v) => v !== 0)).toBe(true);
            expect(tf.memory().numTensors).toBe(before);
          } finally {
            x.dispose();
            net.dispose();
          }
        });

  it('ResNet predict: the same probabilities with and without plans, on 1 and 2 intra-op threads', async () => {
    await useFastestBackend();
    useKernelBuild('auto');
    const images = {
      data: Float32Array.from({ length: 40 * 8 * 8 * 3 }, (_, i) => Math.sin(i * 0.37)),
      shape: [40, 8, 8, 3] as [number, number, number, number],
    };
    const labels = Int32Array.from({ length: 40 }, (_, i) => i % 4);
    for (const threads of [1, 2]) {
      const model = new ResNet({ depth: 8, epochs: 1, batchSize: 20, seed: 2, threads, threading: 'intra-op' });
      try {
        await model.fit(images, labels);
        const profile = await tf.profile(async () => {
          await model.predictProba(images);
        });
        expect(profile.kernelNames).toContain(INFERENCE_PLAN_KERNEL);
        const planned = (await withPlans(true, 1 << 20, () => model.predictProba(images))).data;
        const layers = (await withPlans(false, 1 << 20, () => model.predictProba(images))).data;
        expect(differing(planned, layers)).toBe(0);
      } finally {
        model.dispose();
      }
    }
  });
});

describe('inference plans elsewhere', () => {
  it('the wasm kernels run the layers one by one (their strided convolutions are XNNPACK, the plan would not give those bits)', async () => {
    await useFastestBackend();
    useKernelBuild('wasm');
    expect(kernelBuild()).toBe('wasm');
    const net = residualNet('same', 3);
    try {
      const profile = await tf.profile(() => {
        tf.tidy(() => runFeatureSteps(tf.ones([2, 10, 10, 3]) as tf.Tensor4D, net, false));
      });
      expect(profile.kernelNames).not.toContain(INFERENCE_PLAN_KERNEL);
    } finally {
      net.dispose();
      useKernelBuild('auto');
    }
  });

  it('says why steps cannot run as a plan', () => {
    const { steps, filters } = residualSteps('same');
    const tensors: tf.NamedTensorMap = {};
    const keep: tf.Tensor[] = [];
    for (const [name, shape] of Object.entries(filters)) {
      const F = shape[3] as number;
      tensors[name] = tf.zeros(shape);
      for (const part of ['gamma', 'beta', 'mean', 'variance']) tensors[`${name}/${part}`] = tf.zeros([F]);
    }
    keep.push(...Object.values(tensors));
    try {
      expect(inferencePlanUnsupported(steps, [10, 10, 3], tensors, true)).toBeUndefined();
      expect(inferencePlanUnsupported(steps, [10, 10, 3], tensors, false)).toMatch(/strided convolution/);
      expect(inferencePlanUnsupported(steps.slice(0, -1), [10, 10, 3], tensors, true)).toMatch(/last step must be the mean/);
      expect(inferencePlanUnsupported(steps, [10, 10, 4], tensors, true)).toMatch(/filter stem does not fit/);
      expect(inferencePlanUnsupported(steps, [10, 10], tensors, true)).toMatch(/not \[H, W, C\]/);
      const residualOfInput = steps.map((s, i) => (i === 2 && s.op === 'convBatchNorm' ? { ...s, residual: 0 } : s));
      expect(inferencePlanUnsupported(residualOfInput, [10, 10, 3], tensors, true)).toMatch(/residual of the input/);
      const { stem: _stem, ...withoutStem } = tensors;
      expect(inferencePlanUnsupported(steps, [10, 10, 3], withoutStem, true)).toMatch(/filter stem/);
    } finally {
      for (const t of keep) t.dispose();
    }
  });
});
