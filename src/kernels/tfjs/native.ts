/**
 * The native kernels addon (native/addon.c: the same C kernels as the wasm module, built for the
 * machine's vector width) in Node, where a prebuild for the platform loads; anywhere else — a
 * browser, another platform, `BLINDSPOTS_NATIVE=0`, a Node without `process.getBuiltinModule` —
 * the kernels run as wasm. Loading never throws: a failure is the reason the wasm kernels run.
 *
 * `BLINDSPOTS_NATIVE`: unset or `1` uses the best instruction set the CPU runs; `0` the wasm
 * kernels; `avx512`, `avx2` or `baseline` that instruction set (when the CPU runs it).
 */
import type { NativePositionalKernels } from '../bindings.js';

/** The addon's exports: the kernels (memory first) and the instruction-set controls. */
export interface NativeAddon extends NativePositionalKernels {
  /** The instruction sets this CPU runs, best first (`avx512`, `avx2`, `baseline`). */
  readonly isas: readonly string[];
  /** The instruction set this thread's kernels use. */
  isa(): string;
  /** Uses another of {@link NativeAddon.isas} on this thread; false when it is not one. */
  selectIsa(name: string): boolean;
  /**
   * Splits this thread's following kernel calls over `n` threads (native/threads.c; 1: this
   * thread only); false when the threads could not be started.
   */
  setThreads(n: number): boolean;
  /** The threads this thread's kernel calls use. */
  threads(): number;
}

/** The addon, or why it is not used. */
export type NativeState = { readonly addon: NativeAddon } | { readonly reason: string };

/** The parts of Node's `process` used here (the library's types serve browser builds too). */
interface NodeProcess {
  readonly versions?: { readonly node?: string };
  readonly env: Record<string, string | undefined>;
  readonly getBuiltinModule?: (id: string) => unknown;
}

type Require = (id: string) => unknown;

let state: NativeState | undefined;

function loadWith(
  createRequire: (from: string | URL) => Require,
  fileURLToPath: (url: URL) => string,
  env: NodeProcess['env'],
): NativeState {
  const setting = env.BLINDSPOTS_NATIVE;
  if (setting === '0') return { reason: 'BLINDSPOTS_NATIVE=0' };
  try {
    const require = createRequire(import.meta.url);
    const load = require('node-gyp-build') as (dir: string) => unknown;
    // The package's root: this file is src/kernels/tfjs/native.ts or dist/…/native.js.
    const addon = load(fileURLToPath(new URL('../../../', import.meta.url))) as NativeAddon;
    if (setting !== undefined && setting !== '' && setting !== '1' && !addon.selectIsa(setting))
      return { reason: `BLINDSPOTS_NATIVE=${setting}: not an instruction set this CPU runs (${addon.isas.join(', ')})` };
    return { addon };
  } catch (error) {
    return { reason: (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? 'failed to load' };
  }
}

/**
 * The native addon, loaded on first call (synchronously, through `process.getBuiltinModule`,
 * Node >= 20.16), or why it is not used.
 */
export function nativeKernels(): NativeState {
  if (state !== undefined) return state;
  const proc = (globalThis as { process?: NodeProcess }).process;
  if (proc?.versions?.node === undefined) state = { reason: 'not Node.js' };
  else if (typeof proc.getBuiltinModule !== 'function') state = { reason: 'process.getBuiltinModule is missing (Node < 20.16)' };
  else {
    const { createRequire } = proc.getBuiltinModule('node:module') as { createRequire: (from: string | URL) => Require };
    const { fileURLToPath } = proc.getBuiltinModule('node:url') as { fileURLToPath: (url: URL) => string };
    state = loadWith(createRequire, fileURLToPath, proc.env);
  }
  return state;
}

/**
 * What the library's training kernels run as on this thread: `native-avx512`, `native-avx2`,
 * `native-baseline` (the addon, by instruction set) or `wasm` (the wasm module).
 */
export function kernelPath(): string {
  const s = nativeKernels();
  return 'addon' in s ? `native-${s.addon.isa()}` : 'wasm';
}

/** Why the native kernels are not used, or undefined when they are. */
export function nativeUnavailableReason(): string | undefined {
  const s = nativeKernels();
  return 'reason' in s ? s.reason : undefined;
}
