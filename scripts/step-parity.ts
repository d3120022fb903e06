/**
 * Does the library's ResNet train as PyTorch's twin does, step for step? From one set of initial
 * weights and one batch order, both take the same SGD steps; if the two were the same algorithm,
 * their weights would part only by float32 rounding. Writes, under <dir>/parity/:
 * the library's initial weights (init-*.npy, tfjs layouts), its batch order for every epoch
 * (order.npy, [epochs, n] int32: the permutation `trainNetwork` draws), logits of the first 32
 * training images in inference and training mode before any step (logits-*.npy), and every
 * weight and running statistic after the steps of --checkpoints (step<k>-*.npy). Then runs
 * scripts/step_parity.py, which loads the same weights into bench/convnet_torch.py's ResNet,
 * takes the same steps (OneCycleLR over the same total) and prints, per checkpoint, how far each
 * tensor is from the library's.
 *
 *   npx tsx scripts/step-parity.ts [--dir bench/out/schedule-peer/recipe-orthogonalNoise-0.001]
 *     [--init torch] [--seed 0] [--checkpoints 1,2,5,10,50] [--stride-padding same|symmetric]
 *
 * <dir> holds the arrays scripts/schedule-peer.ts writes (train_x.npy, train_y.npy, …).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { readNpy, writeNpy } from '../src/data/export.js';
import { useFastestBackend } from '../src/models/index.js';
import { tensorBatches } from '../src/models/tfjs/batches.js';
import { inferenceProbabilities } from '../src/models/tfjs/dataParallel.js';
import type { Network } from '../src/models/tfjs/layers.js';
import { trainNetwork } from '../src/models/tfjs/trainLoop.js';
import { createRandom, deriveSeed, shuffler } from '../src/random.js';
import { benchArgs } from '../bench/args.js';
import { recipeResNet } from './recipeResNet.js';

const args = benchArgs(
  'npx tsx scripts/step-parity.ts [--dir D] [--init torch] [--seed 0] [--checkpoints 1,2,5,10,50] [--stride-padding same|symmetric]',
  {
    dir: 'bench/out/schedule-peer/recipe-orthogonalNoise-0.001',
    init: 'torch',
    seed: 0,
    checkpoints: [1, 2, 5, 10, 50],
    'stride-padding': 'same',
  },
  { choices: { init: ['he', 'he-uniform', 'torch', 'torch-normal'], 'stride-padding': ['same', 'symmetric'] } },
);

await useFastestBackend();
const out = join(args.dir, 'parity');
mkdirSync(out, { recursive: true });
const x = readNpy(join(args.dir, 'train_x.npy'));
const y = readNpy(join(args.dir, 'train_y.npy'));
const labels = Int32Array.from(y.data as ArrayLike<number>);
const numClasses = Math.max(...labels) + 1;
const { model, train } = recipeResNet({
  init: args.init as 'torch',
  seed: args.seed,
  threads: 1,
  stridePadding: args['stride-padding'] as 'same' | 'symmetric',
});
// What the study trains: `fit` builds the network with the model's seed and calls trainNetwork.
const inputShape = x.shape.slice(1);
const net: Network = model.buildReplica(inputShape, numClasses, args.seed);
const xt = tf.tensor(x.data, x.shape);
const xs = tensorBatches(xt);

const save = (prefix: string): void => {
  const names: string[] = [];
  for (const [name, v] of [...net.params.trainable, ...net.params.state]) {
    writeNpy(join(out, `${prefix}-${name.replaceAll('/', '.')}.npy`), v.dataSync(), v.shape);
    names.push(name);
  }
  writeFileSync(join(out, 'names.json'), JSON.stringify(names));
};
save('init');
// Logits before any step: inference mode (running statistics) and training mode (batch statistics).
const first = xs.slice(0, 32);
const eval0 = tf.tidy(() => tf.log(inferenceProbabilities(net, first)));
writeNpy(join(out, 'logprobs-eval.npy'), eval0.dataSync(), eval0.shape);
const train0 = tf.tidy(() => tf.logSoftmax(net.forward(first, true, [], 0)));
writeNpy(join(out, 'logprobs-train.npy'), train0.dataSync(), train0.shape);
tf.dispose([first, eval0, train0]);

// The batch order trainNetwork draws: one seeded shuffle of the running order per epoch.
const n = labels.length;
const order = Int32Array.from({ length: n }, (_, i) => i);
const shuffle = shuffler(createRandom(deriveSeed(args.seed, 'batches')));
const orders = new Int32Array(train.epochs * n);
for (let e = 0; e < train.epochs; e++) {
  shuffle(order);
  orders.set(order, e * n);
}
writeNpy(join(out, 'order.npy'), orders, [train.epochs, n]);

const checkpoints = new Set(args.checkpoints);
const last = Math.max(...args.checkpoints);
const stop = new AbortController();
let step = 0;
try {
  await trainNetwork(
    net,
    xs,
    labels,
    numClasses,
    train,
    { model: 'resnet', options: model.params },
    {
      signal: stop.signal,
      onProgress: () => {
        step += 1;
        if (checkpoints.has(step)) save(`step${String(step)}`);
        if (step >= last) stop.abort();
      },
    },
  );
} catch (error) {
  if (!stop.signal.aborted) throw error;
}
console.log(`library: ${String(step)} steps of ResNet-20 (init ${args.init}, seed ${String(args.seed)}); tensors in ${out}`);
xt.dispose();
const r = spawnSync(
  '/usr/bin/python3',
  ['scripts/step_parity.py', args.dir, '--checkpoints', args.checkpoints.join(','), '--stride-padding', args['stride-padding']],
  {
    stdio: 'inherit',
  },
);
process.exit(r.status ?? 1);
