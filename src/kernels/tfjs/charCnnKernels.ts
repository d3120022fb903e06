/** The char-CNN's kernels: the one-hot character convolution and the fused bias + ReLU. */
import * as tf from '@tensorflow/tfjs';
import { type KernelArgs, type WasmBackend, type WasmKernel, instance, offset, withScratch } from './wasm.js';

/** The one-hot character convolution: `{ codes, filter }` -> y (wasm only). */
export const ONE_HOT_CONV_KERNEL = 'BlindspotsOneHotConv';
/** Its filter gradient: `{ codes, dy }` -> dw (wasm only). */
export const ONE_HOT_CONV_GRAD_KERNEL = 'BlindspotsOneHotConvGrad';
/** `relu(x + bias)`: `{ x, bias }` -> y (wasm only). */
export const BIAS_RELU_KERNEL = 'BlindspotsBiasRelu';
/** Its gradient: `{ dy, y }` -> `[dx, dbias]` (wasm only). */
export const BIAS_RELU_GRAD_KERNEL = 'BlindspotsBiasReluGrad';

/**
 * The 'valid' 1-D convolution of one-hot characters, `{ codes, filter }` -> [N, 1, L - KW + 1, F]:
 * codes [N, L] int32 (a letter's index, negative for none), filter [1, KW, A, F]. See src/kernels/charcnn.c's oneHotConv.
 */
function oneHotConvKernel(args: KernelArgs): tf.TensorInfo {
  const backend = args.backend as WasmBackend;
  const { codes, filter } = args.inputs as { codes: tf.TensorInfo; filter: tf.TensorInfo };
  const [N, L] = codes.shape as [number, number];
  const [, KW, A, F] = filter.shape as [number, number, number, number];
  const out = backend.makeOutput([N, 1, L - KW + 1, F], 'float32');
  instance(backend).oneHotConv({ codes: offset(backend, codes), w: offset(backend, filter), y: offset(backend, out), N, L, A, KW, F });
  return out;
}

/** Its filter gradient, `{ codes, dy }` -> [1, KW, A, F] (attrs `filterShape`). */
function oneHotConvGradKernel(args: KernelArgs): tf.TensorInfo {
  const backend = args.backend as WasmBackend;
  const { codes, dy } = args.inputs as { codes: tf.TensorInfo; dy: tf.TensorInfo };
  const { filterShape } = args.attrs as unknown as { filterShape: [number, number, number, number] };
  const [N, L] = codes.shape as [number, number];
  const [, KW, A, F] = filterShape;
  const out = backend.makeOutput([...filterShape], 'float32');
  instance(backend).oneHotConvFilterGrad({
    codes: offset(backend, codes),
    dy: offset(backend, dy),
    dw: offset(backend, out),
    N,
    L,
    A,
    KW,
    F,
  });
  return out;
}

/** `relu(x + bias)`, bias along the last axis, in one pass. */
function biasReluKernel(args: KernelArgs): tf.TensorInfo {
  const backend = args.backend as WasmBackend;
  const { x, bias } = args.inputs as { x: tf.TensorInfo; bias: tf.TensorInfo };
  const C = x.shape[x.shape.length - 1] as number;
  const out = backend.makeOutput([...x.shape], 'float32');
  const M = tf.util.sizeFromShape(x.shape) / C;
  instance(backend).biasRelu({ x: offset(backend, x), bias: offset(backend, bias), y: offset(backend, out), M, C });
  return out;
}

/** Its gradient from the output, `{ dy, y }` -> `[dx, dbias]`. */
function biasReluGradKernel(args: KernelArgs): tf.TensorInfo[] {
  const backend = args.backend as WasmBackend;
  const { dy, y } = args.inputs as { dy: tf.TensorInfo; y: tf.TensorInfo };
  const C = y.shape[y.shape.length - 1] as number;
  const dx = backend.makeOutput([...y.shape], 'float32');
  const dbias = backend.makeOutput([C], 'float32');
  withScratch(backend, C, (acc, blk) => {
    instance(backend).biasReluGrad({
      dy: offset(backend, dy),
      y: offset(backend, y),
      dx: offset(backend, dx),
      dbias: offset(backend, dbias),
      acc,
      blk,
      M: tf.util.sizeFromShape(y.shape) / C,
      C,
    });
  });
  return [dx, dbias];
}

/** The char-CNN's kernels. */
export const charCnnKernels = [
  { kernelName: ONE_HOT_CONV_KERNEL, make: () => oneHotConvKernel },
  { kernelName: ONE_HOT_CONV_GRAD_KERNEL, make: () => oneHotConvGradKernel },
  { kernelName: BIAS_RELU_KERNEL, make: () => biasReluKernel },
  { kernelName: BIAS_RELU_GRAD_KERNEL, make: () => biasReluGradKernel },
] as const satisfies readonly WasmKernel[];
