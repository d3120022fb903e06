/**
 * The convolutions: `Conv2D` (stride 1 through winograd.c's Winograd or conv.c's register-tiled kernels,
 * other strides through the same tile on the native kernels and the package's XNNPACK one on wasm), `Conv2DBackpropFilter` (missing from
 * tfjs-backend-wasm 4.x) and `Conv2DBackpropInput` (stride 1 as a forward convolution on the
 * flipped filter; the package's is a scalar loop).
 */
import * as tf from '@tensorflow/tfjs';
import { type KernelArgs, type WasmBackend, type WasmKernel, instance, kernelBuild, offset, runPackage, withScratch } from './wasm.js';

type ConvAttrs = {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
};

/** tfjs's Conv2DInfo of an NHWC convolution, dilation 1 (`kernel` names it in the error for NCHW). @internal */
export function convInfo(kernel: string, xShape: number[], filterShape: number[], attrs: ConvAttrs): tf.backend_util.Conv2DInfo {
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

/**
 * Which algorithm runs each stride-1 3x3 convolution (C % 4 == 0, F % 8 == 0): the Winograd tile of
 * the forward and input-gradient convolutions by channel count, and whether the filter gradient
 * uses Winograd F(4x4, 3x3). The defaults are what measured fastest (docs/performance.md); tests
 * and benchmarks change them to compare.
 *
 * @internal
 */
export const convAlgorithms: {
  /** The Winograd output tile (2: F(2x2, 3x3), 4: F(4x4, 3x3)) for a convolution of C to F channels. */
  forwardTile: (C: number, F: number) => 2 | 4;
  /** Whether the filter gradient of a convolution of C to F channels runs through F(4x4, 3x3). */
  winogradFilterGrad: (C: number, F: number) => boolean;
  /** Whether 1 x 3 and 1 x 7 convolutions (forward, input and filter gradients) use 1-D Winograd. */
  winograd1d: (KW: number, C: number, F: number) => boolean;
  /** Whether inference batch norm after an F(4x4, 3x3) convolution runs in its output transform (else a pass of its own). */
  batchNormEpilogue: boolean;
} = {
  forwardTile: () => 4,
  winogradFilterGrad: () => true,
  winograd1d: () => true,
  batchNormEpilogue: true,
};

/**
 * 1-D Winograd transforms by filter width: F(4, 3) (points 0, +-1, +-2, inf: the rows of the 2-D
 * F(4x4, 3x3)) and F(2, 7) (points 0, +-1, +-2, +-1/2, inf; BT derived so that AT [(G g) . (BT d)]
 * is the correlation, checked in test/kernels/parity.test.ts). m outputs per tile of a = m + r - 1.
 */
const WINOGRAD_1D: Record<number, { m: number; BT: number[][]; G: number[][]; AT: number[][] }> = {
  3: {
    m: 4,
    BT: [
      [4, 0, -5, 0, 1, 0],
      [0, -4, -4, 1, 1, 0],
      [0, 4, -4, -1, 1, 0],
      [0, -2, -1, 2, 1, 0],
      [0, 2, -1, -2, 1, 0],
      [0, 4, 0, -5, 0, 1],
    ],
    G: [
      [1 / 4, 0, 0],
      [-1 / 6, -1 / 6, -1 / 6],
      [-1 / 6, 1 / 6, -1 / 6],
      [1 / 24, 1 / 12, 1 / 6],
      [1 / 24, -1 / 12, 1 / 6],
      [0, 0, 1],
    ],
    AT: [
      [1, 1, 1, 1, 1, 0],
      [0, 1, -1, 2, -2, 0],
      [0, 1, 1, 4, 4, 0],
      [0, 1, -1, 8, -8, 1],
    ],
  },
  7: {
    m: 2,
    BT: [
      [-1, 0, 21 / 4, 0, -21 / 4, 0, 1, 0],
      [0, 1, 1, -17 / 4, -17 / 4, 1, 1, 0],
      [0, -1, 1, 17 / 4, -17 / 4, -1, 1, 0],
      [0, 1 / 2, 1 / 4, -5 / 2, -5 / 4, 2, 1, 0],
      [0, -1 / 2, 1 / 4, 5 / 2, -5 / 4, -2, 1, 0],
      [0, 2, 4, -5 / 2, -5, 1 / 2, 1, 0],
      [0, -2, 4, 5 / 2, -5, -1 / 2, 1, 0],
      [0, -1, 0, 21 / 4, 0, -21 / 4, 0, 1],
    ],
    G: [
      [-1, 0, 0, 0, 0, 0, 0],
      [-2 / 9, -2 / 9, -2 / 9, -2 / 9, -2 / 9, -2 / 9, -2 / 9],
      [-2 / 9, 2 / 9, -2 / 9, 2 / 9, -2 / 9, 2 / 9, -2 / 9],
      [1 / 90, 1 / 45, 2 / 45, 4 / 45, 8 / 45, 16 / 45, 32 / 45],
      [1 / 90, -1 / 45, 2 / 45, -4 / 45, 8 / 45, -16 / 45, 32 / 45],
      [32 / 45, 16 / 45, 8 / 45, 4 / 45, 2 / 45, 1 / 45, 1 / 90],
      [32 / 45, -16 / 45, 8 / 45, -4 / 45, 2 / 45, -1 / 45, 1 / 90],
      [0, 0, 0, 0, 0, 0, 1],
    ],
    AT: [
      [1, 1, 1, 1, 1, 1, 1, 0],
      [0, 1, -1, 2, -2, 1 / 2, -1 / 2, 1],
    ],
  },
};

/** Tiles per block of winograd.c's 1-D Winograd kernels (WG1_BLOCK). */
export const WG1_BLOCK = 32;

/**
 * Runs `body` with the 1-D Winograd transforms for filter width `r` written into the backend's
 * memory (BT, then G, then AT), or returns undefined when there are none for `r`.
 */
function withTransforms1d<T>(
  backend: WasmBackend,
  r: number,
  body: (t: { m: number; a: number; BT: number; G: number; AT: number }) => T,
): T | undefined {
  const t = WINOGRAD_1D[r];
  if (t === undefined) return undefined;
  const values = new Float32Array([...t.BT.flat(), ...t.G.flat(), ...t.AT.flat()]);
  const a = t.m + r - 1;
  const ptr = backend.wasm._malloc(values.length * 4);
  try {
    new Float32Array((backend.wasm.asm.memory as { buffer: ArrayBuffer }).buffer, ptr, values.length).set(values);
    return body({ m: t.m, a, BT: ptr, G: ptr + a * a * 4, AT: ptr + (a * a + a * r) * 4 });
  } finally {
    backend.wasm._free(ptr);
  }
}

/** Whether a stride-1 convolution with this filter and padding runs through 1-D Winograd. */
function winograd1d(KH: number, KW: number, C: number, F: number, padTop: number, padBottom: number): boolean {
  return (
    KH === 1 &&
    WINOGRAD_1D[KW] !== undefined &&
    C % 4 === 0 &&
    F % 8 === 0 &&
    padTop === 0 &&
    padBottom === 0 &&
    convAlgorithms.winograd1d(KW, C, F)
  );
}

/** Tiles per block of winograd.c's winograd43Conv and winograd43FilterGrad (WG4_BLOCK). */
export const WG4_BLOCK = 24;

function backpropFilter(args: KernelArgs): tf.TensorInfo {
  const backend = args.backend as WasmBackend;
  const { x, dy } = args.inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const attrs = args.attrs as unknown as ConvAttrs & { filterShape: number[] };
  const info = convInfo('Conv2DBackpropFilter', x.shape, attrs.filterShape, attrs);
  const out = backend.makeOutput([...attrs.filterShape], 'float32');
  const k = instance(backend);
  const [C, F] = [info.inChannels, info.outChannels];
  const { top, bottom, left, right } = info.padInfo;
  if (info.strideHeight === 1 && info.strideWidth === 1 && winograd1d(info.filterHeight, info.filterWidth, C, F, top, bottom)) {
    const done = withTransforms1d(backend, info.filterWidth, ({ m, a, BT, G, AT }) => {
      const scratch = backend.wasm._malloc((a * WG1_BLOCK * (C + F) + a * C * F) * 4);
      try {
        const D = scratch + a * WG1_BLOCK * C * 4;
        k.winograd1dFilterGrad({
          x: offset(backend, x),
          dy: offset(backend, dy),
          BT,
          AT,
          G,
          V: scratch,
          D,
          Macc: D + a * WG1_BLOCK * F * 4,
          dw: offset(backend, out),
          R: info.batchSize * info.inHeight,
          W: info.inWidth,
          C,
          Wo: info.outWidth,
          F,
          pl: left,
          m,
          r: info.filterWidth,
        });
      } finally {
        backend.wasm._free(scratch);
      }
      return true;
    });
    if (done === true) return out;
  }
  if (
    info.strideHeight === 1 &&
    info.strideWidth === 1 &&
    info.filterHeight === 3 &&
    info.filterWidth === 3 &&
    C % 4 === 0 &&
    F % 8 === 0 &&
    Math.max(top, bottom, left, right) <= 2 &&
    convAlgorithms.winogradFilterGrad(C, F)
  ) {
    // Scratch: V and D for a block of tiles, the 36 accumulated C x F products.
    const scratch = backend.wasm._malloc((36 * WG4_BLOCK * (C + F) + 36 * C * F) * 4);
    try {
      const D = scratch + 36 * WG4_BLOCK * C * 4;
      k.winograd43FilterGrad({
        x: offset(backend, x),
        dy: offset(backend, dy),
        V: scratch,
        D,
        Macc: D + 36 * WG4_BLOCK * F * 4,
        dw: offset(backend, out),
        N: info.batchSize,
        H: info.inHeight,
        W: info.inWidth,
        C,
        Ho: info.outHeight,
        Wo: info.outWidth,
        F,
        pt: top,
        pl: left,
      });
    } finally {
      backend.wasm._free(scratch);
    }
    return out;
  }
  k.conv2dBackpropFilter({
    x: offset(backend, x),
    dy: offset(backend, dy),
    dw: offset(backend, out),
    N: info.batchSize,
    H: info.inHeight,
    W: info.inWidth,
    C,
    Ho: info.outHeight,
    Wo: info.outWidth,
    F,
    KH: info.filterHeight,
    KW: info.filterWidth,
    sh: info.strideHeight,
    sw: info.strideWidth,
    pt: top,
    pl: left,
  });
  return out;
}

/** Tiles per block of winograd.c's winogradConv (WG_BLOCK): its scratch is sized for this many. */
export const WG_BLOCK = 32;

/**
 * Which kernels run a stride-1 convolution of C to F channels with a KH x KW filter and these
 * paddings ({@link stride1Conv}; `bn`: followed by inference batch norm): Winograd F(4x4, 3x3)
 * with batch norm in its output transform, 1-D Winograd, 2-D Winograd (the tile by
 * `convAlgorithms.forwardTile`) or the direct kernel. The inference plans (plan.ts) follow it.
 *
 * @internal
 */
export function stride1Algorithm(
  KH: number,
  KW: number,
  C: number,
  F: number,
  pads: { top: number; bottom: number },
  bn: boolean,
): 'winograd43-bn' | 'winograd1d' | 'winograd' | 'direct' {
  const winograd = KH === 3 && KW === 3 && C % 4 === 0 && F % 8 === 0;
  if (bn && winograd && convAlgorithms.batchNormEpilogue && convAlgorithms.forwardTile(C, F) === 4) return 'winograd43-bn';
  if (winograd1d(KH, KW, C, F, pads.top, pads.bottom)) return 'winograd1d';
  return winograd ? 'winograd' : 'direct';
}

/**
 * A stride-1 convolution of `x` [N, H, W, C] with the filter at `filterPtr` [KH, KW, C, F] into
 * `out` [N, Ho, Wo, F], zero-padded by `pads`: 1 x 3 and 1 x 7 filters (the char-CNN's) through
 * 1-D Winograd when {@link convAlgorithms} says so; 3x3 filters with C % 4 == 0 and F % 8 == 0
 * (ResNet's layers and their input gradients) through Winograd F(4x4, 3x3) or F(2x2, 3x3), by
 * `convAlgorithms.forwardTile`, which read the padding as zeros; the rest through the
 * register-tiled conv2dValid on a padded copy of x (no edge cases in the inner loops). Why not
 * XNNPACK's Conv2D: Winograd does fewer multiplies, and conv2dValid keeps its tile in registers
 * (timings in docs/performance.md).
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
  bn?: BatchNormEpilogue,
): void {
  const [N, H, W, C] = x.shape as [number, number, number, number];
  const Hp = H + pads.top + pads.bottom;
  const Wp = W + pads.left + pads.right;
  const [Ho, Wo] = [Hp - KH + 1, Wp - KW + 1];
  if (out.shape.join() !== [N, Ho, Wo, F].join())
    throw new Error(`blindspots conv (wasm): output [${out.shape.join(', ')}] for [${[N, Ho, Wo, F].join(', ')}]`);
  const k = instance(backend);
  if (bn !== undefined && stride1Algorithm(KH, KW, C, F, pads, true) === 'winograd43-bn') {
    winograd43Bn(backend, x, filterPtr, pads, F, out, bn);
    return;
  }
  if (bn !== undefined) {
    // Another algorithm, then batch norm in place (batchNormApply reads each value before writing it).
    stride1Conv(backend, x, filterPtr, pads, KH, KW, F, out);
    const y = offset(backend, out);
    withScratch(backend, F, (_acc, blk) => {
      k.batchNormApply({ x: y, ...bn.params, res: bn.res, y, blk, M: N * Ho * Wo, C: F, relu: bn.relu ? 1 : 0, eps: bn.eps });
    });
    return;
  }
  if (winograd1d(KH, KW, C, F, pads.top, pads.bottom)) {
    const done = withTransforms1d(backend, KW, ({ m, a, BT, G, AT }) => {
      const scratch = backend.wasm._malloc((a * C * F + a * WG1_BLOCK * (C + F)) * 4);
      try {
        const V = scratch + a * C * F * 4;
        k.winograd1dFilter({ w: filterPtr, G, U: scratch, r: KW, a, C, F });
        k.winograd1dConv({
          x: offset(backend, x),
          U: scratch,
          BT,
          AT,
          V,
          M: V + a * WG1_BLOCK * C * 4,
          y: offset(backend, out),
          R: N * H,
          W,
          C,
          Wo,
          F,
          pl: pads.left,
          m,
          a,
        });
      } finally {
        backend.wasm._free(scratch);
      }
      return true;
    });
    if (done === true) return;
  }
  const tile = stride1Algorithm(KH, KW, C, F, pads, false) === 'winograd' ? convAlgorithms.forwardTile(C, F) : 0;
  if (tile === 0) {
    directConv(backend, x, filterPtr, pads, KH, KW, 1, 1, out);
    return;
  }
  // Winograd reads the padding as zeros. Scratch: the transformed filter U, then the per-block V and M.
  const scratch = backend.wasm._malloc((tile === 4 ? 36 * C * F + 36 * WG4_BLOCK * (C + F) : 16 * C * F + 16 * WG_BLOCK * (C + F)) * 4);
  try {
    const input = offset(backend, x);
    if (tile === 4) {
      const V = scratch + 36 * C * F * 4;
      k.winograd43Filter({ w: filterPtr, U: scratch, C, F });
      const M = V + 36 * WG4_BLOCK * C * 4;
      k.winograd43Conv({ x: input, U: scratch, V, M, y: offset(backend, out), N, H, W, C, Ho, Wo, F, pt: pads.top, pl: pads.left });
    } else {
      const V = scratch + 16 * C * F * 4;
      k.winogradFilter({ w: filterPtr, U: scratch, C, F });
      const M = V + 16 * WG_BLOCK * C * 4;
      k.winogradConv({ x: input, U: scratch, V, M, y: offset(backend, out), N, H, W, C, Ho, Wo, F, pt: pads.top, pl: pads.left });
    }
  } finally {
    backend.wasm._free(scratch);
  }
}

/** Inference batch norm after a convolution: pointers to its per-channel parameters and to the residual (0 for none). */
interface BatchNormEpilogue {
  readonly params: { gamma: number; beta: number; mean: number; var: number };
  readonly res: number;
  readonly relu: boolean;
  readonly eps: number;
}

/** Winograd F(4x4, 3x3) with batch norm in its output transform (winograd.c's winograd43ConvBn). */
function winograd43Bn(
  backend: WasmBackend,
  x: tf.TensorInfo,
  filterPtr: number,
  pads: { top: number; left: number },
  F: number,
  out: tf.TensorInfo,
  bn: BatchNormEpilogue,
): void {
  const [N, H, W, C] = x.shape as [number, number, number, number];
  const [, Ho, Wo] = out.shape as [number, number, number, number];
  const k = instance(backend);
  const scratch = backend.wasm._malloc((2 * F + 36 * C * F + 36 * WG4_BLOCK * (C + F)) * 4);
  try {
    const [scale, shift, U] = [scratch, scratch + F * 4, scratch + 2 * F * 4];
    const V = U + 36 * C * F * 4;
    k.batchNormScaleShift({ ...bn.params, scale, shift, C: F, eps: bn.eps });
    k.winograd43Filter({ w: filterPtr, U, C, F });
    k.winograd43ConvBn({
      x: offset(backend, x),
      U,
      V,
      M: V + 36 * WG4_BLOCK * C * 4,
      y: offset(backend, out),
      N,
      H,
      W,
      C,
      Ho,
      Wo,
      F,
      pt: pads.top,
      pl: pads.left,
      scale,
      shift,
      res: bn.res,
      relu: bn.relu ? 1 : 0,
    });
  } finally {
    backend.wasm._free(scratch);
  }
}

/**
 * The direct convolution of `x` [N, H, W, C] with the filter at `filterPtr` [KH, KW, C, F], strides
 * sh, sw, into `out` [N, Ho, Wo, F]: conv2dValid's register tile on a copy of x zero-padded by
 * `pads` (no edge cases in the inner loops), the filter packed in panels of 8 for its 4-lane tile.
 */
function directConv(
  backend: WasmBackend,
  x: tf.TensorInfo,
  filterPtr: number,
  pads: { top: number; bottom: number; left: number; right: number },
  KH: number,
  KW: number,
  sh: number,
  sw: number,
  out: tf.TensorInfo,
): void {
  const [N, H, W, C] = x.shape as [number, number, number, number];
  const [, Ho, Wo, F] = out.shape as [number, number, number, number];
  const [Hp, Wp] = [H + pads.top + pads.bottom, W + pads.left + pads.right];
  const k = instance(backend);
  const T = KH * KW * C;
  const scratch = backend.wasm._malloc(Math.max(1, T * (F & ~7)) * 4);
  const padded = pads.top + pads.bottom + pads.left + pads.right === 0 ? 0 : backend.wasm._malloc(N * Hp * Wp * C * 4);
  try {
    if (padded !== 0) k.padImages({ x: offset(backend, x), xp: padded, N, H, W, C, Hp, Wp, pt: pads.top, pl: pads.left });
    k.packFilter8({ w: filterPtr, wp: scratch, T, F });
    const xp = padded === 0 ? offset(backend, x) : padded;
    k.conv2dValid({ xp, w: filterPtr, wp: scratch, y: offset(backend, out), N, Hp, Wp, C, Ho, Wo, F, KH, KW, sh, sw });
  } finally {
    if (padded !== 0) backend.wasm._free(padded);
    backend.wasm._free(scratch);
  }
}

/**
 * A strided convolution (ResNet's downsampling layers) of `x` into `out` through {@link directConv}
 * (natively at the full vector width, and split over intra-op threads) instead of XNNPACK's
 * one-thread wasm kernel. False when the padding does not give tfjs's output size (the caller then
 * runs the package's kernel).
 */
function stridedConv(
  backend: WasmBackend,
  x: tf.TensorInfo,
  filter: tf.TensorInfo,
  info: tf.backend_util.Conv2DInfo,
  out: tf.TensorInfo,
): boolean {
  if (!stridedConvFits(info)) return false;
  directConv(
    backend,
    x,
    offset(backend, filter),
    info.padInfo,
    info.filterHeight,
    info.filterWidth,
    info.strideHeight,
    info.strideWidth,
    out,
  );
  return true;
}

/**
 * Whether {@link stridedConv} runs the convolution of `info` (its padding gives tfjs's output
 * size). The inference plans (plan.ts) follow it.
 *
 * @internal
 */
export function stridedConvFits(info: tf.backend_util.Conv2DInfo): boolean {
  const pads = info.padInfo;
  const [Hp, Wp] = [info.inHeight + pads.top + pads.bottom, info.inWidth + pads.left + pads.right];
  return (
    Math.min(pads.top, pads.bottom, pads.left, pads.right) >= 0 &&
    Math.floor((Hp - info.filterHeight) / info.strideHeight) + 1 === info.outHeight &&
    Math.floor((Wp - info.filterWidth) / info.strideWidth) + 1 === info.outWidth
  );
}

/**
 * `Conv2D` on wasm: dilation 1, NHWC float32 — stride 1 through {@link stride1Conv}, other strides
 * through {@link stridedConv} on the native kernels; anything else (and, as before, strided
 * convolutions on the wasm kernels) through the package's XNNPACK kernel.
 */
function conv2dKernel(args: KernelArgs, xnnpack: tf.KernelConfig | undefined): tf.TensorInfo | tf.TensorInfo[] {
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
    if (kernelBuild() === 'native') {
      const out = backend.makeOutput([...info.outShape], 'float32');
      if (stridedConv(backend, x, filter, info, out)) return out;
      backend.disposeData(out.dataId);
    }
  }
  return runPackage('Conv2D', xnnpack, args);
}

