/**
 * The ConvNets on intra-op threads (options.threading 'intra-op'): one replica whose native kernel
 * calls are split over the threads (native/threads.c), batch norm over the whole batch. No worker
 * threads start, so these run in the unit tier.
 */
import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CharCNN, Perceptron, ResNet, ShallowMaxNN, useFastestBackend } from '../../src/models/index.js';
import type { Batches } from '../../src/models/tfjs/batches.js';
import type { Network } from '../../src/models/tfjs/layers.js';
import { predictProbabilities } from '../../src/models/tfjs/trainLoop.js';
import { nativeKernels } from '../../src/kernels/tfjs/native.js';
import { useKernelBuild } from '../../src/kernels/tfjs/wasm.js';
import { distance } from '../helpers/distance.js';
import { tinyImages, weights, wordTexts } from './tinyData.js';

beforeAll(() => useFastestBackend());
afterEach(() => useKernelBuild('auto'));

const native = nativeKernels();
const why = 'reason' in native ? native.reason : undefined;
if (why !== undefined) console.warn(`native kernels not loaded, the intra-op training tests skip: ${why}`);

const asFloats = (b: Buffer): Float32Array => new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);

describe.skipIf(why !== undefined)('ResNet and CharCNN on intra-op threads', () => {
  it('ResNet: the one-thread model up to float rounding, the same bits for a seed and thread count, predictions and learning curves on the threads, nothing leaked', async () => {
    // width 8: the Winograd kernels (channels % 8 == 0) and batch norm over 16 row blocks, all split.
    const { x, y } = tinyImages(32);
    const before = tf.memory().numTensors;
    const make = (threads: number) => new ResNet({ depth: 8, width: 8, epochs: 2, batchSize: 16, seed: 3, threads, threading: 'intra-op' });
    const curves: Int32Array[] = [];
    const a = await make(2).fit(x, y, { onEpoch: async ({ predict }) => void curves.push(await predict(x)) });
    const b = await make(2).fit(x, y);
    const single = await make(1).fit(x, y);
    const [wa, wb, w1] = await Promise.all([a, b, single].map((m) => weights(m)));
    expect((wa as Buffer).equals(wb as Buffer)).toBe(true);
    expect(a.params).toMatchObject({ threads: 2, threading: 'intra-op' });
    // Whole-batch batch norm: the one-thread model. The filter gradients add the threads' partial
    // sums, so the weights differ by rounding only (1.8e-7 of the largest weight in this test, measured;
    // 3 threads are tested kernel by kernel in test/kernels/native.test.ts).
    const { err, scale } = distance(asFloats(wa as Buffer), asFloats(w1 as Buffer));
    const d2 = err / scale;
    if (process.env.PARITY_VERBOSE !== undefined) console.log(`intra-op weights vs one thread: ${d2.toExponential(2)}`);
    expect(d2).toBeLessThan(1e-4);
    const predictions = await a.predict(x);
    expect(predictions).toEqual(await single.predict(x));
    expect(curves).toHaveLength(2);
    expect(curves.at(-1)).toEqual(predictions);
    for (const m of [a, b, single]) m.dispose();
    expect(tf.memory().numTensors).toBe(before);
  }, 60_000);

  it('CharCNN trains on intra-op threads: the same bits for a seed, one-thread predictions', async () => {
    const { texts, y } = wordTexts();
    const make = (threads: number) =>
      new CharCNN({ length: 160, epochs: 1, batchSize: 16, learningRate: 0.05, seed: 2, threads, threading: 'intra-op' });
    const a = await make(2).fit(texts, y);
    const b = await make(2).fit(texts, y);
    const single = await make(1).fit(texts, y);
    expect((await weights(a)).equals(await weights(b))).toBe(true);
    expect(await a.predict(texts)).toEqual(await single.predict(texts));
    for (const m of [a, b, single]) m.dispose();
  }, 60_000);
});

describe.skipIf(why !== undefined)('inference on intra-op threads', () => {
  it("gives the one-thread bits for every ConvNet (so predict runs on a model's threads under either threading)", async () => {
    const { x, y } = tinyImages(40);
    const { texts, y: ty } = wordTexts();
    const before = tf.memory().numTensors;
    for (const [model, input, labels] of [
      [new ResNet({ depth: 8, width: 8, epochs: 1, batchSize: 16, seed: 4 }), x, y],
      [new ShallowMaxNN({ epochs: 1, batchSize: 16, seed: 4 }), x, y],
      [new Perceptron({ epochs: 1, batchSize: 16, seed: 4 }), x, y],
      [new CharCNN({ length: 160, epochs: 1, batchSize: 16, seed: 4 }), texts, ty],
    ] as const) {
      // The model's own network and batches (private members), predicted on 1, 2 and 3 threads.
      const internals = model as unknown as {
        fit(x: unknown, y: Int32Array): Promise<unknown>;
        fitted: { net: Network; inputShape: number[]; numClasses: number };
        prepare(fn: string, x: unknown, shape: number[]): Batches;
      };
      await internals.fit(input, labels);
      const { net, inputShape, numClasses } = internals.fitted;
      const xs = internals.prepare('test', input, inputShape);
      try {
        const runs: Float32Array[] = [];
        for (const threads of [1, 2, 3]) runs.push(await predictProbabilities(net, xs, numClasses, 16, threads));
        for (const run of runs.slice(1))
          expect(Buffer.from(run.buffer).equals(Buffer.from((runs[0] as Float32Array).buffer)), model.name).toBe(true);
      } finally {
        xs.dispose();
        model.dispose();
      }
    }
    expect(tf.memory().numTensors).toBe(before);
  }, 60_000);

  it('a data-parallel model predicts on its threads', async () => {
    const { x, y } = tinyImages(32);
    const model = await new ResNet({ depth: 8, width: 8, epochs: 1, batchSize: 16, seed: 5 }).fit(x, y);
    // Not fitted: its data-parallel training needs worker threads (the integration tier's).
    const dataParallel = new ResNet({ depth: 8, width: 8, epochs: 1, batchSize: 16, seed: 5, threads: 2 });
    try {
      expect((dataParallel as unknown as { kernelThreads(): number }).kernelThreads()).toBe(2);
      expect((model as unknown as { kernelThreads(): number }).kernelThreads()).toBe(1);
    } finally {
      model.dispose();
      dataParallel.dispose();
    }
  });
});

describe('options.threading', () => {
  it('a value outside the choices is an INVALID_ARGUMENT naming the option', () => {
    expect(() => new ResNet({ threads: 2, threading: 'intraop' as 'intra-op' })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', details: expect.objectContaining({ arg: 'options.threading' }) as unknown }),
    );
  });

  it("'intra-op' on the wasm kernels: fit refuses with INVALID_ARGUMENT and the reason, threads 1 trains", async () => {
    useKernelBuild('wasm');
    const { x, y } = tinyImages(16);
    const before = tf.memory().numTensors;
    const net = new ResNet({ depth: 8, width: 4, epochs: 1, batchSize: 8, threads: 2, threading: 'intra-op' });
    await expect(net.fit(x, y)).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      details: { fn: 'ResNet.fit', arg: 'options.threading' },
      message: expect.stringMatching(/the wasm kernels were chosen/) as unknown,
    });
    const one = await new ResNet({ depth: 8, width: 4, epochs: 1, batchSize: 8, threads: 1, threading: 'intra-op' }).fit(x, y);
    expect((await one.predict(x)).length).toBe(16);
    one.dispose();
    net.dispose();
    expect(tf.memory().numTensors).toBe(before);
  }, 60_000);
});
