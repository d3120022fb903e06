/** Fused training batch norm (+ residual add, + ReLU), forward and backward. */
import * as tf from '@tensorflow/tfjs';
import { type KernelArgs, type WasmBackend, type WasmKernel, instance, offset, withScratch } from './wasm.js';

/** Fused training batch norm: `{ x, gamma, beta, residual? }` -> `[y, mean, variance]` (wasm only). */
export const BATCH_NORM_KERNEL = 'BlindspotsBatchNorm';
/**
 * Batch norm with given statistics (inference mode): `{ x, gamma, beta, mean, variance, residual? }`
 * -> y (wasm only).
 */
export const BATCH_NORM_INFERENCE_KERNEL = 'BlindspotsBatchNormInference';
/** Its gradient: `{ dy, x, y, gamma, mean, variance }` -> `[dx, dgamma, dbeta, dresidual?]` (wasm only). */
export const BATCH_NORM_GRAD_KERNEL = 'BlindspotsBatchNormGrad';

/** Attributes of {@link BATCH_NORM_KERNEL} and {@link BATCH_NORM_GRAD_KERNEL}. */
export interface BatchNormAttrs {
  readonly relu: boolean;
  readonly epsilon: number;
  /** Grad only: whether the forward added a residual (then the grad also returns its gradient). */
  readonly residual?: boolean;
}

/**
 * Fused training batch norm (+ residual add, + ReLU) over all axes but the last: outputs
 * `[y, mean, variance]` (biased batch variance). See src/kernels/batchnorm.c's batchNormForward.
 */
function batchNormKernel(args: KernelArgs): tf.TensorInfo[] {
  const backend = args.backend as WasmBackend;
  const { x, gamma, beta, residual } = args.inputs as {
    x: tf.TensorInfo;
    gamma: tf.TensorInfo;
    beta: tf.TensorInfo;
    residual?: tf.TensorInfo;
  };
  const attrs = args.attrs as unknown as BatchNormAttrs;
  const C = x.shape[x.shape.length - 1] as number;
  const M = tf.util.sizeFromShape(x.shape) / C;
  const y = backend.makeOutput([...x.shape], 'float32');
  const mean = backend.makeOutput([C], 'float32');
  const variance = backend.makeOutput([C], 'float32');
  withScratch(backend, C, (acc, blk) => {
    instance(backend).batchNormForward({
      x: offset(backend, x),
      gamma: offset(backend, gamma),
      beta: offset(backend, beta),
      res: residual === undefined ? 0 : offset(backend, residual),
      y: offset(backend, y),
      mean: offset(backend, mean),
      var: offset(backend, variance),
      acc,
      blk,
      M,
      C,
      relu: attrs.relu ? 1 : 0,
      eps: attrs.epsilon,
    });
  });
  return [y, mean, variance];
}

/** The gradient of {@link batchNormKernel}: `[dx, dgamma, dbeta]`, plus `dresidual` when `attrs.residual`. */
function batchNormGradKernel(args: KernelArgs): tf.TensorInfo[] {
  const backend = args.backend as WasmBackend;
  const { dy, x, y, gamma, mean, variance } = args.inputs as Record<'dy' | 'x' | 'y' | 'gamma' | 'mean' | 'variance', tf.TensorInfo>;
  const attrs = args.attrs as unknown as BatchNormAttrs;
  const C = x.shape[x.shape.length - 1] as number;
  const M = tf.util.sizeFromShape(x.shape) / C;
  const dx = backend.makeOutput([...x.shape], 'float32');
  const dgamma = backend.makeOutput([C], 'float32');
  const dbeta = backend.makeOutput([C], 'float32');
  const dz = attrs.residual === true ? backend.makeOutput([...x.shape], 'float32') : undefined;
  withScratch(backend, C, (acc, blk) => {
    instance(backend).batchNormBackward({
      dy: offset(backend, dy),
      x: offset(backend, x),
      y: offset(backend, y),
      gamma: offset(backend, gamma),
      mean: offset(backend, mean),
      var: offset(backend, variance),
      dx: offset(backend, dx),
      dgamma: offset(backend, dgamma),
      dbeta: offset(backend, dbeta),
      dz: dz === undefined ? 0 : offset(backend, dz),
      acc,
      blk,
      M,
      C,
      relu: attrs.relu ? 1 : 0,
      eps: attrs.epsilon,
    });
  });
  return dz === undefined ? [dx, dgamma, dbeta] : [dx, dgamma, dbeta, dz];
}

/** `relu?((x - mean) / sqrt(variance + eps) * gamma + beta + residual?)` in one pass: see src/kernels/batchnorm.c's batchNormApply. */
function batchNormInferenceKernel(args: KernelArgs): tf.TensorInfo {
  const backend = args.backend as WasmBackend;
  const { x, gamma, beta, mean, variance, residual } = args.inputs as Record<
    'x' | 'gamma' | 'beta' | 'mean' | 'variance',
    tf.TensorInfo
  > & {
    residual?: tf.TensorInfo;
  };
  const attrs = args.attrs as unknown as BatchNormAttrs;
  const C = x.shape[x.shape.length - 1] as number;
  const y = backend.makeOutput([...x.shape], 'float32');
  withScratch(backend, C, (_acc, blk) => {
    instance(backend).batchNormApply({
      x: offset(backend, x),
      gamma: offset(backend, gamma),
      beta: offset(backend, beta),
      mean: offset(backend, mean),
      var: offset(backend, variance),
      res: residual === undefined ? 0 : offset(backend, residual),
      y: offset(backend, y),
      blk,
      M: tf.util.sizeFromShape(x.shape) / C,
      C,
      relu: attrs.relu ? 1 : 0,
      eps: attrs.epsilon,
    });
  });
  return y;
}

/** The batch-norm kernels. */
export const batchNormKernels = [
  { kernelName: BATCH_NORM_KERNEL, make: () => batchNormKernel },
  { kernelName: BATCH_NORM_GRAD_KERNEL, make: () => batchNormGradKernel },
  { kernelName: BATCH_NORM_INFERENCE_KERNEL, make: () => batchNormInferenceKernel },
] as const satisfies readonly WasmKernel[];