/**
 * A stride-1 convolution followed by inference batch norm (+ residual, + ReLU) in one output:
 * `{ x, filter, gamma, beta, mean, variance, residual? }` with attrs {@link ConvBatchNormAttrs} ->
 * `relu?(bn(conv2d(x, filter)) + residual?)` (wasm only). Where the convolution runs through
 * Winograd F(4x4, 3x3), batch norm happens in its output transform (no pass over the output of its
 * own); the same bits as `Conv2D` then {@link BATCH_NORM_INFERENCE_KERNEL} on the same build.
 */
export const CONV_BATCH_NORM_INFERENCE_KERNEL = 'BlindspotsConv2DBatchNormInference';

/** Attributes of {@link CONV_BATCH_NORM_INFERENCE_KERNEL}: the stride-1 convolution's padding, batch norm's ReLU and epsilon. */
export interface ConvBatchNormAttrs {
  readonly pad: 'valid' | 'same' | number;
  readonly relu: boolean;
  readonly epsilon: number;
}

function convBatchNormInference(args: KernelArgs): tf.TensorInfo {
  const backend = args.backend as WasmBackend;
  const { x, filter, gamma, beta, mean, variance, residual } = args.inputs as Record<
    'x' | 'filter' | 'gamma' | 'beta' | 'mean' | 'variance',
    tf.TensorInfo
  > & { residual?: tf.TensorInfo };
  const attrs = args.attrs as unknown as ConvBatchNormAttrs;
  if (x.shape.length !== 4 || filter.shape.length !== 4)
    throw new Error(
      `${CONV_BATCH_NORM_INFERENCE_KERNEL} (wasm): x [${x.shape.join(', ')}] and filter [${filter.shape.join(', ')}] must be 4-D`,
    );
  const info = convInfo(CONV_BATCH_NORM_INFERENCE_KERNEL, x.shape, filter.shape, { strides: 1, pad: attrs.pad, dataFormat: 'NHWC' });
  const F = info.outChannels;
  for (const [name, t, shape] of [
    ['x', x, x.shape],
    ['filter', filter, [info.filterHeight, info.filterWidth, x.shape[3] ?? 0, F]],
    ['gamma', gamma, [F]],
    ['beta', beta, [F]],
    ['mean', mean, [F]],
    ['variance', variance, [F]],
    ['residual', residual, info.outShape],
  ] as const) {
    if (t !== undefined && (t.dtype !== 'float32' || t.shape.join() !== shape.join()))
      throw new Error(
        `${CONV_BATCH_NORM_INFERENCE_KERNEL} (wasm): ${name} of dtype ${t.dtype} and shape [${t.shape.join(', ')}], expected float32 [${shape.join(', ')}]`,
      );
  }
  const out = backend.makeOutput([...info.outShape], 'float32');
  const bn: BatchNormEpilogue = {
    params: { gamma: offset(backend, gamma), beta: offset(backend, beta), mean: offset(backend, mean), var: offset(backend, variance) },
    res: residual === undefined ? 0 : offset(backend, residual),
    relu: attrs.relu,
    eps: attrs.epsilon,
  };
  stride1Conv(backend, x, offset(backend, filter), info.padInfo, info.filterHeight, info.filterWidth, F, out, bn);
  return out;
}

