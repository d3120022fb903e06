import * as tf from '@tensorflow/tfjs';
import { deriveSeed, seedInt } from '../../random.js';
import type { InitScheme } from './trainOptions.js';
import {
  AXPBY_KERNEL,
  BATCH_NORM_GRAD_KERNEL,
  BATCH_NORM_INFERENCE_KERNEL,
  BATCH_NORM_KERNEL,
  BIAS_RELU_GRAD_KERNEL,
  BIAS_RELU_KERNEL,
  type BatchNormAttrs,
  CONV_BATCH_NORM_INFERENCE_KERNEL,
  type ConvBatchNormAttrs,
  ONE_HOT_CONV_GRAD_KERNEL,
  ONE_HOT_CONV_KERNEL,
  SHORTCUT_GRAD_KERNEL,
  SHORTCUT_KERNEL,
  SPATIAL_MEAN_GRAD_KERNEL,
  INFERENCE_PLAN_KERNEL,
  type InferencePlanAttrs,
  type InferenceStep,
  type ShortcutAttrs,
  hasFusedKernels,
  inferencePlanUnsupported,
  inferencePlans,
} from '../../kernels/tfjs/index.js';
import { kernelBuild } from '../../kernels/tfjs/wasm.js';

/**
 * The parameters of a network: trainable variables and non-trainable state (batch-norm running
 * statistics), each by a stable name used by save/load, and the names of the kernels the `init`
 * option draws (in the network's order: the first is the layer that reads the input).
 */
export interface Params {
  readonly trainable: Map<string, tf.Variable>;
  readonly state: Map<string, tf.Variable>;
  readonly kernels: string[];
}

/** What a network module provides to {@link ConvNetModel}. */
export interface Network {
  readonly params: Params;
  /** Logits [batch, classes]; `updates` collects state updates (batch norm) of a training step. */
  forward(x: tf.Tensor, training: boolean, updates: (() => void)[], step: number): tf.Tensor2D;
}

/** An empty parameter set. */
export function newParams(): Params {
  return { trainable: new Map(), state: new Map(), kernels: [] };
}

/** Disposes every variable of `params`. */
export function disposeParams(params: Params): void {
  for (const v of params.trainable.values()) v.dispose();
  for (const v of params.state.values()) v.dispose();
}

/** The number of trainable values. */
export function countParams(params: Params): number {
  let n = 0;
  for (const v of params.trainable.values()) n += v.size;
  return n;
}

/** How {@link Init} draws the kernels: the `init` and `initScale` training options. */
export interface InitRecipe {
  readonly init: InitScheme;
  readonly initScale: number;
  /** The std of every draw under 'zhang' (the char-CNN's size decides it). */
  readonly zhangStd?: number;
}

/**
 * Seeded initialisers. tfjs's own `randomNormal(seed)` is deterministic for a given seed, so each
 * variable gets a seed derived (`deriveSeed(seed, 'init', k)`) from the model seed and its position.
 * `kernel`/`kernelBias` follow the recipe's `init` (see {@link TrainOptions.init}); `dense` and
 * `denseBias` are the layers after them, PyTorch's default unless the recipe is 'zhang'. A bias
 * drawn as 0 takes no seed, so the 'he' networks draw the same bits as before the option existed.
 */
export class Init {
  private next = 0;
  constructor(
    readonly params: Params,
    private readonly seed: number,
    private readonly recipe: InitRecipe = { init: 'he', initScale: 1 },
  ) {}

  private seedFor(): number {
    this.next += 1;
    return seedInt(deriveSeed(this.seed, 'init', this.next));
  }

  private add(name: string, draw: () => tf.Tensor, scale = 1): tf.Variable {
    const v = tf.tidy(() => tf.variable(scale === 1 ? draw() : tf.mul(draw(), scale), true));
    this.params.trainable.set(name, v);
    return v;
  }

  private zhangStd(): number {
    const std = this.recipe.zhangStd;
    if (std === undefined) throw new Error("Init: the 'zhang' recipe needs its std");
    return std;
  }

