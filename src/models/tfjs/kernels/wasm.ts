/**
 * What every glue file of the library's wasm kernels shares: the signatures of conv.c's exports,
 * the parts of tfjs-backend-wasm's backend they use, the module's instantiation in the backend's
 * own memory, and the shape of a kernel definition that `index.ts` registers.
 */
import * as tf from '@tensorflow/tfjs';
import { convModule } from '../convModule.js';

/**
 * The exports of conv.c (src/kernels/convWasm.ts), pointers and sizes as numbers. Kept in step
 * with the module by {@link CONV_EXPORT_ARITY} (compile time) and test/kernels/exports.test.ts
 * (the module's actual exports).
 */
export interface ConvKernels {
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
  winograd43Filter(w: number, U: number, C: number, F: number): void;
  winograd43Conv(
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
  winograd43FilterGrad(
    x: number,
    dy: number,
    V: number,
    D: number,
    Macc: number,
    dw: number,
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
  winograd1dFilter(w: number, G: number, U: number, r: number, a: number, C: number, F: number): void;
  winograd1dConv(
    x: number,
    U: number,
    BT: number,
    AT: number,
    V: number,
    M: number,
    y: number,
    R: number,
    W: number,
    C: number,
    Wo: number,
    F: number,
    pl: number,
    m: number,
    a: number,
  ): void;
  winograd1dFilterGrad(
    x: number,
    dy: number,
    BT: number,
    AT: number,
    G: number,
    V: number,
    D: number,
    Macc: number,
    dw: number,
    R: number,
    W: number,
    C: number,
    Wo: number,
    F: number,
    pl: number,
    m: number,
    r: number,
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
  batchNormApply(
    x: number,
    gamma: number,
    beta: number,
    mean: number,
    variance: number,
    res: number,
    y: number,
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

/**
 * The parameter count of each export of {@link ConvKernels}, checked against the interface by the
 * compiler (a signature changed on one side only fails to compile) and against the module's
 * actual exports by test/kernels/exports.test.ts.
 */
export const CONV_EXPORT_ARITY = {
  conv2dBackpropFilter: 16,
  conv2dBackpropInput: 17,
  padImages: 10,
  packFilter8: 4,
  conv2dValid: 13,
  winogradFilter: 4,
  winogradConv: 14,
  winograd43Filter: 4,
  winograd43Conv: 14,
  winograd43FilterGrad: 15,
  winograd1dFilter: 7,
  winograd1dConv: 15,
  winograd1dFilterGrad: 17,
  flipFilter: 6,
  sgdMomentum: 9,
  axpby: 6,
  shortcutForward: 11,
  shortcutBackward: 11,
  gatherRows: 6,
  batchNormForward: 13,
  batchNormApply: 12,
  batchNormBackward: 16,
  matMul: 11,
  oneHotConv: 8,
  oneHotConvFilterGrad: 8,
  biasRelu: 5,
  biasReluGrad: 8,
  maxPoolGrad: 15,
} as const satisfies { readonly [K in keyof ConvKernels]: Parameters<ConvKernels[K]>['length'] };

/** The parts of tfjs-backend-wasm's BackendWasm the kernels use. */
export interface WasmBackend {
  dataIdMap: { get(id: object): { memoryOffset: number } | undefined };
  incRef(id: object): void;
  makeOutput(shape: number[], dtype: 'float32'): tf.TensorInfo;
  disposeData(id: object): boolean;
  wasm: { asm: { memory: object }; _malloc(bytes: number): number; _free(ptr: number): void };
}

/** The parts of the WebAssembly API used here (the project's lib settings do not include DOM types). */
export interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
}

export { convModuleBytes } from '../convModule.js';

let kernels: ConvKernels | undefined;

/** conv.c instantiated on the backend's memory (once): tensors are read and written in place. */
export function instance(backend: WasmBackend): ConvKernels {
  if (kernels === undefined) {
    const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
    const module = convModule();
    kernels = new wasm.Instance(module, { env: { memory: backend.wasm.asm.memory } }).exports as ConvKernels;
  }
  return kernels;
}

/** The byte offset of a tensor's values in the backend's memory. */
export function offset(backend: WasmBackend, t: tf.TensorInfo): number {
  const data = backend.dataIdMap.get(t.dataId);
  if (data === undefined) throw new Error('blindspots wasm kernel: tensor data not found on the wasm backend');
  return data.memoryOffset;
}

/** Runs `body` with scratch for the per-channel reductions: 2C doubles and 2C floats, 8-byte aligned. */
export function withScratch<T>(backend: WasmBackend, channels: number, body: (acc: number, blk: number) => T): T {
  const acc = backend.wasm._malloc(channels * 16 + channels * 8 + 16);
  try {
    const aligned = (acc + 7) & ~7;
    return body(aligned, aligned + channels * 16);
  } finally {
    backend.wasm._free(acc);
  }
}

/** What a kernel function receives from tfjs. */
export type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap };

/**
 * One of the library's wasm kernels, as a glue file declares it and `index.ts` registers it.
 * `make` builds the kernel function; when `fallback` is set the package's own kernel of that name
 * is kept (with its setup) and passed to `make`, for the cases the library's kernel hands back.
 */
export interface WasmKernel<N extends string = string> {
  readonly kernelName: N;
  readonly fallback?: boolean;
  readonly make: (packageKernel: tf.KernelConfig | undefined) => (args: KernelArgs) => tf.TensorInfo | tf.TensorInfo[];
}

/** A kernel function that runs the package's kernel, or says that it is missing. */
export function runPackage(kernelName: string, config: tf.KernelConfig | undefined, args: KernelArgs): tf.TensorInfo | tf.TensorInfo[] {
  if (config === undefined) throw new Error(`blindspots ${kernelName} (wasm): the package kernel is missing`);
  return config.kernelFunc(args as unknown as Parameters<tf.KernelFunc>[0]) as tf.TensorInfo | tf.TensorInfo[];
}
