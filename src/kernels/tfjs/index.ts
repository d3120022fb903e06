/**
 * Every wasm kernel of the library, one glue file per family, registered on the tfjs `wasm`
 * backend by {@link registerWasmTrainingKernels}. To add one, see src/kernels/README.md: a kernel
 * listed here without a case in test/kernels/parity.test.ts fails to compile.
 */
import * as tf from '@tensorflow/tfjs';
import { addKernels } from './add.js';
import { batchNormKernels, BATCH_NORM_KERNEL } from './batchNorm.js';
import { charCnnKernels } from './charCnnKernels.js';
import { convKernels } from './conv.js';
import { identityKernels } from './identity.js';
import { matMulKernels } from './matmul.js';
import { meanKernels } from './mean.js';
import { planKernels } from './plan.js';
import { poolKernels } from './pool.js';
import { sgdKernels } from './sgd.js';
import { shortcutKernels } from './shortcut.js';
import { nativeKernels } from './native.js';
import { type WasmKernel, kernelBuild } from './wasm.js';

export { BATCH_NORM_KERNEL, BATCH_NORM_GRAD_KERNEL, BATCH_NORM_INFERENCE_KERNEL, type BatchNormAttrs } from './batchNorm.js';
export { ONE_HOT_CONV_KERNEL, ONE_HOT_CONV_GRAD_KERNEL, BIAS_RELU_KERNEL, BIAS_RELU_GRAD_KERNEL } from './charCnnKernels.js';
export { CONV_BATCH_NORM_INFERENCE_KERNEL, type ConvBatchNormAttrs } from './conv.js';
export { copyValuesInto } from './identity.js';
export { SPATIAL_MEAN_GRAD_KERNEL } from './mean.js';
export { INFERENCE_PLAN_KERNEL, type InferencePlanAttrs, type InferenceStep, inferencePlanUnsupported, inferencePlans } from './plan.js';
export { SGD_MOMENTUM_KERNEL, AXPBY_KERNEL, type SgdAttrs } from './sgd.js';
export { SHORTCUT_KERNEL, SHORTCUT_GRAD_KERNEL, GATHER_ROWS_KERNEL, type ShortcutAttrs } from './shortcut.js';

/** Every kernel the library registers on the wasm backend, by family. */
export const WASM_KERNELS = [
  ...convKernels,
  ...matMulKernels,
  ...poolKernels,
  ...identityKernels,
  ...batchNormKernels,
  ...sgdKernels,
  ...shortcutKernels,
  ...charCnnKernels,
  ...addKernels,
  ...meanKernels,
  ...planKernels,
] as const satisfies readonly WasmKernel[];

/** The name of a kernel in {@link WASM_KERNELS}. */
export type RegisteredKernelName = (typeof WASM_KERNELS)[number]['kernelName'];

let registered = false;

/**
 * Registers the library's training kernels on the tfjs `wasm` backend (idempotent):
 * `Conv2DBackpropFilter`, missing from tfjs-backend-wasm 4.x; a register-tiled SIMD `Conv2D`
 * for stride 1 (faster than the package's XNNPACK one, which still runs the other strides on the
 * wasm kernels; the native kernels run them with the same tile) and
 * `Conv2DBackpropInput` (stride 1 as that convolution on the flipped filter) in place of the
 * package's scalar loop; `BatchMatMul` (unbatched, any transposes) and `MaxPoolGrad` in place of
 * the package's scalar loops; an `Identity` that shares its input's buffer instead of copying it;
 * and the fused batch-norm, shortcut, gather, SGD, bias + ReLU and one-hot convolution kernels the
 * ConvNets use. They run in the
 * backend's own memory. Called by {@link useFastestBackend}; call it yourself only if you set the backend by hand.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import '@tensorflow/tfjs-backend-wasm';
 * import { registerWasmTrainingKernels } from 'blindspots/models';
 * await tf.setBackend('wasm');
 * registerWasmTrainingKernels();
 * ```
 */
export function registerWasmTrainingKernels(): void {
  if (registered) return;
  registered = true;
  for (const kernel of WASM_KERNELS as readonly WasmKernel[]) {
    const previous = tf.getKernel(kernel.kernelName, 'wasm');
    if (previous !== undefined) tf.unregisterKernel(kernel.kernelName, 'wasm');
    // A kernel that hands some cases back to the package's keeps its config and setup for those.
    const fallback = kernel.fallback === true ? previous : undefined;
    const setupFunc = fallback?.setupFunc;
    tf.registerKernel({
      kernelName: kernel.kernelName,
      backendName: 'wasm',
      kernelFunc: kernel.make(fallback) as unknown as tf.KernelFunc,
      ...(setupFunc === undefined ? {} : { setupFunc }),
    });
  }
}

/**
 * The active tfjs backend and, on `wasm` with the library's kernels, which build of them runs:
 * `wasm+native-avx512`, `wasm+native-avx2` or `wasm+native-baseline` when the native addon runs
 * them (Node on a platform with a prebuild, by the CPU's instruction set), `wasm` when the wasm
 * kernels do (a browser, another platform, `BLINDSPOTS_NATIVE=0`); any other backend's name as
 * `tf.getBackend()` gives it. For a results record's `backend` field.
 */
export function describeKernels(): string {
  const backend = tf.getBackend();
  if (backend !== 'wasm' || !hasFusedKernels() || kernelBuild() !== 'native') return backend;
  const native = nativeKernels();
  return 'addon' in native ? `wasm+native-${native.addon.isa()}` : backend;
}

/** Whether the library's own kernels are registered for the active backend. */
export function hasFusedKernels(): boolean {
  return tf.getKernel(BATCH_NORM_KERNEL, tf.getBackend()) !== undefined;
}
