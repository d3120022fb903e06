/** ResNet's option-A shortcut (forward and gradient) and the row gather that builds a training batch. */
import * as tf from '@tensorflow/tfjs';
import { type KernelArgs, type WasmBackend, type WasmKernel, instance, offset } from './wasm.js';

/** Option-A shortcut: `{ x }` -> subsampled, channel-padded x (wasm only). */
export const SHORTCUT_KERNEL = 'BlindspotsShortcut';
/** Its gradient: `{ dy, x }` -> dx (wasm only). */
export const SHORTCUT_GRAD_KERNEL = 'BlindspotsShortcutGrad';
/** Rows along axis 0: `{ x, indices }` -> x[indices] (wasm only). */
export const GATHER_ROWS_KERNEL = 'BlindspotsGatherRows';

/** Attributes of {@link SHORTCUT_KERNEL} and {@link SHORTCUT_GRAD_KERNEL}. */
export interface ShortcutAttrs {
  readonly stride: number;
  /** Zero channels added before the input's channels. */
  readonly lo: number;
  /** Channels of the output. */
  readonly channels: number;
}

/** The sizes shortcutForward and shortcutBackward take, from the input's shape and the attributes. */
function shortcutDims(
  inShape: readonly number[],
  attrs: ShortcutAttrs,
): { N: number; H: number; W: number; C: number; Ho: number; Wo: number; Cout: number; s: number; lo: number } {
  const [N, H, W, C] = inShape as [number, number, number, number];
  const s = attrs.stride;
  return { N, H, W, C, Ho: Math.ceil(H / s), Wo: Math.ceil(W / s), Cout: attrs.channels, s, lo: attrs.lo };
}

/** Option-A shortcut (subsample by `stride`, zero-pad channels): avgPool(1, s) + pad in one pass. */
function shortcutKernel(args: KernelArgs): tf.TensorInfo {
  const backend = args.backend as WasmBackend;
  const { x } = args.inputs as { x: tf.TensorInfo };
  const dims = shortcutDims(x.shape, args.attrs as unknown as ShortcutAttrs);
  const out = backend.makeOutput([dims.N, dims.Ho, dims.Wo, dims.Cout], 'float32');
  instance(backend).shortcutForward({ in: offset(backend, x), out: offset(backend, out), ...dims });
  return out;
}

/** The gradient of {@link shortcutKernel}, `{ dy, x }` -> dx (x for its shape). */
function shortcutGradKernel(args: KernelArgs): tf.TensorInfo {
  const backend = args.backend as WasmBackend;
  const { dy, x } = args.inputs as { dy: tf.TensorInfo; x: tf.TensorInfo };
  const dims = shortcutDims(x.shape, args.attrs as unknown as ShortcutAttrs);
  const out = backend.makeOutput([...x.shape], 'float32');
  instance(backend).shortcutBackward({ dout: offset(backend, dy), din: offset(backend, out), ...dims });
  return out;
}

/** Rows of a float32 tensor along axis 0 (`{ x, indices }`, indices int32): a batch of the training set. */
function gatherRowsKernel(args: KernelArgs): tf.TensorInfo {
  const backend = args.backend as WasmBackend;
  const { x, indices } = args.inputs as { x: tf.TensorInfo; indices: tf.TensorInfo };
  if (x.dtype !== 'float32' || indices.dtype !== 'int32')
    throw new Error('blindspots GatherRows (wasm): float32 rows and int32 indices only');
  const rows = x.shape[0] as number;
  const row = tf.util.sizeFromShape(x.shape.slice(1));
  const count = indices.shape[0] as number;
  const out = backend.makeOutput([count, ...x.shape.slice(1)], 'float32');
  instance(backend).gatherRows({ src: offset(backend, x), idx: offset(backend, indices), dst: offset(backend, out), count, rows, row });
  return out;
}

/** The shortcut and gather kernels. */
export const shortcutKernels = [
  { kernelName: SHORTCUT_KERNEL, make: () => shortcutKernel },
  { kernelName: SHORTCUT_GRAD_KERNEL, make: () => shortcutGradKernel },
  { kernelName: GATHER_ROWS_KERNEL, make: () => gatherRowsKernel },
] as const satisfies readonly WasmKernel[];
