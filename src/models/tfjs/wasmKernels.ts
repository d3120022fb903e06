import * as tf from '@tensorflow/tfjs';
import { convModule } from './convModule.js';

interface ConvKernels {
  conv2dBackpropFilter(
    x: number,
    dy: number,
    dw: number,
    N: number,
    H: number,
    W: number,
    C: number,
    Ho: number,
    Wo: number,
    F: number,
    KH: number,
    KW: number,
    sh: number,
    sw: number,
    pt: number,
    pl: number,
  ): void;
  conv2dBackpropInput(
    dy: number,
    w: number,
    dx: number,
    wt: number,
    N: number,
    H: number,
    W: number,
    C: number,
    Ho: number,
    Wo: number,
    F: number,
    KH: number,
    KW: number,
    sh: number,
    sw: number,
    pt: number,
    pl: number,
  ): void;
  padImages(x: number, xp: number, N: number, H: number, W: number, C: number, Hp: number, Wp: number, pt: number, pl: number): void;
  packFilter8(w: number, wp: number, T: number, F: number): void;
  conv2dValid(
    xp: number,
    w: number,
    wp: number,
    y: number,
    N: number,
    Hp: number,
    Wp: number,
    C: number,
    Ho: number,
    Wo: number,
    F: number,
    KH: number,
    KW: number,
  ): void;
  winogradFilter(w: number, U: number, C: number, F: number): void;
  winogradConv(
    x: number,
    U: number,
    V: number,
    M: number,
    y: number,
    N: number,
    H: number,
    W: number,
    C: number,
    Ho: number,
    Wo: number,
    F: number,
    pt: number,
    pl: number,
  ): void;
  flipFilter(w: number, wf: number, KH: number, KW: number, C: number, F: number): void;
  sgdMomentum(v: number, m: number, g: number, vOut: number, mOut: number, n: number, lr: number, mu: number, wd: number): void;
  axpby(a: number, b: number, out: number, n: number, alpha: number, beta: number): void;
  shortcutForward(
    input: number,
    out: number,
    N: number,
    H: number,
    W: number,
    C: number,
    Ho: number,
    Wo: number,
    Cout: number,
    s: number,
    lo: number,
  ): void;
  shortcutBackward(
    dout: number,
    din: number,
    N: number,
    H: number,
    W: number,
    C: number,
    Ho: number,
    Wo: number,
    Cout: number,
    s: number,
    lo: number,
  ): void;
  gatherRows(src: number, idx: number, dst: number, count: number, rows: number, row: number): void;
  batchNormForward(
    x: number,
    gamma: number,
    beta: number,
    res: number,
    y: number,
    mean: number,
    variance: number,
    acc: number,
    blk: number,
    M: number,
    C: number,
    relu: number,
    eps: number,
  ): void;
  batchNormBackward(
    dy: number,
    x: number,
    y: number,
    gamma: number,
    mean: number,
    variance: number,
    dx: number,
    dgamma: number,
    dbeta: number,
    dz: number,
    acc: number,
    blk: number,
    M: number,
    C: number,
    relu: number,
    eps: number,
  ): void;
  matMul(
    a: number,
    b: number,
    bp: number,
    out: number,
    M: number,
    K: number,
    N: number,
    sam: number,
    sak: number,
    sbk: number,
    sbn: number,
  ): void;
  oneHotConv(codes: number, w: number, y: number, N: number, L: number, A: number, KW: number, F: number): void;
  oneHotConvFilterGrad(codes: number, dy: number, dw: number, N: number, L: number, A: number, KW: number, F: number): void;
  biasRelu(x: number, bias: number, y: number, M: number, C: number): void;
  biasReluGrad(dy: number, y: number, dx: number, dbias: number, acc: number, blk: number, M: number, C: number): void;
  maxPoolGrad(
    dy: number,
    x: number,
    dx: number,
    N: number,
    H: number,
    W: number,
    C: number,
    Ho: number,
    Wo: number,
    KH: number,
    KW: number,
    sh: number,
    sw: number,
    pt: number,
    pl: number,
  ): void;
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
    const module = convModule();
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
  if (attrs.dataFormat !== 'NHWC')
    throw new Error(`blindspots ${kernel} (wasm): only dataFormat NHWC is supported, got ${attrs.dataFormat}`);
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
    offset(backend, x),
    offset(backend, dy),
    offset(backend, out),
    info.batchSize,
    info.inHeight,
    info.inWidth,
    info.inChannels,
    info.outHeight,
    info.outWidth,
    info.outChannels,
    info.filterHeight,
    info.filterWidth,
    info.strideHeight,
    info.strideWidth,
    info.padInfo.top,
    info.padInfo.left,
  );
  return out;
}

