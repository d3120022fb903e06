import * as tf from '@tensorflow/tfjs';
import { CONV_WASM_BASE64 } from '../../kernels/convWasm.js';

interface ConvKernels {
  conv2dBackpropFilter(x: number, dy: number, dw: number, N: number, H: number, W: number, C: number, Ho: number, Wo: number, F: number, KH: number, KW: number, sh: number, sw: number, pt: number, pl: number): void;
  conv2dBackpropInput(dy: number, w: number, dx: number, wt: number, N: number, H: number, W: number, C: number, Ho: number, Wo: number, F: number, KH: number, KW: number, sh: number, sw: number, pt: number, pl: number): void;
  padImages(x: number, xp: number, N: number, H: number, W: number, C: number, Hp: number, Wp: number, pt: number, pl: number): void;
  packFilter8(w: number, wp: number, T: number, F: number): void;
  conv2dValid(xp: number, w: number, wp: number, y: number, N: number, Hp: number, Wp: number, C: number, Ho: number, Wo: number, F: number, KH: number, KW: number): void;
  flipFilter(w: number, wf: number, KH: number, KW: number, C: number, F: number): void;
  sgdMomentum(v: number, m: number, g: number, vOut: number, mOut: number, n: number, lr: number, mu: number, wd: number): void;
  axpby(a: number, b: number, out: number, n: number, alpha: number, beta: number): void;
  shortcutForward(input: number, out: number, N: number, H: number, W: number, C: number, Ho: number, Wo: number, Cout: number, s: number, lo: number): void;
  shortcutBackward(dout: number, din: number, N: number, H: number, W: number, C: number, Ho: number, Wo: number, Cout: number, s: number, lo: number): void;
  gatherRows(src: number, idx: number, dst: number, count: number, rows: number, row: number): void;
  batchNormForward(x: number, gamma: number, beta: number, res: number, y: number, mean: number, variance: number, acc: number, blk: number, M: number, C: number, relu: number, eps: number): void;
  batchNormBackward(dy: number, x: number, y: number, gamma: number, mean: number, variance: number, dx: number, dgamma: number, dbeta: number, dz: number, acc: number, blk: number, M: number, C: number, relu: number, eps: number): void;
}

/** The parts of tfjs-backend-wasm's BackendWasm the kernels use. */
interface WasmBackend {
  dataIdMap: { get(id: object): { memoryOffset: number } | undefined };
  incRef(id: object): void;
  makeOutput(shape: number[], dtype: 'float32'): tf.TensorInfo;
  disposeData(id: object): boolean;
  wasm: { asm: { memory: object }; _malloc(bytes: number): number; _free(ptr: number): void };
}

/** The parts of the WebAssembly API used here (the project's lib settings do not include DOM types). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
}

type ConvAttrs = {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
};

let kernels: ConvKernels | undefined;
let registered = false;

function instance(backend: WasmBackend): ConvKernels {
  if (kernels === undefined) {
    const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
    const module = new wasm.Module(Buffer.from(CONV_WASM_BASE64, 'base64'));
    // The module imports the backend's memory: tensors are read and written in place.
    kernels = new wasm.Instance(module, { env: { memory: backend.wasm.asm.memory } }).exports as ConvKernels;
  }
  return kernels;
}

function offset(backend: WasmBackend, t: tf.TensorInfo): number {
  const data = backend.dataIdMap.get(t.dataId);
  if (data === undefined) throw new Error('blindspots wasm kernel: tensor data not found on the wasm backend');
  return data.memoryOffset;
}

function convInfo(kernel: string, xShape: number[], filterShape: number[], attrs: ConvAttrs): tf.backend_util.Conv2DInfo {
  if (attrs.dataFormat !== 'NHWC') throw new Error(`blindspots ${kernel} (wasm): only dataFormat NHWC is supported, got ${attrs.dataFormat}`);
  return tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    'channelsLast',
  );
}

function backpropFilter(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const backend = args.backend as WasmBackend;
  const { x, dy } = args.inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const attrs = args.attrs as unknown as ConvAttrs & { filterShape: number[] };
  const info = convInfo('Conv2DBackpropFilter', x.shape, attrs.filterShape, attrs);
  const out = backend.makeOutput([...attrs.filterShape], 'float32');
  instance(backend).conv2dBackpropFilter(
    offset(backend, x), offset(backend, dy), offset(backend, out),
    info.batchSize, info.inHeight, info.inWidth, info.inChannels, info.outHeight, info.outWidth, info.outChannels,
    info.filterHeight, info.filterWidth, info.strideHeight, info.strideWidth, info.padInfo.top, info.padInfo.left,
  );
  return out;
}

/**
 * A stride-1 convolution of `x` [N, H, W, C] with the filter at `filterPtr` [KH, KW, C, F] into
 * `out` [N, Ho, Wo, F], zero-padded by `pads`: conv.c's register-tiled conv2dValid on a padded
 * copy of x (no edge cases in the inner loop). ~1.35x XNNPACK's Conv2D on ResNet's layers.
 */
