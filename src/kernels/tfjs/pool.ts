/** `MaxPoolGrad` through src/kernels/pool.c's maxPoolGrad (the package's is a scalar loop). */
import * as tf from '@tensorflow/tfjs';
import { type KernelArgs, type WasmBackend, type WasmKernel, instance, offset, runPackage } from './wasm.js';

/** `MaxPoolGrad` on wasm (float32, dilation 1) through src/kernels/pool.c's maxPoolGrad, in place of the package's scalar loop (docs/performance.md). */
function maxPoolGradKernel(args: KernelArgs, packageKernel: tf.KernelConfig | undefined): tf.TensorInfo | tf.TensorInfo[] {
  const backend = args.backend as WasmBackend;
  const { dy, input } = args.inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
  const { filterSize, strides, pad, dimRoundingMode } = args.attrs as unknown as {
    filterSize: [number, number] | number;
    strides: [number, number] | number;
    pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
    dimRoundingMode?: 'floor' | 'round' | 'ceil';
  };
  if (input.dtype === 'float32' && dy.dtype === 'float32') {
    const info = tf.backend_util.computePool2DInfo(
      input.shape as [number, number, number, number],
      filterSize,
      strides,
      1,
      pad,
      dimRoundingMode,
    );
    const dx = backend.makeOutput([...input.shape], 'float32');
    instance(backend).maxPoolGrad({
      dy: offset(backend, dy),
      x: offset(backend, input),
      dx: offset(backend, dx),
      N: info.batchSize,
      H: info.inHeight,
      W: info.inWidth,
      C: info.inChannels,
      Ho: info.outHeight,
      Wo: info.outWidth,
      KH: info.filterHeight,
      KW: info.filterWidth,
      sh: info.strideHeight,
      sw: info.strideWidth,
      pt: info.padInfo.top,
      pl: info.padInfo.left,
    });
    return dx;
  }
  return runPackage('MaxPoolGrad', packageKernel, args);
}

/** The pooling kernels. */
export const poolKernels = [
  { kernelName: 'MaxPoolGrad', fallback: true, make: (packageKernel) => (args) => maxPoolGradKernel(args, packageKernel) },
] as const satisfies readonly WasmKernel[];