/** Tiles per block of conv.c's winogradConv (WG_BLOCK): its scratch is sized for this many. */
const WG_BLOCK = 32;

/**
 * A stride-1 convolution of `x` [N, H, W, C] with the filter at `filterPtr` [KH, KW, C, F] into
 * `out` [N, Ho, Wo, F], zero-padded by `pads`, on a padded copy of x (no edge cases in the inner
 * loops): 3x3 filters with C % 4 == 0 and F % 8 == 0 (ResNet's layers and their input gradients)
 * through conv.c's Winograd F(2x2, 3x3), 1.4-1.7x the direct kernel; the rest through its
 * register-tiled conv2dValid, ~1.35x XNNPACK's Conv2D on ResNet's layers.
 */
function stride1Conv(
  backend: WasmBackend,
  x: tf.TensorInfo,
  filterPtr: number,
  pads: { top: number; bottom: number; left: number; right: number },
  KH: number,
  KW: number,
  F: number,
  out: tf.TensorInfo,
): void {
  const [N, H, W, C] = x.shape as [number, number, number, number];
  const Hp = H + pads.top + pads.bottom;
  const Wp = W + pads.left + pads.right;
  const [Ho, Wo] = [Hp - KH + 1, Wp - KW + 1];
  if (out.shape.join() !== [N, Ho, Wo, F].join())
    throw new Error(`blindspots conv (wasm): output [${out.shape.join(', ')}] for [${[N, Ho, Wo, F].join(', ')}]`);
  const k = instance(backend);
  const T = KH * KW * C;
  const winograd = KH === 3 && KW === 3 && C % 4 === 0 && F % 8 === 0;
  // Winograd: the transformed filter U, then the per-block scratch V and M.
  const scratchFloats = winograd ? 16 * C * F + 16 * WG_BLOCK * (C + F) : T * (F & ~7);
  const scratch = backend.wasm._malloc(Math.max(1, scratchFloats) * 4);
  // Winograd reads the padding as zeros; the direct kernel needs a padded copy.
  const unpadded = winograd || (pads.top === 0 && pads.bottom === 0 && pads.left === 0 && pads.right === 0);
  const padded = unpadded ? 0 : backend.wasm._malloc(N * Hp * Wp * C * 4);
  try {
    if (padded !== 0) k.padImages(offset(backend, x), padded, N, H, W, C, Hp, Wp, pads.top, pads.left);
    const input = padded === 0 ? offset(backend, x) : padded;
    if (winograd) {
      const V = scratch + 16 * C * F * 4;
      k.winogradFilter(filterPtr, scratch, C, F);
      k.winogradConv(input, scratch, V, V + 16 * WG_BLOCK * C * 4, offset(backend, out), N, H, W, C, Ho, Wo, F, pads.top, pads.left);
    } else {
      k.packFilter8(filterPtr, scratch, T, F);
      k.conv2dValid(input, filterPtr, scratch, offset(backend, out), N, Hp, Wp, C, Ho, Wo, F, KH, KW);
    }
  } finally {
    if (padded !== 0) backend.wasm._free(padded);
    backend.wasm._free(scratch);
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
      stride1Conv(
        backend,
        dy,
        flipped,
        { top: KH - 1 - top, bottom: KH - 1 - bottom, left: KW - 1 - left, right: KW - 1 - right },
        KH,
        KW,
        info.inChannels,
        out,
      );
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
      offset(backend, dy),
      offset(backend, filter),
      offset(backend, out),
      wt,
      info.batchSize,
      info.inHeight,
      info.inWidth,
      info.inChannels,
      info.outHeight,
      info.outWidth,
      info.outChannels,
      info.filterHeight,
      info.filterWidth,
      info.strideHeight,
      info.strideWidth,
      info.padInfo.top,
      info.padInfo.left,
    );
  } finally {
    backend.wasm._free(wt);
  }
  return out;
}

/** The package's kernels, for the cases ours hand back. */
let packageBatchMatMul: tf.KernelConfig | undefined;
let packageMaxPoolGrad: tf.KernelConfig | undefined;

type KernelArgs = Parameters<tf.KernelFunc>[0];

/** Rows of K in a packed chunk of B: conv.c's MM_KC. */
const MM_KC = 256;