function stride1Conv(backend: WasmBackend, x: tf.TensorInfo, filterPtr: number, pads: { top: number; bottom: number; left: number; right: number }, KH: number, KW: number, F: number, out: tf.TensorInfo): void {
  const [N, H, W, C] = x.shape as [number, number, number, number];
  const Hp = H + pads.top + pads.bottom;
  const Wp = W + pads.left + pads.right;
  const [Ho, Wo] = [Hp - KH + 1, Wp - KW + 1];
  if (out.shape.join() !== [N, Ho, Wo, F].join()) throw new Error(`blindspots conv (wasm): output [${out.shape.join(', ')}] for [${[N, Ho, Wo, F].join(', ')}]`);
  const k = instance(backend);
  const T = KH * KW * C;
  const packed = backend.wasm._malloc(Math.max(1, T * (F & ~7)) * 4);
  const padded = pads.top === 0 && pads.bottom === 0 && pads.left === 0 && pads.right === 0 ? 0 : backend.wasm._malloc(N * Hp * Wp * C * 4);
  try {
    k.packFilter8(filterPtr, packed, T, F);
    if (padded !== 0) k.padImages(offset(backend, x), padded, N, H, W, C, Hp, Wp, pads.top, pads.left);
    k.conv2dValid(padded === 0 ? offset(backend, x) : padded, filterPtr, packed, offset(backend, out), N, Hp, Wp, C, Ho, Wo, F, KH, KW);
  } finally {
    if (padded !== 0) backend.wasm._free(padded);
    backend.wasm._free(packed);
  }
}

/** The package's (XNNPACK) Conv2D, for the cases {@link conv2dKernel} hands back. */
let xnnpackConv2D: tf.KernelConfig | undefined;

/**
 * `Conv2D` on wasm: stride 1, dilation 1, NHWC float32 through {@link stride1Conv}; anything
 * else through the package's XNNPACK kernel.
 */
function conv2dKernel(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const backend = args.backend as WasmBackend;
  const { x, filter } = args.inputs as { x: tf.TensorInfo; filter: tf.TensorInfo };
  const attrs = args.attrs as unknown as ConvAttrs & { dilations: [number, number] | number };
  const dilations = typeof attrs.dilations === 'number' ? [attrs.dilations, attrs.dilations] : attrs.dilations;
  if (attrs.dataFormat === 'NHWC' && x.dtype === 'float32' && filter.dtype === 'float32' && dilations[0] === 1 && dilations[1] === 1) {
    const info = convInfo('Conv2D', x.shape, filter.shape, attrs);
    if (info.strideHeight === 1 && info.strideWidth === 1) {
      const out = backend.makeOutput([...info.outShape], 'float32');
      stride1Conv(backend, x, offset(backend, filter), info.padInfo, info.filterHeight, info.filterWidth, info.outChannels, out);
      return out;
    }
  }
  if (xnnpackConv2D === undefined) throw new Error('blindspots Conv2D (wasm): the package kernel is missing');
  return xnnpackConv2D.kernelFunc(args as unknown as Parameters<tf.KernelFunc>[0]) as tf.TensorInfo;
}

