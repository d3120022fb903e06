/**
 * Data-parallel training on worker threads. tfjs-wasm's threaded build does not start in Node, so
 * one tfjs instance uses one core; a training step is instead split across replicas: the calling
 * thread is replica 0, each worker thread (its own tfjs and wasm memory) another. Every step, each
 * replica computes the gradient of its share of the batch on the current weights; replica 0 sums
 * them in a fixed order, applies the SGD step, and sends the next shares.
 *
 * Weights and gradients travel through SharedArrayBuffers allocated once per training: replica 0
 * writes the weights into one, each worker reads them from there and writes its gradients into its
 * own, and messages only say that a step is ready (why: the char-CNN's 11.3M parameters are 45 MB,
 * which structured clones copied four times per step). A buffer is only touched by one side at a
 * time: the weights before a step's request, a worker's gradients between request and reply.
 *
 * Between epochs the replicas also share the learning curve's predictions: each takes the weights
 * and replica 0's running statistics, then every other batch (predictShared in trainLoop.ts).
 *
 * As PyTorch's DataParallel without SyncBatchNorm: batch-norm statistics are per replica (over its
 * share of the batch), and the running statistics kept are replica 0's. The result is therefore
 * not the single-thread model, but it is deterministic for a seed and a thread count.
 */
import * as tf from '@tensorflow/tfjs';
import { spawnWorker, type Worker } from '#platform';
import type { Network } from './layers.js';

/** The gradient of the mean cross-entropy of `x` scaled by `scale` (a replica's share of the batch). */
export function shareGradients(
  net: Network,
  vars: tf.Variable[],
  x: tf.Tensor,
  labels: tf.Tensor1D,
  numClasses: number,
  step: number,
  scale: number,
  updates: (() => void)[],
): tf.NamedTensorMap {
  const yb = tf.oneHot(labels, numClasses);
  const { value, grads } = tf.variableGrads(() => {
    const loss = tf.losses.softmaxCrossEntropy(yb, net.forward(x, true, updates, step)) as tf.Scalar;
    return scale === 1 ? loss : tf.mul(loss, scale);
  }, vars);
  value.dispose();
  return grads;
}

/** Class probabilities of `net` on the batch `x`, in inference mode: every thread's prediction op. */
export function inferenceProbabilities(net: Network, x: tf.Tensor): tf.Tensor {
  return tf.softmax(net.forward(x, false, [], 0));
}

/** Names and shapes of `variables`, in order: what replica 0 and a replica compare. */
export function variableShapes(variables: Map<string, tf.Variable>): { name: string; shape: number[] }[] {
  return [...variables].map(([name, v]) => ({ name, shape: v.shape }));
}

/** What the main thread tells a replica. */
export type ReplicaRequest =
  | {
      readonly type: 'init';
      readonly model: string;
      readonly options: Record<string, unknown>;
      readonly inputShape: readonly number[];
      readonly numClasses: number;
      readonly seed: number;
      /** The weights of each step, written by the main thread (the variables' values in order). */
      readonly weights: SharedArrayBuffer;
      /** This replica's gradients of each step, written by the replica (same layout). */
      readonly grads: SharedArrayBuffer;
    }
  | {
      readonly type: 'step';
      readonly x: Float32Array | Int32Array;
      readonly shape: readonly number[];
      readonly labels: Int32Array;
      readonly scale: number;
      readonly step: number;
    }
  | {
      /**
       * Take the weights in the shared buffer and these state values (replica 0's batch-norm
       * running statistics, in the state's order) for the predictions that follow.
       */
      readonly type: 'load';
      readonly state: Float32Array;
    }
  | {
      /** Class probabilities of one batch, in inference mode. */
      readonly type: 'predict';
      readonly x: Float32Array | Int32Array;
      readonly shape: readonly number[];
    };

/** What a replica answers ('grads': its gradients are in its shared buffer). */
export type ReplicaReply =
  | {
      readonly type: 'ready';
      readonly vars: readonly { readonly name: string; readonly shape: readonly number[] }[];
      readonly state: readonly { readonly name: string; readonly shape: readonly number[] }[];
    }
  | { readonly type: 'grads' }
  | { readonly type: 'loaded' }
  | { readonly type: 'probabilities'; readonly data: Float32Array }
  | { readonly type: 'error'; readonly message: string };

/** A replica in a worker thread, one request at a time. */
export class Replica {
  private readonly worker: Worker;
  private pending: { resolve: (r: ReplicaReply) => void; reject: (e: Error) => void } | undefined;
  private failure: Error | undefined;
  /** The gradients this replica writes (see ReplicaRequest 'init'). */
  readonly grads: Float32Array;

  /** A replica of a network of `parameters` trainable values. */
  constructor(parameters: number) {
    this.grads = new Float32Array(new SharedArrayBuffer(parameters * 4));
    this.worker = spawnWorker(import.meta.url, 'dataParallelReplica');
    this.worker.on('message', (reply: ReplicaReply) => {
      const p = this.pending;
      this.pending = undefined;
      if (reply.type === 'error') p?.reject(new Error(`training worker: ${reply.message}`));
      else p?.resolve(reply);
    });
    const fail = (error: Error): void => {
      this.failure = error;
      const p = this.pending;
      this.pending = undefined;
      p?.reject(error);
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => fail(new Error(`training worker exited with code ${String(code)}`)));
  }

  /** Sends `request` (transferring `transfer`) and resolves with the answer. */
  request(request: ReplicaRequest, transfer: ArrayBuffer[] = []): Promise<ReplicaReply> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    if (this.pending !== undefined) return Promise.reject(new Error('training worker: a request is already pending'));
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.worker.postMessage(request, transfer);
    });
  }

  async close(): Promise<void> {
    this.worker.removeAllListeners('exit');
    await this.worker.terminate();
  }
}