/**
 * `BatchMatMul` on wasm for one float32 matrix product (no batch, or a batch of one), any
 * transposes, through conv.c's register-tiled matMul; batched products through the package's
 * kernel. Why: the package runs the transposed products (every dense layer's gradients) as a
 * scalar loop, ~1.3 GFLOP/s, 5.7 s of a char-CNN step.
 */
function batchMatMulKernel(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
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
      instance(backend).matMul(
        offset(backend, a),
        offset(backend, b),
        packed,
        offset(backend, out),
        M,
        K,
        N,
        transposeA ? 1 : ac,
        transposeA ? ac : 1,
        transposeB ? 1 : bc,
        transposeB ? bc : 1,
      );
    } finally {
      backend.wasm._free(packed);
    }
    return out;
  }
  if (packageBatchMatMul === undefined) throw new Error('blindspots BatchMatMul (wasm): the package kernel is missing');
  return packageBatchMatMul.kernelFunc(args as unknown as KernelArgs) as tf.TensorInfo;
}

/** `MaxPoolGrad` on wasm (float32, dilation 1) through conv.c's maxPoolGrad: ~0.4 s less per char-CNN pooling layer. */
function maxPoolGradKernel(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
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
    instance(backend).maxPoolGrad(
      offset(backend, dy),
      offset(backend, input),
      offset(backend, dx),
      info.batchSize,
      info.inHeight,
      info.inWidth,
      info.inChannels,
      info.outHeight,
      info.outWidth,
      info.filterHeight,
      info.filterWidth,
      info.strideHeight,
      info.strideWidth,
      info.padInfo.top,
      info.padInfo.left,
    );
    return dx;
  }
  if (packageMaxPoolGrad === undefined) throw new Error('blindspots MaxPoolGrad (wasm): the package kernel is missing');
  return packageMaxPoolGrad.kernelFunc(args as unknown as KernelArgs) as tf.TensorInfo;
}

export const ONE_HOT_CONV_KERNEL = 'BlindspotsOneHotConv';
export const ONE_HOT_CONV_GRAD_KERNEL = 'BlindspotsOneHotConvGrad';
export const BIAS_RELU_KERNEL = 'BlindspotsBiasRelu';
export const BIAS_RELU_GRAD_KERNEL = 'BlindspotsBiasReluGrad';

/**
 * The 'valid' 1-D convolution of one-hot characters, `{ codes, filter }` -> [N, 1, L - KW + 1, F]:
 * codes [N, L] int32 (a letter's index, negative for none), filter [1, KW, A, F]. See conv.c's oneHotConv.
 */
function oneHotConvKernel(args: { inputs: tf.NamedTensorInfoMap; backend: unknown }): tf.TensorInfo {
  const backend = args.backend as WasmBackend;
  const { codes, filter } = args.inputs as { codes: tf.TensorInfo; filter: tf.TensorInfo };
  const [N, L] = codes.shape as [number, number];
  const [, KW, A, F] = filter.shape as [number, number, number, number];
  const out = backend.makeOutput([N, 1, L - KW + 1, F], 'float32');
  instance(backend).oneHotConv(offset(backend, codes), offset(backend, filter), offset(backend, out), N, L, A, KW, F);
  return out;
}

/** Its filter gradient, `{ codes, dy }` -> [1, KW, A, F] (attrs `filterShape`). */
function oneHotConvGradKernel(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const backend = args.backend as WasmBackend;
  const { codes, dy } = args.inputs as { codes: tf.TensorInfo; dy: tf.TensorInfo };
  const { filterShape } = args.attrs as unknown as { filterShape: [number, number, number, number] };
  const [N, L] = codes.shape as [number, number];
  const [, KW, A, F] = filterShape;
  const out = backend.makeOutput([...filterShape], 'float32');
  instance(backend).oneHotConvFilterGrad(offset(backend, codes), offset(backend, dy), offset(backend, out), N, L, A, KW, F);
  return out;
}

/** `relu(x + bias)`, bias along the last axis, in one pass. */
function biasReluKernel(args: { inputs: tf.NamedTensorInfoMap; backend: unknown }): tf.TensorInfo {
  const backend = args.backend as WasmBackend;
  const { x, bias } = args.inputs as { x: tf.TensorInfo; bias: tf.TensorInfo };
  const C = x.shape[x.shape.length - 1] as number;
  const out = backend.makeOutput([...x.shape], 'float32');
  instance(backend).biasRelu(offset(backend, x), offset(backend, bias), offset(backend, out), tf.util.sizeFromShape(x.shape) / C, C);
  return out;
}