function backpropInput(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const backend = args.backend as WasmBackend;
  const { dy, filter } = args.inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
  const attrs = args.attrs as unknown as ConvAttrs & { inputShape: number[] };
  const info = convInfo('Conv2DBackpropInput', attrs.inputShape, filter.shape, attrs);
  const k = instance(backend);
  const { top, bottom, left, right } = info.padInfo;
  const [KH, KW] = [info.filterHeight, info.filterWidth];
  if (info.strideHeight === 1 && info.strideWidth === 1 && Math.max(top, bottom) < KH && Math.max(left, right) < KW) {
    // Stride 1: dx is the convolution of dy with the flipped, transposed filter, padded by
    // K - 1 - pad: the forward kernel, ~1.8x faster than the scatter below.
    const flipped = backend.wasm._malloc(KH * KW * info.inChannels * info.outChannels * 4);
    try {
      k.flipFilter(offset(backend, filter), flipped, KH, KW, info.inChannels, info.outChannels);
      const out = backend.makeOutput([...attrs.inputShape], 'float32');
      stride1Conv(backend, dy, flipped, { top: KH - 1 - top, bottom: KH - 1 - bottom, left: KW - 1 - left, right: KW - 1 - right }, KH, KW, info.inChannels, out);
      return out;
    } finally {
      backend.wasm._free(flipped);
    }
  }
  const out = backend.makeOutput([...attrs.inputShape], 'float32');
  // Scratch for the transposed filter. (A heap growth never moves a wasm address, so the order of
  // makeOutput and _malloc does not matter.)
  const wt = backend.wasm._malloc(tf.util.sizeFromShape(filter.shape) * 4);
  try {
    k.conv2dBackpropInput(
      offset(backend, dy), offset(backend, filter), offset(backend, out), wt,
      info.batchSize, info.inHeight, info.inWidth, info.inChannels, info.outHeight, info.outWidth, info.outChannels,
      info.filterHeight, info.filterWidth, info.strideHeight, info.strideWidth, info.padInfo.top, info.padInfo.left,
    );
  } finally {
    backend.wasm._free(wt);
  }
  return out;
}

/** Names of the library's own kernels (registered for the wasm backend only). */
export const BATCH_NORM_KERNEL = 'BlindspotsBatchNorm';
export const BATCH_NORM_GRAD_KERNEL = 'BlindspotsBatchNormGrad';

export const SGD_MOMENTUM_KERNEL = 'BlindspotsSgdMomentum';
export const AXPBY_KERNEL = 'BlindspotsAxpby';

/** Attributes of {@link SGD_MOMENTUM_KERNEL}. */
export interface SgdAttrs {
  readonly learningRate: number;
  readonly momentum: number;
  readonly weightDecay: number;
}

/**
 * One momentum-SGD step for one variable, `[v', m']` from `{ v, m, g }`: one pass instead of six
 * tfjs kernels (and their allocations) per variable and step. Bit-identical to the composed ops
 * (same operation order, no fused multiply-add in wasm).
 */
function sgdKernel(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): tf.TensorInfo[] {
  const backend = args.backend as WasmBackend;
  const { v, m, g } = args.inputs as Record<'v' | 'm' | 'g', tf.TensorInfo>;
  const attrs = args.attrs as unknown as SgdAttrs;
  const vOut = backend.makeOutput([...v.shape], 'float32');
  const mOut = backend.makeOutput([...v.shape], 'float32');
  instance(backend).sgdMomentum(
    offset(backend, v), offset(backend, m), offset(backend, g), offset(backend, vOut), offset(backend, mOut),
    tf.util.sizeFromShape(v.shape), attrs.learningRate, attrs.momentum, attrs.weightDecay,
  );
  return [vOut, mOut];
}

/** `alpha * a + beta * b` for two tensors of one shape (batch norm's running statistics). */
function axpbyKernel(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const backend = args.backend as WasmBackend;
  const { a, b } = args.inputs as Record<'a' | 'b', tf.TensorInfo>;
  const { alpha, beta } = args.attrs as unknown as { alpha: number; beta: number };
  const out = backend.makeOutput([...a.shape], 'float32');
  instance(backend).axpby(offset(backend, a), offset(backend, b), offset(backend, out), tf.util.sizeFromShape(a.shape), alpha, beta);
  return out;
}

export const SHORTCUT_KERNEL = 'BlindspotsShortcut';
export const SHORTCUT_GRAD_KERNEL = 'BlindspotsShortcutGrad';
export const GATHER_ROWS_KERNEL = 'BlindspotsGatherRows';

/** Attributes of {@link SHORTCUT_KERNEL} and {@link SHORTCUT_GRAD_KERNEL}. */
export interface ShortcutAttrs {
  readonly stride: number;
  /** Zero channels added before the input's channels. */
  readonly lo: number;
  /** Channels of the output. */
  readonly channels: number;
}

function shortcutDims(inShape: readonly number[], attrs: ShortcutAttrs): [number, number, number, number, number, number, number, number, number, number] {
  const [N, H, W, C] = inShape as [number, number, number, number];
  const s = attrs.stride;
  return [N, H, W, C, Math.ceil(H / s), Math.ceil(W / s), attrs.channels, s, attrs.lo, 0];
}