  /** A kernel drawn by the recipe (times `initScale`); `fanIn` = kernel height x width x input channels. */
  kernel(name: string, shape: number[], fanIn: number): tf.Variable {
    const { init, initScale } = this.recipe;
    const seed = this.seedFor();
    this.params.kernels.push(name);
    const normal = (std: number) => () => tf.randomNormal(shape, 0, std, 'float32', seed);
    const uniform = (bound: number) => () => tf.randomUniform(shape, -bound, bound, 'float32', seed);
    switch (init) {
      case 'he':
        return this.add(name, normal(Math.sqrt(2 / fanIn)), initScale);
      case 'he-uniform':
        return this.add(name, uniform(Math.sqrt(6 / fanIn)), initScale);
      case 'torch':
        return this.add(name, uniform(1 / Math.sqrt(fanIn)), initScale);
      case 'torch-normal':
        return this.add(name, normal(1 / Math.sqrt(3 * fanIn)), initScale);
      case 'zhang':
        return this.add(name, normal(this.zhangStd()), initScale);
    }
  }

  /** The bias of a {@link kernel}: 0 under the He draws, PyTorch's uniform under the torch ones, Zhang's normal. */
  kernelBias(name: string, shape: number[], fanIn: number): tf.Variable {
    const { init } = this.recipe;
    if (init === 'he' || init === 'he-uniform') return this.fill(name, shape, 0);
    return init === 'zhang' ? this.normal(name, shape, this.zhangStd()) : this.uniform(name, shape, fanIn);
  }

  /** A fully connected layer after the kernels: PyTorch's default (Zhang's normal under 'zhang'). */
  dense(name: string, shape: number[], fanIn: number): tf.Variable {
    return this.recipe.init === 'zhang' ? this.normal(name, shape, this.zhangStd()) : this.uniform(name, shape, fanIn);
  }

  /** The bias of a {@link dense} layer, drawn as its weights. */
  denseBias(name: string, shape: number[], fanIn: number): tf.Variable {
    return this.dense(name, shape, fanIn);
  }

  /** Uniform in [-1/sqrt(fanIn), 1/sqrt(fanIn)], PyTorch's default for linear and conv layers. */
  private uniform(name: string, shape: number[], fanIn: number): tf.Variable {
    const b = 1 / Math.sqrt(fanIn);
    const seed = this.seedFor();
    return this.add(name, () => tf.randomUniform(shape, -b, b, 'float32', seed));
  }

  /** Normal with mean 0 and the given std (Zhang et al.'s char-CNN initialisation). */
  private normal(name: string, shape: number[], std: number): tf.Variable {
    const seed = this.seedFor();
    return this.add(name, () => tf.randomNormal(shape, 0, std, 'float32', seed));
  }

  /** A constant variable, trainable or state. */
  fill(name: string, shape: number[], value: number, trainable = true): tf.Variable {
    const v = tf.tidy(() => tf.variable(tf.fill(shape, value), trainable));
    (trainable ? this.params.trainable : this.params.state).set(name, v);
    return v;
  }
}

/** Names of a batch-norm layer's variables. */
export interface BatchNormVars {
  readonly gamma: tf.Variable;
  readonly beta: tf.Variable;
  readonly mean: tf.Variable;
  readonly variance: tf.Variable;
}

/** A batch-norm layer over the last axis: gamma 1, beta 0, running mean 0 and variance 1. */
export function batchNormVars(init: Init, name: string, channels: number): BatchNormVars {
  return {
    gamma: init.fill(`${name}/gamma`, [channels], 1),
    beta: init.fill(`${name}/beta`, [channels], 0),
    mean: init.fill(`${name}/moving_mean`, [channels], 0, false),
    variance: init.fill(`${name}/moving_variance`, [channels], 1, false),
  };
}

const BN_EPSILON = 1e-5;
const BN_MOMENTUM = 0.1;

