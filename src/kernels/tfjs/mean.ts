/**
 * `Mean` over the two spatial axes of a float32 NHWC tensor — the ResNets' global average pooling:
 * per image and channel, the H W values summed in float64 and divided, rounded once to float32.
 * tfjs-wasm's kernel took 22 ms for [256, 8, 8, 64] in ResNet-20's `predict` of 1,024 images on one
 * thread, 4% of it (tf.profile, 2026-12-07). Every other reduction runs the package's kernel.
 */
import * as tf from '@tensorflow/tfjs';
import { type KernelArgs, type WasmBackend, type WasmKernel, offset, runPackage } from './wasm.js';

function meanKernel(args: KernelArgs, pkg: tf.KernelConfig | undefined): tf.TensorInfo | tf.TensorInfo[] {
  const { x } = args.inputs as { x: tf.TensorInfo };
  const { axis, keepDims } = args.attrs as unknown as { axis: number | number[]; keepDims: boolean };
  const axes = tf.util.parseAxisParam(axis, x.shape).sort((a, b) => a - b);
  if (x.dtype !== 'float32' || x.shape.length !== 4 || axes.join() !== '1,2') return runPackage('Mean', pkg, args);
  const backend = args.backend as WasmBackend;
  const [N, H, W, C] = x.shape as [number, number, number, number];
  const out = backend.makeOutput(keepDims ? [N, 1, 1, C] : [N, C], 'float32');
  // Views after makeOutput: a heap growth detaches the previous ArrayBuffer.
  const memory = (backend.wasm.asm.memory as { buffer: ArrayBuffer }).buffer;
  const xs = new Float32Array(memory, offset(backend, x), N * H * W * C);
  const ys = new Float32Array(memory, offset(backend, out), N * C);
  const P = H * W;
  const acc = new Float64Array(C);
  for (let n = 0; n < N; n++) {
    acc.fill(0);
    for (let p = 0, o = n * P * C; p < P; p++, o += C) for (let c = 0; c < C; c++) acc[c] = (acc[c] as number) + (xs[o + c] as number);
    for (let c = 0; c < C; c++) ys[n * C + c] = (acc[c] as number) / P;
  }
  return out;
}

/** The reductions. */
export const meanKernels = [
  { kernelName: 'Mean', fallback: true, make: (pkg) => (args) => meanKernel(args, pkg) },
] as const satisfies readonly WasmKernel[];
