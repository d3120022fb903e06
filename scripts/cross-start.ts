/**
 * A crossed run: the library's ResNet-20 trained from PyTorch's initial weights in PyTorch's batch
 * order, both as `scripts/schedule_peer.py --save-start DIR` wrote them, on a cell's arrays (the
 * ones scripts/schedule-peer.ts writes). The run then differs from PyTorch's only in its
 * arithmetic: if PyTorch reads a signal from that start and the library does not, the two
 * trainings differ; if both do, what differed between their own runs was the draw. Prints a JSON
 * line per epoch (accuracy with the signal and shuffled, as the peer's) and writes the last epoch's
 * predictions as PREFIX-test.npy / PREFIX-shuffled.npy for scripts/peer-paired.ts.
 *
 *   npx tsx scripts/cross-start.ts --dir bench/out/schedule-peer/recipe-orthogonalNoise-0.001
 *     --start <dir>/torch-start-s0 [--init torch] [--stride-padding symmetric] [--threads 1] [--order start|own] --predictions PREFIX
 *
 * `--order own` takes PyTorch's initial weights only, with the library's own seeded batch order
 * (seed 0): which of the two halves of the draw carries a verdict.
 */
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { readNpy, writeNpy } from '../src/data/export.js';
import { useFastestBackend } from '../src/models/index.js';
import { tensorBatches } from '../src/models/tfjs/batches.js';
import type { Network } from '../src/models/tfjs/layers.js';
import { argmaxRows, trainNetwork } from '../src/models/tfjs/trainLoop.js';
import { describeKernels } from '../src/kernels/tfjs/index.js';
import { benchArgs } from '../bench/args.js';
import { recipeResNet } from './recipeResNet.js';

const args = benchArgs(
  'npx tsx scripts/cross-start.ts --dir D --start S [--init torch] [--stride-padding symmetric] [--threads 1] [--order start|own] [--predictions PREFIX]',
  {
    dir: 'bench/out/schedule-peer/recipe-orthogonalNoise-0.001',
    start: '',
    init: 'torch',
    'stride-padding': 'symmetric',
    threads: 1,
    order: 'start',
    predictions: '',
  },
  { choices: { init: ['he', 'he-uniform', 'torch', 'torch-normal'], 'stride-padding': ['same', 'symmetric'], order: ['start', 'own'] } },
);
if (args.start === '') throw new Error('--start: the folder scripts/schedule_peer.py --save-start wrote');

await useFastestBackend();
const array = (name: string): ReturnType<typeof readNpy> => readNpy(join(args.dir, name));
const x = array('train_x.npy');
const labels = Int32Array.from(array('train_y.npy').data as ArrayLike<number>);
const testLabels = Int32Array.from(array('test_y.npy').data as ArrayLike<number>);
const numClasses = Math.max(...labels) + 1;
const { model, train } = recipeResNet({
  init: args.init as 'torch',
  seed: 0,
  threads: args.threads,
  stridePadding: args['stride-padding'] as 'symmetric',
});
const net: Network = model.buildReplica(x.shape.slice(1), numClasses, 0);
const names = JSON.parse(readFileSync(join(args.start, 'names.json'), 'utf8')) as string[];
const ours = [...net.params.trainable.keys(), ...net.params.state.keys()];
if (names.length !== ours.length || ours.some((n) => !names.includes(n)))
  throw new Error(`--start: ${args.start} holds other variables than this ResNet-20's`);
for (const [name, v] of [...net.params.trainable, ...net.params.state]) {
  const w = readNpy(join(args.start, `init-${name.replaceAll('/', '.')}.npy`));
  if (w.shape.join() !== v.shape.join()) throw new Error(`--start: ${name} is [${w.shape.join(', ')}], expected [${v.shape.join(', ')}]`);
  tf.tidy(() => v.assign(tf.tensor(w.data as Float32Array, v.shape)));
}
const order = readNpy(join(args.start, 'order.npy'));
const n = labels.length;
if (order.shape.join() !== [train.epochs, n].join())
  throw new Error(`--start: order.npy is [${order.shape.join(', ')}], expected [${String(train.epochs)}, ${String(n)}]`);
const orders = order.data as Int32Array;

const xt = tf.tensor(x.data, x.shape);
const xs = tensorBatches(xt);
const evalSet = (name: string): { xt: tf.Tensor; xs: ReturnType<typeof tensorBatches> } => {
  const a = array(name);
  const t = tf.tensor(a.data, a.shape);
  return { xt: t, xs: tensorBatches(t) };
};
const test = evalSet('test_x.npy');
const shuffled = evalSet('shuffled_x.npy');
const t0 = performance.now();
let last: { test: Int32Array; shuffled: Int32Array } | undefined;
const accuracy = (p: Int32Array): number => p.filter((c, i) => c === testLabels[i]).length / p.length;
await trainNetwork(
  net,
  xs,
  labels,
  numClasses,
  train,
  { model: 'resnet', options: model.params },
  {},
  async (epoch, probabilities) => {
    const predicted = {
      test: argmaxRows(await probabilities(test.xs, 256), numClasses),
      shuffled: argmaxRows(await probabilities(shuffled.xs, 256), numClasses),
    };
    last = predicted;
    const row = {
      init: args.init,
      stridePadding: args['stride-padding'],
      threads: args.threads,
      backend: describeKernels(),
      startFrom: args.start,
      order: args.order,
      epoch,
      accuracy: accuracy(predicted.test),
      shuffledAccuracy: accuracy(predicted.shuffled),
      seconds: Number(((performance.now() - t0) / 1000).toFixed(1)),
    };
    console.log(JSON.stringify(row));
  },
  args.order === 'own' ? undefined : (epoch) => orders.subarray(epoch * n, (epoch + 1) * n),
);
if (args.predictions !== '' && last !== undefined) {
  writeNpy(`${args.predictions}-test.npy`, last.test, [last.test.length]);
  writeNpy(`${args.predictions}-shuffled.npy`, last.shuffled, [last.shuffled.length]);
}
tf.dispose([xt, test.xt, shuffled.xt]);