/** What {@link batchNorm} adds after normalising, and how. */
export interface BatchNormOptions {
  /** Added after scale and shift, before the ReLU (a residual block's shortcut); same shape as x. */
  readonly residual?: tf.Tensor | undefined;
  /** Apply a ReLU last (default false). */
  readonly relu?: boolean;
  /**
   * Use the fused kernels when the backend has them (default true). False forces the composed tfjs
   * ops, the reference the fused kernels are tested against.
   */
  readonly fused?: boolean;
}

/**
 * Batch normalisation over all axes but the last, with PyTorch's conventions (epsilon 1e-5,
 * running statistics updated with momentum 0.1 and the unbiased batch variance), optionally
 * followed by a residual add and a ReLU: `relu(bn(x) + residual)`. In training it normalises with
 * the batch statistics and queues the running-statistics update in `updates`; otherwise it uses
 * the running statistics.
 *
 * On the wasm backend training runs as one fused kernel forward and one backward (conv.c,
 * registered by {@link registerWasmTrainingKernels}): composed from tfjs ops the same layer is ~20
 * kernels, each a pass over the activation. Elsewhere (cpu, tfjs-node) it is composed, with the
 * gradient written out instead of letting tfjs differentiate through `moments`.
 */
export function batchNorm(
  x: tf.Tensor,
  bn: BatchNormVars,
  training: boolean,
  updates?: (() => void)[],
  options: BatchNormOptions = {},
): tf.Tensor {
  const { residual, relu = false, fused = true } = options;
  if (residual !== undefined && residual.shape.join() !== x.shape.join()) {
    throw new Error(`batchNorm: residual of shape [${residual.shape.join(', ')}] for x of shape [${x.shape.join(', ')}]`);
  }
  if (training && fused && hasFusedKernels()) return fusedBatchNorm(x, bn, relu, residual, updates);
  if (!training && fused && hasFusedKernels() && x.dtype === 'float32') {
    // Inference: one pass instead of the composed ops' five (predict of ResNet-20 on wasm).
    const attrs: BatchNormAttrs = { relu, epsilon: BN_EPSILON };
    return tf
      .engine()
      .runKernel(BATCH_NORM_INFERENCE_KERNEL, inferenceInputs({ x }, bn, residual), attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
  }
  let out = composedBatchNorm(x, bn, training, updates);
  if (residual !== undefined) out = tf.add(out, residual);
  return relu ? tf.relu(out) : out;
}

/**
 * `batchNorm(conv2d(x, filter, stride, pad), bn, training, updates, options)`. In inference on the
 * wasm backend a stride-1 convolution and its batch norm run as one kernel (the batch norm inside
 * the Winograd output transform, the same bits as the two kernels): `predict` of a ResNet spends
 * no pass over each layer's output on batch norm.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { Init, batchNormVars, convBatchNorm, newParams } from './layers.js';
 * const bn = batchNormVars(new Init(newParams(), 1), 'bn', 8); // gamma 1, beta 0, running mean 0, variance 1
 * const x = tf.ones([2, 6, 6, 4]) as tf.Tensor4D;
 * const y = convBatchNorm(x, tf.ones([3, 3, 4, 8]) as tf.Tensor4D, 1, 'same', bn, false, undefined, { relu: true });
 * y.shape; //=> [2, 6, 6, 8]
 * ```
 */
export function convBatchNorm(
  x: tf.Tensor4D,
  filter: tf.Tensor4D,
  stride: number,
  pad: 'same' | 'valid' | number,
  bn: BatchNormVars,
  training: boolean,
  updates?: (() => void)[],
  options: BatchNormOptions = {},
): tf.Tensor4D {
  const { residual, relu = false, fused = true } = options;
  if (!training && stride === 1 && fused && hasFusedKernels() && x.dtype === 'float32') {
    const attrs: ConvBatchNormAttrs = { pad, relu, epsilon: BN_EPSILON };
    const inputs = inferenceInputs({ x, filter }, bn, residual);
    return tf.engine().runKernel(CONV_BATCH_NORM_INFERENCE_KERNEL, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor4D;
  }
  return batchNorm(tf.conv2d(x, filter, stride, pad), bn, training, updates, options) as tf.Tensor4D;
}

/** The inputs of an inference batch-norm kernel: `first`, the layer's four variables and the residual where there is one. */
function inferenceInputs(first: tf.NamedTensorMap, bn: BatchNormVars, residual: tf.Tensor | undefined): tf.NamedTensorMap {
  const inputs: tf.NamedTensorMap = { ...first, gamma: bn.gamma, beta: bn.beta, mean: bn.mean, variance: bn.variance };
  if (residual !== undefined) inputs['residual'] = residual;
  return inputs;
}

/** Queues the running-statistics update from the batch mean and biased variance (kept tensors, disposed by the update). */
function queueRunningStats(bn: BatchNormVars, mean: tf.Tensor, variance: tf.Tensor, count: number, updates: (() => void)[]): void {
  const unbiased = (BN_MOMENTUM * count) / Math.max(count - 1, 1);
  updates.push(() => {
    tf.tidy(() => {
      // alpha * a + beta * b: one kernel on wasm, the same arithmetic composed elsewhere.
      const axpby = (a: tf.Tensor, b: tf.Tensor, alpha: number, beta: number): tf.Tensor =>
        hasFusedKernels()
          ? (tf.engine().runKernel(AXPBY_KERNEL, { a, b }, { alpha, beta }) as tf.Tensor)
          : tf.add(tf.mul(a, alpha), tf.mul(b, beta));
      bn.mean.assign(axpby(bn.mean, mean, 1 - BN_MOMENTUM, BN_MOMENTUM));
      bn.variance.assign(axpby(bn.variance, variance, 1 - BN_MOMENTUM, unbiased));
    });
    mean.dispose();
    variance.dispose();
  });
}

function fusedBatchNorm(
  x: tf.Tensor,
  bn: BatchNormVars,
  relu: boolean,
  residual: tf.Tensor | undefined,
  updates?: (() => void)[],
): tf.Tensor {
  const attrs: BatchNormAttrs = { relu, epsilon: BN_EPSILON };
  const count = x.size / (x.shape[x.shape.length - 1] as number);
  const engine = tf.engine();
  const normalise = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const save = args[args.length - 1] as tf.GradSaveFunc;
    const [xin, gamma, beta, res] = args.slice(0, -1) as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor | undefined];
    const inputs: tf.NamedTensorMap = res === undefined ? { x: xin, gamma, beta } : { x: xin, gamma, beta, residual: res };
    const [y, mean, variance] = engine.runKernel(BATCH_NORM_KERNEL, inputs, attrs as unknown as tf.NamedAttrMap) as [
      tf.Tensor,
      tf.Tensor,
      tf.Tensor,
    ];
    if (updates !== undefined) queueRunningStats(bn, tf.keep(mean), tf.keep(variance), count, updates);
    // Saved tensors share their buffers (the wasm Identity does not copy).
    save([xin, y, gamma, mean, variance]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sx, sy, sg, sm, sv] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
        const gradAttrs: BatchNormAttrs = { ...attrs, residual: res !== undefined };
        return engine.runKernel(
          BATCH_NORM_GRAD_KERNEL,
          { dy, x: sx, y: sy, gamma: sg, mean: sm, variance: sv },
          gradAttrs as unknown as tf.NamedAttrMap,
        ) as tf.Tensor[];
      },
    };
  });
  return residual === undefined ? normalise(x, bn.gamma, bn.beta) : normalise(x, bn.gamma, bn.beta, residual);
}