function backpropInput(args: KernelArgs): tf.TensorInfo {
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
      k.flipFilter({ w: offset(backend, filter), wf: flipped, KH, KW, C: info.inChannels, F: info.outChannels });
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
    k.conv2dBackpropInput({
      dy: offset(backend, dy),
      w: offset(backend, filter),
      dx: offset(backend, out),
      wt,
      N: info.batchSize,
      H: info.inHeight,
      W: info.inWidth,
      C: info.inChannels,
      Ho: info.outHeight,
      Wo: info.outWidth,
      F: info.outChannels,
      KH: info.filterHeight,
      KW: info.filterWidth,
      sh: info.strideHeight,
      sw: info.strideWidth,
      pt: info.padInfo.top,
      pl: info.padInfo.left,
    });
  } finally {
    backend.wasm._free(wt);
  }
  return out;
}

/** The convolution kernels. */
export const convKernels = [
  { kernelName: 'Conv2D', fallback: true, make: (xnnpack) => (args) => conv2dKernel(args, xnnpack) },
  { kernelName: 'Conv2DBackpropFilter', make: () => backpropFilter },
  { kernelName: 'Conv2DBackpropInput', make: () => backpropInput },
  { kernelName: CONV_BATCH_NORM_INFERENCE_KERNEL, make: () => convBatchNormInference },
] as const satisfies readonly WasmKernel[];
