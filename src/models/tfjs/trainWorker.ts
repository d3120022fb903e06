// A data-parallel training replica (see dataParallel.ts): builds the network it is told to, then
// for each step reads the current weights from the shared buffer, takes its share of the batch, and
// writes the share's gradient into its own shared buffer in the variables' order. Its own tfjs instance runs on its own core.
import * as tf from '@tensorflow/tfjs';
import { parentPort } from 'node:worker_threads';
import { useFastestBackend } from './backend.js';
import { getModel } from '../registry.js';
import { ConvNetModel } from './convNet.js';
import { type ReplicaReply, type ReplicaRequest, shareGradients } from './dataParallel.js';
import { copyValuesInto } from './kernels/index.js';
import type { Network } from './layers.js';

let net: Network | undefined;
let vars: tf.Variable[] = [];
let numClasses = 0;
let weights: Float32Array = new Float32Array(0);
let grads: Float32Array = new Float32Array(0);

async function handle(req: ReplicaRequest): Promise<{ reply: ReplicaReply; transfer: ArrayBuffer[] }> {
  if (req.type === 'init') {
    await useFastestBackend();
    // The main registry builds the replica's model, so a new ConvNet needs no entry here.
    const entry = getModel(req.model, 'trainWorker');
    // The architecture options only: the replica's seed and threads are its own.
    const options = Object.fromEntries(Object.entries(req.options).filter(([k]) => entry.options.includes(k)));
    const model = entry.create({ options, seed: req.seed });
    if (!(model instanceof ConvNetModel)) throw new Error(`no replica for model ${req.model}: not a tfjs ConvNet`);
    net = model.buildReplica(req.inputShape, req.numClasses, req.seed);
    vars = [...net.params.trainable.values()];
    numClasses = req.numClasses;
    weights = new Float32Array(req.weights);
    grads = new Float32Array(req.grads);
    return { reply: { type: 'ready', vars: [...net.params.trainable].map(([name, v]) => ({ name, shape: v.shape })) }, transfer: [] };
  }
  const network = net;
  if (network === undefined) throw new Error('step before init');
  const updates: (() => void)[] = [];
  tf.tidy(() => {
    let o = 0;
    for (const v of vars) {
      v.assign(tf.tensor(weights.subarray(o, o + v.size), v.shape));
      o += v.size;
    }
    const g = shareGradients(
      network,
      vars,
      tf.tensor(req.x, [...req.shape]),
      tf.tensor1d(req.labels, 'int32'),
      numClasses,
      req.step,
      req.scale,
      updates,
    );
    copyValuesInto(
      vars.map((v) => g[v.name] ?? tf.zerosLike(v)),
      grads,
    );
  });
  // This replica's running statistics are not used (replica 0's are kept); the updates free their tensors.
  for (const u of updates) u();
  return { reply: { type: 'grads' }, transfer: [] };
}

parentPort?.on('message', (req: ReplicaRequest) => {
  handle(req).then(
    ({ reply, transfer }) => parentPort?.postMessage(reply, transfer),
    (error: unknown) =>
      parentPort?.postMessage({ type: 'error', message: error instanceof Error ? error.message : String(error) } satisfies ReplicaReply),
  );
});
