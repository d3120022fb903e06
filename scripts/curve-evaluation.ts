/**
 * What a learning curve costs, on one thread and shared with the training threads. A study cell
 * of `table1-resnet20` evaluates its 10,000 test images twice after every epoch (with the signal
 * and with a shuffled label's); a model trained on several threads now shares those predictions
 * with its replicas (they ran on one thread when docs/results.md's cells were made). This trains ResNet-20 for one epoch on 2 threads (the preset's
 * network, batch and schedule) on Fashion-MNIST images, times the epoch's two evaluations inside
 * `onEpoch` (shared), then the same two with the fitted model's `predict` (this thread alone, the
 * same weights), and checks they agree.
 *
 *   npx tsx scripts/curve-evaluation.ts [--train 15000] [--test 10000] [--threads 2]
 */
import { loadFashionMnist, splitDataset, subsample } from '../src/data/index.js';
import { ResNet } from '../src/models/index.js';
import { benchArgs } from '../bench/args.js';

const {
  train: nTrain,
  test: nTest,
  threads,
} = benchArgs('npx tsx scripts/curve-evaluation.ts [--train 15000] [--test 10000] [--threads 2]', {
  train: 15000,
  test: 10000,
  threads: 2,
});
const all = loadFashionMnist({ as: 'array' });
const { train, test } = splitDataset(subsample(all, nTrain + nTest, 0), nTest / (nTrain + nTest), 0);
const net = new ResNet({
  depth: 20,
  width: 16,
  epochs: 1,
  batchSize: 128,
  schedule: 'onecycle',
  learningRate: 0.1,
  weightDecay: 1e-4,
  seed: 0,
  threads,
});
// Two calls each way, as a cell's two evaluations; the second of each is timed warm (the first also
// builds each thread's inference-mode kernels).
const twice = async (
  predict: (x: typeof test.images) => Promise<Int32Array>,
): Promise<{ labels: Int32Array; first: number; second: number }> => {
  let t = performance.now();
  const labels = await predict(test.images);
  const first = (performance.now() - t) / 1000;
  t = performance.now();
  await predict(test.images);
  return { labels, first, second: (performance.now() - t) / 1000 };
};
let shared: Awaited<ReturnType<typeof twice>> | undefined;
const t0 = performance.now();
await net.fit(train.images, train.labels, { onEpoch: async ({ predict }) => void (shared = await twice(predict)) });
if (shared === undefined) throw new Error('onEpoch was not called');
const fit = (performance.now() - t0) / 1000 - shared.first - shared.second;
const single = await twice((x) => net.predict(x));
net.dispose();
const same = shared.labels.every((v, i) => v === single.labels[i]);
const s = (v: number): string => v.toFixed(1);
console.log(
  `ResNet-20, ${String(train.labels.length)} training images, 1 epoch on ${String(threads)} threads: training ${s(fit)} s. ` +
    `Predicting ${String(test.labels.length)} test images, first and second call: ${s(shared.first)} s and ${s(shared.second)} s shared ` +
    `with the training threads, ${s(single.first)} s and ${s(single.second)} s on this thread alone ` +
    `(second calls: ${(single.second / shared.second).toFixed(2)}x faster shared); same predictions: ${String(same)}`,
);
if (!same) process.exitCode = 1;
