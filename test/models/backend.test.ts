/**
 * The library leaves the program's tfjs backend as it is (issue #26, finding 3; docs/models.md,
 * "Backends"): once a backend is active the models train on it and never switch away from it;
 * only a program without one gets the fastest, on its first fit, and `useFastestBackend()` switches
 * when the program asks. The first test must be the first use of tfjs in this process (vitest runs
 * each file in a fork of its own).
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ResNet, useFastestBackend } from '../../src/models/index.js';
import { hasFusedKernels } from '../../src/kernels/tfjs/index.js';

const labels = Int32Array.from({ length: 16 }, (_, i) => i % 2);
const images = { data: Float32Array.from({ length: 16 * 8 * 8 }, (_, i) => (i % 13) / 13), shape: [16, 8, 8, 1] as const };

/** Fits the tiny ResNet of the issue; returns the backend seen after each epoch. */
async function fitTiny(): Promise<string[]> {
  const during: string[] = [];
  const net = await new ResNet({ depth: 8, width: 4, epochs: 1, batchSize: 8 }).fit(images, labels, {
    onEpoch: () => void during.push(tf.getBackend()),
  });
  expect(await net.predict(images)).toHaveLength(16);
  net.dispose();
  return during;
}

describe("the program's tfjs backend", () => {
  it("after tf.setBackend('cpu'), a ResNet trains on cpu and tf.getBackend() is still 'cpu'", async () => {
    expect(tf.getBackend()).toBeUndefined(); // nothing has used tfjs in this process yet
    await tf.setBackend('cpu');
    expect(await fitTiny()).toEqual(['cpu']);
    expect(tf.getBackend()).toBe('cpu');
  }, 60_000);

  it('on cpu, threads above 1 are an INVALID_ARGUMENT naming the option and the way out, not a one-thread model', async () => {
    await tf.setBackend('cpu');
    const before = tf.memory().numTensors;
    const net = new ResNet({ depth: 8, width: 4, epochs: 1, batchSize: 8, threads: 2 });
    await expect(net.fit(images, labels)).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      details: { fn: 'ResNet.fit', arg: 'options.threads', received: '2' },
      message: expect.stringMatching(/backend is 'cpu' \(call useFastestBackend\(\)/) as unknown,
    });
    await expect(net.predict(images)).rejects.toMatchObject({ code: 'NOT_FITTED' });
    expect(tf.memory().numTensors).toBe(before);
    expect(tf.getBackend()).toBe('cpu');
  }, 60_000);

  it("on the program's own wasm backend, the models register their training kernels and stay on it", async () => {
    await tf.setBackend('wasm');
    expect(await fitTiny()).toEqual(['wasm']);
    expect(tf.getBackend()).toBe('wasm');
    expect(hasFusedKernels()).toBe(true);
    await tf.setBackend('cpu');
    expect(await fitTiny()).toEqual(['cpu']);
    expect(tf.getBackend()).toBe('cpu');
  }, 60_000);

  it('useFastestBackend() switches when the program asks, also after the program switched away', async () => {
    expect(tf.getBackend()).toBe('cpu');
    expect((await useFastestBackend()).name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    await tf.setBackend('cpu');
    expect((await useFastestBackend()).name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(await fitTiny()).toEqual(['wasm']);
  }, 60_000);

  it('a program that has not used tfjs gets the fastest backend on its first fit, and keeps it', () => {
    const run = spawnSync('node_modules/.bin/tsx', ['test/fixtures/firstFit.ts'], { encoding: 'utf8', timeout: 120_000 });
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual({ before: null, during: ['wasm'], after: 'wasm' });
  }, 120_000);
});
