/** `BatchMatMul`: unbatched float32 products, any transposes, through src/kernels/matmul.c's matMul. */
import * as tf from '@tensorflow/tfjs';
import { type KernelArgs, type WasmBackend, type WasmKernel, instance, offset, runPackage } from './wasm.js';

/** Rows of K in a packed chunk of B: kernels.h's MM_KC. */
export const MM_KC = 256;

/**
 * `BatchMatMul` on wasm for one float32 matrix product (no batch, or a batch of one), any
 * transposes, through matmul.c's register-tiled matMul; batched products through the package's
 * kernel. Why: the package runs the transposed products (every dense layer's gradients) as a
 * scalar loop, a large share of a char-CNN step (docs/performance.md).
 */
function batchMatMulKernel(args: KernelArgs, packageKernel: tf.KernelConfig | undefined): tf.TensorInfo | tf.TensorInfo[] {
  const backend = args.backend as WasmBackend;
  const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
  const { transposeA, transposeB } = args.attrs as unknown as { transposeA: boolean; transposeB: boolean };
  const batchA = tf.util.sizeFromShape(a.shape.slice(0, -2));
  const batchB = tf.util.sizeFromShape(b.shape.slice(0, -2));
  if (a.dtype === 'float32' && b.dtype === 'float32' && a.shape.length >= 2 && b.shape.length >= 2 && batchA === 1 && batchB === 1) {
    const [ar, ac] = a.shape.slice(-2) as [number, number];
    const [br, bc] = b.shape.slice(-2) as [number, number];
    const [M, K] = transposeA ? [ac, ar] : [ar, ac];
    const [K2, N] = transposeB ? [bc, br] : [br, bc];
    if (K !== K2) throw new Error(`blindspots BatchMatMul (wasm): inner sizes ${String(K)} and ${String(K2)} differ`);
    const outer = a.shape.length >= b.shape.length ? a.shape.slice(0, -2) : b.shape.slice(0, -2);
    const out = backend.makeOutput([...outer, M, N], 'float32');
    if (M * N === 0) return out;
    const packed = backend.wasm._malloc(Math.max(1, Math.min(K, MM_KC) * N) * 4);
    try {
      instance(backend).matMul({
        a: offset(backend, a),
        b: offset(backend, b),
        bp: packed,
        out: offset(backend, out),
        M,
        K,
        N,
        sam: transposeA ? 1 : ac,
        sak: transposeA ? ac : 1,
        sbk: transposeB ? 1 : bc,
        sbn: transposeB ? bc : 1,
      });
    } finally {
      backend.wasm._free(packed);
    }
    return out;
  }
  return runPackage('BatchMatMul', packageKernel, args);
}

/** The matrix-product kernel. */
export const matMulKernels = [
  { kernelName: 'BatchMatMul', fallback: true, make: (packageKernel) => (args) => batchMatMulKernel(args, packageKernel) },
] as const satisfies readonly WasmKernel[];
