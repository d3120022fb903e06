/** The optimizer's kernels: one momentum-SGD step per variable, and `alpha * a + beta * b`. */
import * as tf from '@tensorflow/tfjs';
import { type KernelArgs, type WasmBackend, type WasmKernel, instance, offset } from './wasm.js';

/** One momentum-SGD step for one variable: `{ v, m, g }` -> `[v', m']` (wasm only). */
export const SGD_MOMENTUM_KERNEL = 'BlindspotsSgdMomentum';
/** `alpha * a + beta * b`: `{ a, b }` -> out (wasm only). */
export const AXPBY_KERNEL = 'BlindspotsAxpby';

/** Attributes of {@link SGD_MOMENTUM_KERNEL}. */
export interface SgdAttrs {
  readonly learningRate: number;
  readonly momentum: number;
  readonly weightDecay: number;
}

/**
 * One momentum-SGD step for one variable, `[v', m']` from `{ v, m, g }`: one pass instead of six
 * tfjs kernels (and their allocations) per variable and step. Bit-identical to the composed ops
 * (same operation order, no fused multiply-add in wasm).
 */
function sgdKernel(args: KernelArgs): tf.TensorInfo[] {
  const backend = args.backend as WasmBackend;
  const { v, m, g } = args.inputs as Record<'v' | 'm' | 'g', tf.TensorInfo>;
  const attrs = args.attrs as unknown as SgdAttrs;
  const vOut = backend.makeOutput([...v.shape], 'float32');
  const mOut = backend.makeOutput([...v.shape], 'float32');
  instance(backend).sgdMomentum({
    v: offset(backend, v),
    m: offset(backend, m),
    g: offset(backend, g),
    vOut: offset(backend, vOut),
    mOut: offset(backend, mOut),
    n: tf.util.sizeFromShape(v.shape),
    lr: attrs.learningRate,
    mu: attrs.momentum,
    wd: attrs.weightDecay,
  });
  return [vOut, mOut];
}

/** `alpha * a + beta * b` for two tensors of one shape (batch norm's running statistics). */
function axpbyKernel(args: KernelArgs): tf.TensorInfo {
  const { a, b } = args.inputs as Record<'a' | 'b', tf.TensorInfo>;
  const { alpha, beta } = args.attrs as unknown as { alpha: number; beta: number };
  return axpby(args.backend as WasmBackend, a, b, alpha, beta);
}

/** A new float32 tensor `alpha * a + beta * b` of two same-shape tensors, by the C kernel. */
export function axpby(backend: WasmBackend, a: tf.TensorInfo, b: tf.TensorInfo, alpha: number, beta: number): tf.TensorInfo {
  const out = backend.makeOutput([...a.shape], 'float32');
  instance(backend).axpby({
    a: offset(backend, a),
    b: offset(backend, b),
    out: offset(backend, out),
    n: tf.util.sizeFromShape(a.shape),
    alpha,
    beta,
  });
  return out;
}

/** The optimizer's kernels. */
export const sgdKernels = [
  { kernelName: SGD_MOMENTUM_KERNEL, make: () => sgdKernel },
  { kernelName: AXPBY_KERNEL, make: () => axpbyKernel },
] as const satisfies readonly WasmKernel[];
