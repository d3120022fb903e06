/**
 * What every glue file of the library's wasm kernels shares: the C kernels' bindings (generated
 * from src/kernels/*.c into src/kernels/bindings.ts, named arguments), the parts of
 * tfjs-backend-wasm's backend they use, the module's instantiation in the backend's own memory,
 * and the shape of a kernel definition that `index.ts` registers.
 */
import * as tf from '@tensorflow/tfjs';
import { type Kernels, type PositionalKernels, bindKernels, bindNativeKernels } from '../bindings.js';
import { convModule } from '../convModule.js';
import { nativeKernels } from './native.js';

export type { Kernels } from '../bindings.js';

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

/** Which build of the C kernels runs: the native addon where it loads (`auto`), or the wasm module. */
export type KernelBuild = 'auto' | 'wasm';

let kernels: Kernels | undefined;
let build: KernelBuild = 'auto';
let built: 'native' | 'wasm' = 'wasm';

/**
 * The C kernels on the backend's memory (once per build), tensors read and written in place: the
 * native addon (src/kernels/tfjs/native.ts) where it loads, called with the memory's
 * ArrayBuffer and the same byte offsets, else the wasm module instantiated on that memory. One
 * build serves every call of a process's thread, so a kernel's scratch layouts (a packed filter,
 * Winograd's transformed filter) are always made and read by the same build.
 */
export function instance(backend: WasmBackend): Kernels {
  if (kernels === undefined) {
    const memory = backend.wasm.asm.memory as { buffer: ArrayBuffer };
    const native = build === 'auto' ? nativeKernels() : undefined;
    if (native !== undefined && 'addon' in native) {
      kernels = bindNativeKernels(native.addon, memory);
      built = 'native';
    } else {
      const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
      kernels = bindKernels(new wasm.Instance(convModule(), { env: { memory } }).exports as PositionalKernels);
      built = 'wasm';
    }
  }
  return kernels;
}

/**
 * Chooses the build of the kernels for the following calls (`wasm` forces the wasm module even
 * where the addon loads): for tests and benchmarks that compare the two in one process. Safe
 * between tfjs kernel calls (each call makes and reads its own scratch).
 *
 * @internal
 */
export function useKernelBuild(which: KernelBuild): void {
  if (which !== build) kernels = undefined;
  build = which;
}

/** The build the next kernel call runs: `native` when the addon is used, else `wasm`. */
export function kernelBuild(): 'native' | 'wasm' {
  if (kernels !== undefined) return built;
  return build === 'auto' && 'addon' in nativeKernels() ? 'native' : 'wasm';
}

/**
 * Why this thread's kernels cannot run on intra-op threads (they are not the native addon's), or
 * undefined when they can.
 */
export function intraOpUnavailableReason(): string | undefined {
  if (build === 'wasm') return 'the wasm kernels were chosen (useKernelBuild)';
  const native = nativeKernels();
  return 'reason' in native ? `the native kernels are not loaded (${native.reason})` : undefined;
}

/** The threads this thread's kernel calls are split over (native/threads.c); 1 on the wasm kernels. */
export function kernelThreads(): number {
  const native = nativeKernels();
  return kernelBuild() === 'native' && 'addon' in native ? native.addon.threads() : 1;
}

/**
 * Runs `body` (synchronous tfjs work) with the native kernels' calls split over `threads` threads,
 * then puts the previous count back. `threads` 1 runs `body` as it is. Callers check
 * {@link intraOpUnavailableReason} first; here an unavailable addon is an error.
 */
export function withKernelThreads<T>(threads: number, body: () => T): T {
  if (threads <= 1) return body();
  const why = intraOpUnavailableReason();
  const native = nativeKernels();
  if (why !== undefined || !('addon' in native)) throw new Error(`blindspots: intra-op threads: ${why ?? 'no addon'}`);
  const previous = native.addon.threads();
  if (!native.addon.setThreads(threads)) throw new Error(`blindspots: intra-op threads: could not start ${String(threads)} threads`);
  try {
    return body();
  } finally {
    native.addon.setThreads(previous);
  }
}

/** The byte offset of a tensor's values in the backend's memory. */
export function offset(backend: WasmBackend, t: tf.TensorInfo): number {
  const data = backend.dataIdMap.get(t.dataId);
  if (data === undefined) throw new Error('blindspots wasm kernel: tensor data not found on the wasm backend');
  return data.memoryOffset;
}

/** Runs `body` with scratch for the per-channel reductions: 2C doubles and 3C floats, 8-byte aligned. */
export function withScratch<T>(backend: WasmBackend, channels: number, body: (acc: number, blk: number) => T): T {
  const acc = backend.wasm._malloc(channels * 16 + channels * 12 + 16);
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