/** The composed batch norm (no residual, no ReLU): the reference for the fused kernels. */
function composedBatchNorm(x: tf.Tensor, bn: BatchNormVars, training: boolean, updates?: (() => void)[]): tf.Tensor {
  const axes = x.shape.slice(0, -1).map((_, i) => i);
  if (!training) {
    const scale = tf.mul(bn.gamma, tf.rsqrt(tf.add(bn.variance, BN_EPSILON)));
    return tf.add(tf.mul(tf.sub(x, bn.mean), scale), bn.beta);
  }
  const count = x.size / (x.shape[x.shape.length - 1] as number);
  const { mean, variance } = tf.moments(x, axes);
  if (updates !== undefined) queueRunningStats(bn, tf.keep(mean.clone()), tf.keep(variance.clone()), count, updates);
  const invStd = tf.rsqrt(tf.add(variance, BN_EPSILON));
  const normalise = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xin, gamma, beta, save] = args as [tf.Tensor, tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    const xhat = tf.mul(tf.sub(xin, mean), invStd);
    const value = tf.add(tf.mul(xhat, gamma), beta);
    // Tensors the gradient reads must be saved: tfjs disposes the forward pass's intermediates.
    save([xhat, gamma, invStd]);
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xh, g, inv] = saved as [tf.Tensor, tf.Tensor, tf.Tensor];
        const dbeta = tf.sum(dy, axes);
        const dgamma = tf.sum(tf.mul(dy, xh), axes);
        // dx = gamma * invStd * (dy - mean(dy) - xhat * mean(dy * xhat))
        const dx = tf.mul(tf.sub(tf.sub(dy, tf.div(dbeta, count)), tf.mul(xh, tf.div(dgamma, count))), tf.mul(g, inv));
        return [dx, dgamma, dbeta];
      },
    };
  });
  return normalise(x, bn.gamma, bn.beta);
}