/** Its gradient from the output, `{ dy, y }` -> `[dx, dbias]`. */
function biasReluGradKernel(args: { inputs: tf.NamedTensorInfoMap; backend: unknown }): tf.TensorInfo[] {
  const backend = args.backend as WasmBackend;
  const { dy, y } = args.inputs as { dy: tf.TensorInfo; y: tf.TensorInfo };
  const C = y.shape[y.shape.length - 1] as number;
  const dx = backend.makeOutput([...y.shape], 'float32');
  const dbias = backend.makeOutput([C], 'float32');
  withScratch(backend, C, (acc, blk) => {
    instance(backend).biasReluGrad(
      offset(backend, dy),
      offset(backend, y),
      offset(backend, dx),
      offset(backend, dbias),
      acc,
      blk,
      tf.util.sizeFromShape(y.shape) / C,
      C,
    );
  });
  return [dx, dbias];
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
    offset(backend, v),
    offset(backend, m),
    offset(backend, g),
    offset(backend, vOut),
    offset(backend, mOut),
    tf.util.sizeFromShape(v.shape),
    attrs.learningRate,
    attrs.momentum,
    attrs.weightDecay,
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

function shortcutDims(
  inShape: readonly number[],
  attrs: ShortcutAttrs,
): [number, number, number, number, number, number, number, number, number, number] {
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
  if (x.dtype !== 'float32' || indices.dtype !== 'int32')
    throw new Error('blindspots GatherRows (wasm): float32 rows and int32 indices only');
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
  const { x, gamma, beta, residual } = args.inputs as {
    x: tf.TensorInfo;
    gamma: tf.TensorInfo;
    beta: tf.TensorInfo;
    residual?: tf.TensorInfo;
  };
  const attrs = args.attrs as unknown as BatchNormAttrs;
  const C = x.shape[x.shape.length - 1] as number;
  const M = tf.util.sizeFromShape(x.shape) / C;
  const y = backend.makeOutput([...x.shape], 'float32');
  const mean = backend.makeOutput([C], 'float32');
  const variance = backend.makeOutput([C], 'float32');
  withScratch(backend, C, (acc, blk) => {
    instance(backend).batchNormForward(
      offset(backend, x),
      offset(backend, gamma),
      offset(backend, beta),
      residual === undefined ? 0 : offset(backend, residual),
      offset(backend, y),
      offset(backend, mean),
      offset(backend, variance),
      acc,
      blk,
      M,
      C,
      attrs.relu ? 1 : 0,
      attrs.epsilon,
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
      offset(backend, dy),
      offset(backend, x),
      offset(backend, y),
      offset(backend, gamma),
      offset(backend, mean),
      offset(backend, variance),
      offset(backend, dx),
      offset(backend, dgamma),
      offset(backend, dbeta),
      dz === undefined ? 0 : offset(backend, dz),
      acc,
      blk,
      M,
      C,
      attrs.relu ? 1 : 0,
      attrs.epsilon,
    );
  });
  return dz === undefined ? [dx, dgamma, dbeta] : [dx, dgamma, dbeta, dz];
}

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
      out.set(t.dataSync(), o);
    }
    o += t.size;
  }
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
  // Kernels that hand some cases back to the package's: keep its config (and setup) for those.
  const wrap = (kernelName: string, kernelFunc: unknown): tf.KernelConfig | undefined => {
    const config = tf.getKernel(kernelName, 'wasm');
    if (config === undefined) return undefined;
    tf.unregisterKernel(kernelName, 'wasm');
    const { setupFunc } = config;
    tf.registerKernel({
      kernelName,
      backendName: 'wasm',
      kernelFunc: kernelFunc as tf.KernelFunc,
      ...(setupFunc === undefined ? {} : { setupFunc }),
    });
    return config;
  };
  xnnpackConv2D = wrap('Conv2D', conv2dKernel);
  packageBatchMatMul = wrap('BatchMatMul', batchMatMulKernel);
  packageMaxPoolGrad = wrap('MaxPoolGrad', maxPoolGradKernel);
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
    [ONE_HOT_CONV_KERNEL, oneHotConvKernel],
    [ONE_HOT_CONV_GRAD_KERNEL, oneHotConvGradKernel],
    [BIAS_RELU_KERNEL, biasReluKernel],
    [BIAS_RELU_GRAD_KERNEL, biasReluGradKernel],
  ] as const) {
    if (tf.getKernel(kernelName, 'wasm') !== undefined) tf.unregisterKernel(kernelName, 'wasm');
    tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc: kernelFunc });
  }
}