/** Option-A shortcut (subsample by `stride`, zero-pad channels): avgPool(1, s) + pad in one pass. */
function shortcutKernel(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const backend = args.backend as WasmBackend;
  const { x } = args.inputs as { x: tf.TensorInfo };
  const [N, H, W, C, Ho, Wo, Cout, s, lo] = shortcutDims(x.shape, args.attrs as unknown as ShortcutAttrs);
  const out = backend.makeOutput([N, Ho, Wo, Cout], 'float32');
  instance(backend).shortcutForward(offset(backend, x), offset(backend, out), N, H, W, C, Ho, Wo, Cout, s, lo);
  return out;
}

/** The gradient of {@link shortcutKernel}, `{ dy, x }` -> dx (x for its shape). */
function shortcutGradKernel(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const backend = args.backend as WasmBackend;
  const { dy, x } = args.inputs as { dy: tf.TensorInfo; x: tf.TensorInfo };
  const [N, H, W, C, Ho, Wo, Cout, s, lo] = shortcutDims(x.shape, args.attrs as unknown as ShortcutAttrs);
  const out = backend.makeOutput([...x.shape], 'float32');
  instance(backend).shortcutBackward(offset(backend, dy), offset(backend, out), N, H, W, C, Ho, Wo, Cout, s, lo);
  return out;
}

/** Rows of a float32 tensor along axis 0 (`{ x, indices }`, indices int32): a batch of the training set. */
function gatherRowsKernel(args: { inputs: tf.NamedTensorInfoMap; backend: unknown }): tf.TensorInfo {
  const backend = args.backend as WasmBackend;
  const { x, indices } = args.inputs as { x: tf.TensorInfo; indices: tf.TensorInfo };
  if (x.dtype !== 'float32' || indices.dtype !== 'int32') throw new Error('blindspots GatherRows (wasm): float32 rows and int32 indices only');
  const rows = x.shape[0] as number;
  const row = tf.util.sizeFromShape(x.shape.slice(1));
  const count = indices.shape[0] as number;
  const out = backend.makeOutput([count, ...x.shape.slice(1)], 'float32');
  instance(backend).gatherRows(offset(backend, x), offset(backend, indices), offset(backend, out), count, rows, row);
  return out;
}

/** Attributes of {@link BATCH_NORM_KERNEL} and {@link BATCH_NORM_GRAD_KERNEL}. */
export interface BatchNormAttrs {
  readonly relu: boolean;
  readonly epsilon: number;
  /** Grad only: whether the forward added a residual (then the grad also returns its gradient). */
  readonly residual?: boolean;
}

/** Runs `body` with scratch for the batch-norm kernels: 2C doubles and 2C floats. */
function withScratch<T>(backend: WasmBackend, channels: number, body: (acc: number, blk: number) => T): T {
  const acc = backend.wasm._malloc(channels * 16 + channels * 8 + 16);
  try {
    const aligned = (acc + 7) & ~7;
    return body(aligned, aligned + channels * 16);
  } finally {
    backend.wasm._free(acc);
  }
}

/**
 * Fused training batch norm (+ residual add, + ReLU) over all axes but the last: outputs
 * `[y, mean, variance]` (biased batch variance). See conv.c's batchNormForward.
 */
function batchNormKernel(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): tf.TensorInfo[] {
  const backend = args.backend as WasmBackend;
  const { x, gamma, beta, residual } = args.inputs as { x: tf.TensorInfo; gamma: tf.TensorInfo; beta: tf.TensorInfo; residual?: tf.TensorInfo };
  const attrs = args.attrs as unknown as BatchNormAttrs;
  const C = x.shape[x.shape.length - 1] as number;
  const M = tf.util.sizeFromShape(x.shape) / C;
  const y = backend.makeOutput([...x.shape], 'float32');
  const mean = backend.makeOutput([C], 'float32');
  const variance = backend.makeOutput([C], 'float32');
  withScratch(backend, C, (acc, blk) => {
    instance(backend).batchNormForward(
      offset(backend, x), offset(backend, gamma), offset(backend, beta), residual === undefined ? 0 : offset(backend, residual),
      offset(backend, y), offset(backend, mean), offset(backend, variance), acc, blk, M, C, attrs.relu ? 1 : 0, attrs.epsilon,
    );
  });
  return [y, mean, variance];
}