/**
 * He et al.'s option-A shortcut: `x` subsampled by `stride` and zero-padded from its channels to
 * `channels` (half the new channels before, half after). One kernel each way on wasm; elsewhere
 * avgPool(1, stride) + pad, whose gradients (AvgPoolGrad, Slice) cost many times the fused pass
 * (docs/performance.md, the ConvNet training profile).
 * `fused: false` forces the composed ops (the test reference).
 */
export function optionAShortcut(x: tf.Tensor4D, stride: number, channels: number, fused = true): tf.Tensor4D {
  const cin = x.shape[3];
  const lo = Math.floor((channels - cin) / 2);
  if (stride === 1 && channels === cin) return x;
  if (!(fused && hasFusedKernels())) {
    let h = x;
    if (stride !== 1) h = tf.avgPool(h, 1, stride, 'valid');
    if (channels > cin)
      h = tf.pad(h, [
        [0, 0],
        [0, 0],
        [0, 0],
        [lo, channels - cin - lo],
      ]);
    return h;
  }
  const attrs: ShortcutAttrs = { stride, lo, channels };
  const engine = tf.engine();
  const shortcut = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xin, save] = args as [tf.Tensor, tf.GradSaveFunc];
    save([xin]);
    return {
      value: engine.runKernel(SHORTCUT_KERNEL, { x: xin }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        engine.runKernel(SHORTCUT_GRAD_KERNEL, { dy, x: saved[0] as tf.Tensor }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor,
    };
  });
  return shortcut(x) as tf.Tensor4D;
}

/**
 * Global average pooling: the mean of `x` [N, H, W, C] over H and W, [N, C]. On wasm the gradient
 * is one kernel (pool.c's spatialMeanGrad) instead of tfjs's `Mean` gradient, which fills a tensor
 * of ones of x's shape in JavaScript and multiplies by it every step; the same values.
 * `fused: false` forces tf.mean's own gradient (the test reference).
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { globalAveragePool } from './layers.js';
 * const pooled = globalAveragePool(tf.ones([2, 8, 8, 64]) as tf.Tensor4D);
 * pooled.shape; //=> [2, 64]
 * ```
 */
