/**
 * The ConvNets' data-parallel training on two worker threads (the integration tier: each case
 * starts a replica thread and trains a few epochs).
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { CharCNN, ResNet, useFastestBackend } from '../../src/models/index.js';
import { tinyImages, weights, wordTexts } from './tinyData.js';

// Data-parallel threads need the wasm backend: choose it before tf.memory() starts tfjs's cpu default.
beforeAll(() => useFastestBackend());

describe('ResNet on two threads', () => {
  it('trains data-parallel on two threads: the same weights bit for bit for a seed, learns, leaks nothing, aborts', async () => {
    const { x, y } = tinyImages(64);
    const before = tf.memory().numTensors;
    const make = (threads: number) => new ResNet({ depth: 8, width: 4, epochs: 3, batchSize: 16, seed: 3, threads });
    const a = await make(2).fit(x, y);
    const b = await make(2).fit(x, y);
    const single = await make(1).fit(x, y);
    expect((await weights(a)).equals(await weights(b))).toBe(true);
    // Per-share batch statistics: a different model from the one-thread one, as DataParallel.
    expect((await weights(a)).equals(await weights(single))).toBe(false);
    expect((await a.predict(x)).length).toBe(64);
    const ctl = new AbortController();
    let steps = 0;
    const c = make(2);
    await expect(c.fit(x, y, { signal: ctl.signal, onProgress: () => (++steps === 2 ? ctl.abort() : undefined) })).rejects.toMatchObject({
      name: 'AbortError',
    });
    for (const m of [a, b, single, c]) m.dispose();
    expect(tf.memory().numTensors).toBe(before);
  }, 60_000);

  it("on two threads the learning curve's predictions are shared with the replica: one thread's values, training unchanged", async () => {
    // 600 samples in prediction batches of 256: this thread predicts batches 0 and 2, the replica batch 1.
    const { x, y } = tinyImages(600);
    const before = tf.memory().numTensors;
    const make = () => new ResNet({ depth: 8, width: 4, epochs: 2, batchSize: 64, seed: 4, threads: 2 });
    const seen: Int32Array[] = [];
    const a = await make().fit(x, y, { onEpoch: async ({ predict }) => void seen.push(await predict(x)) });
    const b = await make().fit(x, y);
    expect((await weights(a)).equals(await weights(b))).toBe(true);
    expect(seen).toHaveLength(2);
    const after = await a.predict(x); // this thread alone, after training
    expect(new Set(after).size).toBe(2);
    expect(seen.at(-1)).toEqual(after);
    for (const m of [a, b]) m.dispose();
    expect(tf.memory().numTensors).toBe(before);
  }, 60_000);
});

describe('CharCNN on two threads', () => {
  it("on two threads the learning curve's predictions of texts are shared with the replica: one thread's values", async () => {
    const { texts, y } = wordTexts();
    // 300 texts in prediction batches of 256 (the replica predicts the second), one-hot a batch at a time.
    const many = Array.from({ length: 300 }, (_, i) => texts[i % texts.length] as string);
    const make = () => new CharCNN({ length: 160, epochs: 1, batchSize: 16, learningRate: 0.05, seed: 2, threads: 2 });
    const seen: Int32Array[] = [];
    const a = await make().fit(texts, y, { onEpoch: async ({ predict }) => void seen.push(await predict(many)) });
    const b = await make().fit(texts, y);
    expect((await weights(a)).equals(await weights(b))).toBe(true);
    expect(seen).toHaveLength(1);
    expect(seen.at(-1)).toEqual(await a.predict(many));
    for (const m of [a, b]) m.dispose();
  }, 60_000);
});
