/**
 * Batch norm's training kernels through tfjs at ResNet-20's shapes (batch 128, one thread, the
 * fastest kernels here): the best of --calls calls of the forward and backward kernels, with and
 * without the residual input, in ms.
 *
 *   npx tsx bench/batchnorm.ts [--calls 40]
 */
import * as tf from '@tensorflow/tfjs';
import { useFastestBackend } from '../src/models/index.js';
import { describeKernels } from '../src/kernels/tfjs/index.js';
import { benchArgs } from './args.js';

const { calls } = benchArgs('npx tsx bench/batchnorm.ts [--calls 40]', { calls: 40 });
await useFastestBackend();
console.log(`kernels: ${describeKernels()}`);
console.log('| x | residual | forward (ms) | backward (ms) |\n|---|---|---:|---:|');
const shapes: [number[], boolean][] = [
  [[128, 32, 32, 16], true],
  [[128, 32, 32, 16], false],
  [[128, 16, 16, 32], true],
  [[128, 8, 8, 64], false],
];
for (const [shape, residual] of shapes) {
  const C = shape[3] as number;
  const x = tf.randomNormal(shape, 0, 1, 'float32', 1);
  const r = tf.randomNormal(shape, 0, 1, 'float32', 2);
  const dy = tf.mul(tf.randomNormal(shape, 0, 1, 'float32', 3), 1e-3);
  const gamma = tf.ones([C]);
  const beta = tf.zeros([C]);
  const attrs = { relu: true, epsilon: 1e-5, residual };
  const inputs = residual ? { x, gamma, beta, residual: r } : { x, gamma, beta };
  const forward = () => tf.engine().runKernel<tf.Tensor[]>('BlindspotsBatchNorm', inputs, attrs);
  const saved = forward();
  const [y, mean, variance] = saved as [tf.Tensor, tf.Tensor, tf.Tensor];
  let bestForward = Infinity;
  let bestBackward = Infinity;
  for (let i = 0; i < calls; i++) {
    const t0 = performance.now();
    const grads = tf.engine().runKernel<tf.Tensor[]>('BlindspotsBatchNormGrad', { dy, x, y, gamma, mean, variance }, attrs);
    const t1 = performance.now();
    const outs = forward();
    const t2 = performance.now();
    bestBackward = Math.min(bestBackward, t1 - t0);
    bestForward = Math.min(bestForward, t2 - t1);
    for (const t of [...grads, ...outs]) t.dispose();
  }
  console.log(`| ${shape.join('x')} | ${residual ? 'yes' : 'no'} | ${bestForward.toFixed(3)} | ${bestBackward.toFixed(3)} |`);
  for (const t of [x, r, dy, gamma, beta, ...saved]) t.dispose();
}