export function globalAveragePool(x: tf.Tensor4D, fused = true): tf.Tensor2D {
  if (!(fused && hasFusedKernels() && x.dtype === 'float32')) return tf.mean(x, [1, 2]) as tf.Tensor2D;
  const [, height, width] = x.shape;
  const engine = tf.engine();
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xin] = args as [tf.Tensor];
    return {
      value: tf.mean(xin, [1, 2]),
      gradFunc: (dy: tf.Tensor) => engine.runKernel(SPATIAL_MEAN_GRAD_KERNEL, { dy }, { height, width }) as tf.Tensor,
    };
  });
  return op(x) as tf.Tensor2D;
}

/**
 * A ConvNet's feature extractor as data: {@link InferenceStep}s (convolution + batch norm +
 * residual + ReLU, option-A shortcut, global average pooling) over named filters and batch-norm
 * layers. {@link runFeatureSteps} runs it as the layer functions above, and in inference, where
 * the native kernels run, as one kernel that takes a few images at a time through every layer.
 */
export interface FeatureSteps {
  readonly steps: readonly InferenceStep[];
  readonly filters: ReadonlyMap<string, tf.Tensor>;
  readonly batchNorms: ReadonlyMap<string, BatchNormVars>;
}

/**
 * The features [N, C] of images `x` [N, H, W, C] through `net`'s steps: each step's layer function
 * ({@link convBatchNorm}, {@link optionAShortcut}, {@link globalAveragePool}) in training; in
 * inference on the native kernels, the whole extractor as one kernel on chunks of images that stay
 * in the caches (the same bits as the layers one by one; ResNet-20 `predict` measured in
 * docs/performance.md).
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { Init, batchNormVars, newParams, runFeatureSteps } from './layers.js';
 * const params = newParams();
 * const init = new Init(params, 1);
 * const net = {
 *   steps: [
 *     { op: 'convBatchNorm', input: 0, filter: 'conv', bn: 'bn', stride: 1, pad: 'same', relu: true },
 *     { op: 'mean', input: 1 },
 *   ] as const,
 *   filters: new Map([['conv', init.kernel('conv', [3, 3, 3, 8], 27)]]),
 *   batchNorms: new Map([['bn', batchNormVars(init, 'bn', 8)]]),
 * };
 * const features = runFeatureSteps(tf.ones([2, 8, 8, 3]) as tf.Tensor4D, net, false);
 * features.shape; //=> [2, 8]
 * ```
 */
export function runFeatureSteps(x: tf.Tensor4D, net: FeatureSteps, training: boolean, updates?: (() => void)[]): tf.Tensor2D {
  if (!training) {
    const planned = planFeatures(x, net);
    if (planned !== undefined) return planned;
  }
  const values: tf.Tensor4D[] = [x];
  const value = (i: number): tf.Tensor4D => {
    const v = values[i];
    if (v === undefined) throw new Error(`runFeatureSteps: value ${String(i)} read before it exists`);
    return v;
  };
  for (const step of net.steps) {
    if (step.op === 'mean') return globalAveragePool(value(step.input));
    if (step.op === 'shortcut') {
      values.push(optionAShortcut(value(step.input), step.stride, step.channels));
      continue;
    }
    const filter = net.filters.get(step.filter);
    const bn = net.batchNorms.get(step.bn);
    if (filter === undefined || bn === undefined) throw new Error(`runFeatureSteps: no filter ${step.filter} or batch norm ${step.bn}`);
    const options: BatchNormOptions =
      step.residual === undefined ? { relu: step.relu } : { relu: step.relu, residual: value(step.residual) };
    values.push(convBatchNorm(value(step.input), filter as tf.Tensor4D, step.stride, step.pad, bn, training, updates, options));
  }
  throw new Error('runFeatureSteps: the last step must be the mean');
}

/**
 * The inputs of the inference plan kernel for `net` on `x`: `x`, every filter by its name, every
 * batch-norm layer's `${name}/gamma`, `/beta`, `/mean` and `/variance`.
 *
 * @internal
 */
