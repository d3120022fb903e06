/**
 * The training loop of the tfjs models: seeded batch order, SGD with momentum and weight decay, the
 * learning-rate schedule, progress with samples/s and ETA, AbortSignal, and data-parallel replicas
 * on worker threads (dataParallel.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { createRandom, deriveSeed, shuffler } from '../../random.js';
import { throwIfAborted } from '../features.js';
import type { EpochWeights, FitOptions } from '../model.js';
import type { Batches } from './batches.js';
import { Replica, inferenceProbabilities, shareGradients, variableShapes } from './dataParallel.js';
import { SGD_MOMENTUM_KERNEL, type SgdAttrs, copyValuesInto, hasFusedKernels } from '../../kernels/tfjs/index.js';
import { withKernelThreads } from '../../kernels/tfjs/wasm.js';
import type { Network } from './layers.js';
import { type ResolvedTrainOptions, scheduleAt } from './trainOptions.js';

/** Which model a data-parallel replica builds: its registry name and constructor options. */
export interface ReplicaSpec {
  readonly model: string;
  readonly options: Record<string, unknown>;
}

/** Starts `count` replicas of `net` in worker threads and checks they hold the same variables. */
async function startReplicas(
  count: number,
  spec: ReplicaSpec,
  net: Network,
  inputShape: readonly number[],
  numClasses: number,
  seed: number,
  weights: Float32Array,
): Promise<Replica[]> {
  const replicas: Replica[] = [];
  try {
    for (let r = 0; r < count; r++) replicas.push(new Replica(weights.length));
    const expected = JSON.stringify({ vars: variableShapes(net.params.trainable), state: variableShapes(net.params.state) });
    const replies = await Promise.all(
      replicas.map((rep) =>
        rep.request({
          type: 'init',
          model: spec.model,
          options: spec.options,
          inputShape,
          numClasses,
          seed,
          weights: weights.buffer as SharedArrayBuffer,
          grads: rep.grads.buffer as SharedArrayBuffer,
        }),
      ),
    );
    for (const reply of replies) {
      if (reply.type !== 'ready' || JSON.stringify({ vars: reply.vars, state: reply.state }) !== expected)
        throw new Error(`training worker: the replica of ${spec.model} has other variables than the model`);
    }
    return replicas;
  } catch (error) {
    await Promise.all(replicas.map((r) => r.close()));
    throw error;
  }
}

/** Class probabilities [samples x classes] of the network being trained on `xs`, in batches of `batch`. */
export type Probabilities = (xs: Batches, batch: number) => Promise<Float32Array>;

/**
 * Class probabilities of `net` on `xs` as {@link predictProbabilities} gives them, with every
 * (replicas + 1)-th batch on this thread and the others on the replicas. The replicas first take
 * `net`'s weights and running statistics; each batch holds the same samples as in the one-thread
 * loop, so the values are the same.
 */
async function predictShared(
  net: Network,
  replicas: readonly Replica[],
  weights: Float32Array,
  xs: Batches,
  numClasses: number,
  batch: number,
): Promise<Float32Array> {
  copyValuesInto([...net.params.trainable.values()], weights);
  const stateVars = [...net.params.state.values()];
  const state = new Float32Array(stateVars.reduce((n, v) => n + v.size, 0));
  copyValuesInto(stateVars, state);
  for (const reply of await Promise.all(replicas.map((rep) => rep.request({ type: 'load', state }))))
    if (reply.type !== 'loaded') throw new Error('training worker: unexpected reply');
  const n = xs.count;
  const out = new Float32Array(n * numClasses);
  const group = replicas.length + 1;
  for (let first = 0; first < n; first += group * batch) {
    // Workers start on their batches before this thread computes its own.
    const remote = replicas.map(async (rep, r) => {
      const s = first + (r + 1) * batch;
      if (s >= n) return;
      const xr = tf.tidy(() => xs.slice(s, Math.min(batch, n - s)));
      const x = (xr.dataSync() as Float32Array | Int32Array).slice();
      const shape = xr.shape;
      xr.dispose();
      const reply = await rep.request({ type: 'predict', x, shape }, [x.buffer as ArrayBuffer]);
      if (reply.type !== 'probabilities') throw new Error('training worker: unexpected reply');
      out.set(reply.data, s * numClasses);
    });
    const own = tf.tidy(() => inferenceProbabilities(net, xs.slice(first, Math.min(batch, n - first))));
    try {
      out.set(await own.data(), first * numClasses);
    } finally {
      own.dispose();
      await Promise.allSettled(remote);
    }
    await Promise.all(remote);
  }
  return out;
}