/** The gradient of {@link batchNormKernel}: `[dx, dgamma, dbeta]`, plus `dresidual` when `attrs.residual`. */
function batchNormGradKernel(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): tf.TensorInfo[] {
  const backend = args.backend as WasmBackend;
  const { dy, x, y, gamma, mean, variance } = args.inputs as Record<'dy' | 'x' | 'y' | 'gamma' | 'mean' | 'variance', tf.TensorInfo>;
  const attrs = args.attrs as unknown as BatchNormAttrs;
  const C = x.shape[x.shape.length - 1] as number;
  const M = tf.util.sizeFromShape(x.shape) / C;
  const dx = backend.makeOutput([...x.shape], 'float32');
  const dgamma = backend.makeOutput([C], 'float32');
  const dbeta = backend.makeOutput([C], 'float32');
  const dz = attrs.residual === true ? backend.makeOutput([...x.shape], 'float32') : undefined;
  withScratch(backend, C, (acc, blk) => {
    instance(backend).batchNormBackward(
      offset(backend, dy), offset(backend, x), offset(backend, y), offset(backend, gamma), offset(backend, mean), offset(backend, variance),
      offset(backend, dx), offset(backend, dgamma), offset(backend, dbeta), dz === undefined ? 0 : offset(backend, dz),
      acc, blk, M, C, attrs.relu ? 1 : 0, attrs.epsilon,
    );
  });
  return dz === undefined ? [dx, dgamma, dbeta] : [dx, dgamma, dbeta, dz];
}

/** Whether the library's own kernels are registered for the active backend. */
export function hasFusedKernels(): boolean {
  return tf.getKernel(BATCH_NORM_KERNEL, tf.getBackend()) !== undefined;
}

/**
 * `Identity` sharing its input's buffer (reference counted, as the package's `Reshape`) instead of
 * copying it. Why: tfjs saves every tensor a gradient needs through `clone`, i.e. `Identity`, and
 * the package's wasm `Identity` copies — hundreds of copies of activations per training step.
 * Sharing is safe because no wasm kernel writes into its inputs.
 */
function identity(args: { inputs: tf.NamedTensorInfoMap; backend: unknown }): tf.TensorInfo {
  const backend = args.backend as WasmBackend;
  const { x } = args.inputs as { x: tf.TensorInfo };
  if (x.dtype === 'string') throw new Error('blindspots Identity (wasm): string tensors are not supported');
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

/**
 * Registers the library's training kernels on the tfjs `wasm` backend (idempotent):
 * `Conv2DBackpropFilter`, missing from tfjs-backend-wasm 4.x; a register-tiled SIMD `Conv2D`
 * for stride 1 (faster than the package's XNNPACK one, which still runs the other strides) and
 * `Conv2DBackpropInput` (stride 1 as that convolution on the flipped filter) in place of the
 * package's scalar loop; an `Identity` that shares its input's buffer instead of copying it; and
 * the fused batch-norm, shortcut, gather and SGD kernels the ConvNets use. They run in the
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
  xnnpackConv2D = tf.getKernel('Conv2D', 'wasm');
  if (xnnpackConv2D !== undefined) {
    tf.unregisterKernel('Conv2D', 'wasm');
    const { setupFunc } = xnnpackConv2D;
    tf.registerKernel({ kernelName: 'Conv2D', backendName: 'wasm', kernelFunc: conv2dKernel as unknown as tf.KernelFunc, ...(setupFunc === undefined ? {} : { setupFunc }) });
  }
  for (const [kernelName, kernelFunc] of [
    ['Conv2DBackpropFilter', backpropFilter],
    ['Conv2DBackpropInput', backpropInput],
    ['Identity', identity],
    [BATCH_NORM_KERNEL, batchNormKernel],
    [BATCH_NORM_GRAD_KERNEL, batchNormGradKernel],
    [SGD_MOMENTUM_KERNEL, sgdKernel],
    [AXPBY_KERNEL, axpbyKernel],
    [SHORTCUT_KERNEL, shortcutKernel],
    [SHORTCUT_GRAD_KERNEL, shortcutGradKernel],
    [GATHER_ROWS_KERNEL, gatherRowsKernel],
  ] as const) {
    if (tf.getKernel(kernelName, 'wasm') !== undefined) tf.unregisterKernel(kernelName, 'wasm');
    tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc: kernelFunc as unknown as tf.KernelFunc });
  }
}