export function featureInputs(x: tf.Tensor, net: FeatureSteps): tf.NamedTensorMap {
  const inputs: tf.NamedTensorMap = { x };
  for (const [name, filter] of net.filters) inputs[name] = filter;
  for (const [name, bn] of net.batchNorms)
    Object.assign(inputs, {
      [`${name}/gamma`]: bn.gamma,
      [`${name}/beta`]: bn.beta,
      [`${name}/mean`]: bn.mean,
      [`${name}/variance`]: bn.variance,
    });
  return inputs;
}

/** `net`'s features through the inference plan kernel, or undefined where it does not run. */
function planFeatures(x: tf.Tensor4D, net: FeatureSteps): tf.Tensor2D | undefined {
  // Natively only: there the strided convolutions run the direct kernel in both paths (the wasm
  // kernels leave them to XNNPACK), so a plan gives the layers' bits.
  if (!inferencePlans.enabled || !hasFusedKernels() || x.dtype !== 'float32' || kernelBuild() !== 'native') return undefined;
  const inputs = featureInputs(x, net);
  if (inferencePlanUnsupported(net.steps, x.shape.slice(1), inputs, true) !== undefined) return undefined;
  const attrs: InferencePlanAttrs = { steps: net.steps, epsilon: BN_EPSILON };
  return tf.engine().runKernel(INFERENCE_PLAN_KERNEL, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor2D;
}

/**
 * `relu(x + bias)`, bias along the last axis. On wasm one kernel each way (conv.c's biasRelu and
 * biasReluGrad); composed from tfjs ops the gradient is Step, Multiply and Sum, three passes over
 * the char-CNN's largest activations. `fused: false` forces the composed ops (the test reference).
 */
export function biasRelu(x: tf.Tensor, bias: tf.Tensor, fused = true): tf.Tensor {
  if (!(fused && hasFusedKernels() && x.dtype === 'float32')) return tf.relu(tf.add(x, bias));
  const engine = tf.engine();
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xin, b, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    const y = engine.runKernel(BIAS_RELU_KERNEL, { x: xin, bias: b }) as tf.Tensor;
    save([y]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        engine.runKernel(BIAS_RELU_GRAD_KERNEL, { dy, y: saved[0] as tf.Tensor }) as tf.Tensor[],
    };
  });
  return op(x, bias);
}

/**
 * The 'valid' 1-D convolution of one-hot characters with `filter` [1, KW, A, F]: `codes` [N, L]
 * int32 holds each position's letter (0 to A - 1, negative for none), the output is [N, 1,
 * L - KW + 1, F]. On wasm a gather-sum of filter rows forward and a scatter-add backward (conv.c's
 * oneHotConv): the one-hot input is never built and the multiply-adds by zero are skipped, ~1/3 of
 * the char-CNN's convolution work. Elsewhere (and with `fused: false`) tf.oneHot + conv2d. No
 * gradient flows to the codes.
 */
export function oneHotConv1d(codes: tf.Tensor2D, filter: tf.Tensor4D, fused = true): tf.Tensor4D {
  const [N, L] = codes.shape;
  const alphabet = filter.shape[2];
  if (!(fused && hasFusedKernels())) {
    // tfjs-backend-wasm 4.22's OneHot ignores its dtype and writes int32 bits into a float32
    // tensor (1 reads as 1.4e-45), so the cast is explicit.
    const x = tf.reshape(tf.cast(tf.oneHot(tf.cast(codes, 'int32'), alphabet), 'float32'), [N, 1, L, alphabet]) as tf.Tensor4D;
    return tf.conv2d(x, filter, 1, 'valid');
  }
  const engine = tf.engine();
  const input = codes.dtype === 'int32' ? codes : tf.cast(codes, 'int32');
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [w] = args as [tf.Tensor];
    return {
      value: engine.runKernel(ONE_HOT_CONV_KERNEL, { codes: input, filter: w }) as tf.Tensor,
      gradFunc: (dy: tf.Tensor) =>
        engine.runKernel(
          ONE_HOT_CONV_GRAD_KERNEL,
          { codes: input, dy },
          {
            filterShape: [...filter.shape],
          },
        ) as tf.Tensor,
    };
  });
  return op(filter) as tf.Tensor4D;
}