/**
 * Trains `net` in place on the samples of `xs` with `labels` for `train.epochs` epochs. Above one
 * thread (wasm backend) each step's batch is split across replicas built from `spec`. `afterEpoch`
 * runs after each epoch (1 to epochs) and is awaited; its time is left out of the progress rates.
 * It is given the network's class probabilities, computed on every replica. `batchOrder`, for
 * crossed runs against another toolkit (scripts/cross-start.ts), replaces the seeded shuffle: epoch
 * e (from 0) takes its batches in the order `batchOrder(e)`, a permutation of the samples.
 */
export async function trainNetwork(
  net: Network,
  xs: Batches,
  labels: Int32Array,
  numClasses: number,
  train: ResolvedTrainOptions,
  spec: ReplicaSpec,
  options: Pick<FitOptions, 'onProgress' | 'signal'>,
  afterEpoch?: (epoch: number, probabilities: Probabilities, weights: EpochWeights) => Promise<void>,
  batchOrder?: (epoch: number) => Int32Array,
): Promise<void> {
  const { epochs, batchSize, weightDecay, seed, threads } = train;
  const n = xs.count;
  const stepsPerEpoch = Math.ceil(n / batchSize);
  const totalSteps = epochs * stepsPerEpoch;
  const vars = [...net.params.trainable.values()];
  const velocity = vars.map((v) => tf.tidy(() => tf.variable(tf.zerosLike(v), false)));
  const order = Int32Array.from({ length: n }, (_, i) => i);
  const shuffle = shuffler(createRandom(deriveSeed(seed, 'batches')));
  // ConvNetModel.fit refuses threads > 1 off wasm or without worker threads (data-parallel) or
  // without the native kernels (intra-op), naming the option.
  const parallel = threads > 1 && train.threading === 'data-parallel';
  const kernelThreads = threads > 1 && train.threading === 'intra-op' ? threads : 1;
  // The weights the replicas read each step (see dataParallel.ts).
  // Browsers without cross-origin isolation have no SharedArrayBuffer; only parallel training needs one.
  const weights = parallel ? new Float32Array(new SharedArrayBuffer(vars.reduce((s, v) => s + v.size, 0) * 4)) : new Float32Array(0);
  const replicas = parallel ? await startReplicas(threads - 1, spec, net, xs.sampleShape, numClasses, seed, weights) : [];
  let start = performance.now();
  let step = 0;
  try {
    for (let epoch = 0; epoch < epochs; epoch++) {
      if (batchOrder === undefined) shuffle(order);
      else order.set(checkOrder(batchOrder(epoch), n, epoch));
      for (let b = 0; b < stepsPerEpoch; b++, step++) {
        throwIfAborted(options.signal);
        const idx = order.subarray(b * batchSize, Math.min(n, (b + 1) * batchSize));
        const { learningRate: lr, momentum } = scheduleAt(train, step, totalSteps);
        const updates: (() => void)[] = [];
        // Shares of the batch: replica 0 (this thread) first, then one per worker.
        const shareSize = Math.ceil(idx.length / (replicas.length + 1));
        const shares = Array.from({ length: replicas.length + 1 }, (_, r) =>
          idx.subarray(Math.min(idx.length, r * shareSize), Math.min(idx.length, (r + 1) * shareSize)),
        );
        const labelsOf = (share: Int32Array): Int32Array => Int32Array.from(share, (i) => labels[i] as number);
        if (replicas.length > 0) copyValuesInto(vars, weights);
        // Workers start on their shares before this thread computes its own.
        const remote = replicas.map(async (rep, r) => {
          const share = shares[r + 1] as Int32Array;
          if (share.length === 0) return undefined;
          const xr = tf.tidy(() => xs.gather(share));
          const x = (xr.dataSync() as Float32Array | Int32Array).slice();
          const shape = xr.shape;
          xr.dispose();
          // Each replica's dropout seeds come from its own range of step numbers.
          const reply = await rep.request(
            { type: 'step', x, shape, labels: labelsOf(share), scale: share.length / idx.length, step: (r + 1) * totalSteps + step },
            [x.buffer as ArrayBuffer],
          );
          if (reply.type !== 'grads') throw new Error('training worker: unexpected reply');
          return rep.grads;
        });
        const own = shares[0] as Int32Array;
        const local = withKernelThreads(kernelThreads, () =>
          tf.tidy(() =>
            shareGradients(
              net,
              vars,
              xs.gather(own),
              tf.tensor1d(labelsOf(own), 'int32'),
              numClasses,
              step,
              own.length / idx.length,
              updates,
            ),
          ),
        );
        let others: (Float32Array | undefined)[];
        try {
          others = await Promise.all(remote);
        } catch (error) {
          tf.dispose(local);
          for (const u of updates) u();
          throw error;
        }
        tf.tidy(() => {
          const fused = hasFusedKernels();
          let o = 0;
          vars.forEach((v, i) => {
            let g = local[v.name];
            // Summed in replica order: the same weights for the same seed, run after run.
            for (const grads of others)
              if (grads !== undefined) g = tf.add(g ?? tf.zerosLike(v), tf.tensor(grads.subarray(o, o + v.size), v.shape));
            o += v.size;
            if (g === undefined) return;
            const m = velocity[i] as tf.Variable;
            if (fused) {
              // One kernel per variable on wasm instead of six; the same arithmetic.
              const attrs: SgdAttrs = { learningRate: lr, momentum, weightDecay };
              const [nv, nm] = tf.engine().runKernel(SGD_MOMENTUM_KERNEL, { v, m, g }, attrs as unknown as tf.NamedAttrMap) as [
                tf.Tensor,
                tf.Tensor,
              ];
              m.assign(nm);
              v.assign(nv);
              return;
            }
            m.assign(tf.add(tf.mul(m, momentum), weightDecay > 0 ? tf.add(g, tf.mul(v, weightDecay)) : g));
            v.assign(tf.sub(v, tf.mul(m, lr)));
          });
        });
        tf.dispose(local);
        for (const u of updates) u();
        // Yield so that an abort event or a timer can run between steps.
        await tf.nextFrame();
        const seconds = (performance.now() - start) / 1000;
        const done = step + 1;
        options.onProgress?.({
          fraction: done / totalSteps,
          samplesPerSecond: (done * batchSize) / seconds,
          etaSeconds: (seconds / done) * (totalSteps - done),
          message: `epoch ${String(epoch + 1)}/${String(epochs)}, step ${String(b + 1)}/${String(stepsPerEpoch)}, lr ${String(Number(lr.toPrecision(6)))}`,
        });
      }
      if (afterEpoch !== undefined) {
        const paused = performance.now();
        await afterEpoch(
          epoch + 1,
          (x, batch) =>
            replicas.length > 0
              ? predictShared(net, replicas, weights, x, numClasses, batch)
              : predictProbabilities(net, x, numClasses, batch, kernelThreads),
          {
            kernelNorms: kernelNorms(net),
            kernelFilters: kernelFilters(net),
            learningRate: scheduleAt(train, step - 1, totalSteps).learningRate,
          },
        );
        start += performance.now() - paused;
      }
    }
  } finally {
    for (const m of velocity) m.dispose();
    await Promise.all(replicas.map((r) => r.close()));
  }
}

