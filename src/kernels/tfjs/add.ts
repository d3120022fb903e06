/**
 * `Add` of two float32 tensors of one shape while the native kernels run on intra-op threads: the
 * addon's `axpby` with alpha = beta = 1 (exactly a + b: multiplying by 1 rounds nothing), split over
 * the threads. ResNet's backward pass sums the gradients of each residual block's two paths with
 * `Add`, a pass over a whole activation. Every other case, and every call on one thread, runs the
 * package's kernel.
 */
import * as tf from '@tensorflow/tfjs';
import { type KernelArgs, type WasmBackend, type WasmKernel, instance, kernelThreads, offset, runPackage } from './wasm.js';

function addKernel(args: KernelArgs, pkg: tf.KernelConfig | undefined): tf.TensorInfo | tf.TensorInfo[] {
  const { a, b } = args.inputs as Record<'a' | 'b', tf.TensorInfo>;
  if (kernelThreads() <= 1 || a.dtype !== 'float32' || b.dtype !== 'float32' || !tf.util.arraysEqual(a.shape, b.shape))
    return runPackage('Add', pkg, args);
  const backend = args.backend as WasmBackend;
  const out = backend.makeOutput([...a.shape], 'float32');
  instance(backend).axpby({
    a: offset(backend, a),
    b: offset(backend, b),
    out: offset(backend, out),
    n: tf.util.sizeFromShape(a.shape),
    alpha: 1,
    beta: 1,
  });
  return out;
}

/** The elementwise kernels. */
export const addKernels = [
  { kernelName: 'Add', fallback: true, make: (pkg) => (args) => addKernel(args, pkg) },
] as const satisfies readonly WasmKernel[];
