/**
 * `Add` of two float32 tensors of one shape while the native kernels run on intra-op threads: the
 * addon's `axpby` with alpha = beta = 1 (exactly a + b: multiplying by 1 rounds nothing), split over
 * the threads. ResNet's backward pass sums the gradients of each residual block's two paths with
 * `Add`, a pass over a whole activation. Every other case, and every call on one thread, runs the
 * package's kernel.
 */
import * as tf from '@tensorflow/tfjs';
import { axpby } from './sgd.js';
import { type KernelArgs, type WasmBackend, type WasmKernel, kernelThreads, runPackage } from './wasm.js';

function addKernel(args: KernelArgs, pkg: tf.KernelConfig | undefined): tf.TensorInfo | tf.TensorInfo[] {
  const { a, b } = args.inputs as Record<'a' | 'b', tf.TensorInfo>;
  if (kernelThreads() <= 1 || a.dtype !== 'float32' || b.dtype !== 'float32' || !tf.util.arraysEqual(a.shape, b.shape))
    return runPackage('Add', pkg, args);
  return axpby(args.backend as WasmBackend, a, b, 1, 1);
}

/** The elementwise kernels. */
export const addKernels = [
  { kernelName: 'Add', fallback: true, make: (pkg) => (args) => addKernel(args, pkg) },
] as const satisfies readonly WasmKernel[];
