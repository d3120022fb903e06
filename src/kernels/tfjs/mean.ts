/**
 * `Mean` over the two spatial axes of a float32 NHWC tensor — the ResNets' global average pooling:
 * per image and channel, the H W values summed in float64 and divided, rounded once to float32
 * (pool.c's spatialMean). tfjs-wasm's kernel took 22 ms for [256, 8, 8, 64] in ResNet-20's
 * `predict` of 1,024 images on one thread, 4% of it, and the same loop in JavaScript 9.5–14 ms
 * (tf.profile, 2026-12-07). Every other reduction runs the package's kernel.
 */
import * as tf from '@tensorflow/tfjs';
import { type KernelArgs, type WasmBackend, type WasmKernel, instance, offset, runPackage } from './wasm.js';

function meanKernel(args: KernelArgs, pkg: tf.KernelConfig | undefined): tf.TensorInfo | tf.TensorInfo[] {
  const { x } = args.inputs as { x: tf.TensorInfo };
  const { axis, keepDims } = args.attrs as unknown as { axis: number | number[]; keepDims: boolean };
  const axes = tf.util.parseAxisParam(axis, x.shape).sort((a, b) => a - b);
  if (x.dtype !== 'float32' || x.shape.length !== 4 || axes.join() !== '1,2') return runPackage('Mean', pkg, args);
  const backend = args.backend as WasmBackend;
  const [N, H, W, C] = x.shape as [number, number, number, number];
  const out = backend.makeOutput(keepDims ? [N, 1, 1, C] : [N, C], 'float32');
  const acc = backend.wasm._malloc(C * 8 + 8);
  try {
    instance(backend).spatialMean({ x: offset(backend, x), y: offset(backend, out), acc: (acc + 7) & ~7, N, P: H * W, C });
  } finally {
    backend.wasm._free(acc);
  }
  return out;
}

/**
 * The gradient of a global average pooling: `{ dy }` [N, C] with attrs `{ height, width }` -> dx
 * [N, height, width, C], dy / (height width) at every position (pool.c's spatialMeanGrad; wasm
 * only). The same values as tfjs's `Mean` gradient, which builds a tensor of ones of x's shape in
 * JavaScript every step to multiply by.
 */
export const SPATIAL_MEAN_GRAD_KERNEL = 'BlindspotsSpatialMeanGrad';

function spatialMeanGradKernel(args: KernelArgs): tf.TensorInfo {
  const backend = args.backend as WasmBackend;
  const { dy } = args.inputs as { dy: tf.TensorInfo };
  const { height, width } = args.attrs as unknown as { height: number; width: number };
  if (dy.dtype !== 'float32' || dy.shape.length !== 2)
    throw new Error(
      `${SPATIAL_MEAN_GRAD_KERNEL} (wasm): dy of dtype ${dy.dtype} and shape [${dy.shape.join(', ')}], expected float32 [N, C]`,
    );
  const [N, C] = dy.shape as [number, number];
  const dx = backend.makeOutput([N, height, width, C], 'float32');
  instance(backend).spatialMeanGrad({ dy: offset(backend, dy), dx: offset(backend, dx), N, P: height * width, C });
  return dx;
}

/** The reductions. */
export const meanKernels = [
  { kernelName: 'Mean', fallback: true, make: (pkg) => (args) => meanKernel(args, pkg) },
  { kernelName: SPATIAL_MEAN_GRAD_KERNEL, make: () => spatialMeanGradKernel },
] as const satisfies readonly WasmKernel[];
