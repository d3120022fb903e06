// A data-parallel training replica's thread (dataParallel.ts spawns it): builds the network it is
// told to, then for each step reads the current weights from the shared buffer, takes its share of
// the batch, and writes the share's gradient into its own shared buffer in the variables' order.
// Its own tfjs instance runs on its own core. Between epochs it predicts batches for the learning
// curve with replica 0's weights and running statistics.
import * as tf from '@tensorflow/tfjs';
import { parentPort } from 'node:worker_threads';
import { useFastestBackend } from './backend.js';
import { modelEntryOf } from '../modelRegistry.js';
import { ConvNetModel } from './convNet.js';
import { type ReplicaReply, type ReplicaRequest, inferenceProbabilities, shareGradients, variableShapes } from './dataParallel.js';
import { copyValuesInto } from '../../kernels/tfjs/index.js';
import type { Network } from './layers.js';

let net: Network | undefined;
let vars: tf.Variable[] = [];
let state: tf.Variable[] = [];
let numClasses = 0;
let weights: Float32Array = new Float32Array(0);
let grads: Float32Array = new Float32Array(0);

async function handle(req: ReplicaRequest): Promise<{ reply: ReplicaReply; transfer: ArrayBuffer[] }> {
  if (req.type === 'init') {
    await useFastestBackend();
    // The main registry builds the replica's model, so a new ConvNet needs no entry here.
    const entry = modelEntryOf(req.model, 'dataParallelReplica');
    // The architecture options only: the replica's seed and threads are its own.
    const options = Object.fromEntries(Object.entries(req.options).filter(([k]) => entry.options.includes(k)));
    const model = entry.create({ options, seed: req.seed });
    if (!(model instanceof ConvNetModel)) throw new Error(`no replica for model ${req.model}: not a tfjs ConvNet`);
    net = model.buildReplica(req.inputShape, req.numClasses, req.seed);
    vars = [...net.params.trainable.values()];
    state = [...net.params.state.values()];
    numClasses = req.numClasses;
    weights = new Float32Array(req.weights);
    grads = new Float32Array(req.grads);
    return { reply: { type: 'ready', vars: variableShapes(net.params.trainable), state: variableShapes(net.params.state) }, transfer: [] };
  }
  const network = net;
  if (network === undefined) throw new Error(`${req.type} before init`);
  if (req.type === 'load') {
    tf.tidy(() => {
      assignFrom(vars, weights);
      assignFrom(state, req.state);
    });
    return { reply: { type: 'loaded' }, transfer: [] };
  }
  if (req.type === 'predict') {
    // The same op on the same batch as replica 0's predictProbabilities: the same values.
    const p = tf.tidy(() => inferenceProbabilities(network, tf.tensor(req.x, [...req.shape])));
    // A copy of its own: its buffer is transferred.
    const data = new Float32Array((await p.data()) as Float32Array);
    p.dispose();
    return { reply: { type: 'probabilities', data }, transfer: [data.buffer as ArrayBuffer] };
  }
  const updates: (() => void)[] = [];
  tf.tidy(() => {
    assignFrom(vars, weights);
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

/** Sets `targets` to consecutive runs of `values`, in order. */
function assignFrom(targets: readonly tf.Variable[], values: Float32Array): void {
  let o = 0;
  for (const v of targets) {
    v.assign(tf.tensor(values.subarray(o, o + v.size), v.shape));
    o += v.size;
  }
}

parentPort?.on('message', (req: ReplicaRequest) => {
  handle(req).then(
    ({ reply, transfer }) => parentPort?.postMessage(reply, transfer),
    (error: unknown) =>
      parentPort?.postMessage({ type: 'error', message: error instanceof Error ? error.message : String(error) } satisfies ReplicaReply),
  );
});