/** `order` when it is a permutation of 0 … n - 1; a crossed run from another order must not drop or repeat a sample. */
function checkOrder(order: Int32Array, n: number, epoch: number): Int32Array {
  const seen = new Uint8Array(n);
  const bad = (): Error => new Error(`trainNetwork: batchOrder(${String(epoch)}) is not a permutation of the ${String(n)} samples`);
  if (order.length !== n) throw bad();
  for (const i of order) {
    if (!(i >= 0 && i < n) || seen[i] === 1) throw bad();
    seen[i] = 1;
  }
  return order;
}

/** The L2 norm of each of `net`'s kernels (the weights `init` draws), in the network's order. */
function kernelNorms(net: Network): number[] {
  return net.params.kernels.map((name) => {
    const v = net.params.trainable.get(name);
    if (v === undefined) throw new Error(`kernelNorms: no variable ${name}`);
    const values = v.dataSync();
    let sum = 0;
    for (let i = 0; i < values.length; i++) sum += (values[i] as number) ** 2;
    return Math.sqrt(sum);
  });
}

/** The output channels (last axis) of each of `net`'s kernels. */
function kernelFilters(net: Network): number[] {
  return net.params.kernels.map((name) => net.params.trainable.get(name)?.shape.at(-1) ?? 1);
}

/** Class probabilities [samples x classes] of `net` (inference mode) on `xs`, in batches of `batch`. */
export async function predictProbabilities(
  net: Network,
  xs: Batches,
  numClasses: number,
  batch: number,
  kernelThreads = 1,
): Promise<Float32Array> {
  const n = xs.count;
  const out = new Float32Array(n * numClasses);
  for (let s = 0; s < n; s += batch) {
    const count = Math.min(batch, n - s);
    const p = withKernelThreads(kernelThreads, () => tf.tidy(() => inferenceProbabilities(net, xs.slice(s, count))));
    out.set(await p.data(), s * numClasses);
    p.dispose();
  }
  return out;
}

/** The most probable class of each row of `p` [rows x cols] (the first on ties). */
export function argmaxRows(p: Float32Array, cols: number): Int32Array {
  const rows = p.length / cols;
  const out = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    let best = 0;
    for (let c = 1; c < cols; c++) if ((p[r * cols + c] as number) > (p[r * cols + best] as number)) best = c;
    out[r] = best;
  }
  return out;
}
