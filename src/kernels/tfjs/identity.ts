/** `Identity` that shares its input's buffer, and copies out of the backend's memory. */
import * as tf from '@tensorflow/tfjs';
import type { KernelArgs, WasmBackend, WasmKernel } from './wasm.js';

/**
 * Copies the values of float32 tensors, in order, into `out` from `at`: straight from the wasm
 * backend's memory when it holds them (one copy, where `dataSync` makes a second), else through
 * `dataSync`. Data-parallel training moves every weight and gradient this way each step.
 */
export function copyValuesInto(tensors: readonly tf.Tensor[], out: Float32Array, at = 0): void {
  let o = at;
  const backend = tf.getBackend() === 'wasm' ? (tf.backend() as unknown as WasmBackend) : undefined;
  for (const t of tensors) {
    if (t.dtype !== 'float32') throw new Error(`blindspots copyValuesInto: float32 tensors only, got ${t.dtype}`);
    if (o + t.size > out.length)
      throw new Error(`blindspots copyValuesInto: ${String(o + t.size)} values for an array of ${String(out.length)}`);
    const data = backend?.dataIdMap.get(t.dataId);
    if (backend !== undefined && data !== undefined && t.size > 0) {
      // A fresh view each time: a heap growth detaches the previous ArrayBuffer.
      const memory = backend.wasm.asm.memory as { buffer: ArrayBuffer };
      out.set(new Float32Array(memory.buffer, data.memoryOffset, t.size), o);
    } else {
      out.set(t.dataSync() as Float32Array, o);
    }
    o += t.size;
  }
}
/**
 * `Identity` sharing its input's buffer (reference counted, as the package's `Reshape`) instead of
 * copying it. Why: tfjs saves every tensor a gradient needs through `clone`, i.e. `Identity`, and
 * the package's wasm `Identity` copies — hundreds of copies of activations per training step.
 * Sharing is safe because no wasm kernel writes into its inputs.
 */
function identity(args: KernelArgs): tf.TensorInfo {
  const backend = args.backend as WasmBackend;
  const { x } = args.inputs as { x: tf.TensorInfo };
  if (x.dtype === 'string') throw new Error('blindspots Identity (wasm): string tensors are not supported');
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

/** The identity kernel. */
export const identityKernels = [{ kernelName: 'Identity', make: () => identity }] as const satisfies readonly WasmKernel[];
