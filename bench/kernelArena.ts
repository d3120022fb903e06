/**
 * What the kernel benches (conv-kernels.ts, native-kernels.ts) share: the C kernels' wasm module
 * instantiated on a WebAssembly.Memory of its own (no tfjs), a bump allocator over that memory,
 * seeded fills, process-CPU timing and the error measure of their tables.
 */
import { type Kernels, type PositionalKernels, bindKernels } from '../src/kernels/bindings.js';
import { convModuleBytes, type WasmApi } from '../src/kernels/tfjs/wasm.js';

/** The wasm kernels on a memory of `pages` 64 KiB pages, and the allocator over it. */
export interface KernelArena {
  readonly memory: { readonly buffer: ArrayBuffer };
  /** The wasm build's kernels, on this memory. */
  readonly wasm: Kernels;
  /** The byte offset of `floats` float32 values, 64-byte aligned. */
  alloc(this: void, floats: number): number;
  /** Frees everything allocated: the next `alloc` starts again at the bottom. */
  reset(this: void): void;
  view(this: void, p: number, n: number): Float32Array;
  /** Fills `n` values at `p` with a seeded sequence in [-1, 1), continued call to call. */
  fill(this: void, p: number, n: number): void;
}

/** A new arena of `pages` 64 KiB pages (16,384: 1 GiB). */
export function kernelArena(pages: number): KernelArena {
  const api = globalThis as unknown as { WebAssembly: WasmApi & { Memory: new (d: { initial: number }) => { buffer: ArrayBuffer } } };
  const memory = new api.WebAssembly.Memory({ initial: pages });
  const wasm = bindKernels(
    new api.WebAssembly.Instance(new api.WebAssembly.Module(convModuleBytes()), { env: { memory } }).exports as PositionalKernels,
  );
  // The low kilobyte stays unused, so that no buffer sits at offset 0.
  const bottom = 1024;
  let top = bottom;
  let seed = 1;
  const view = (p: number, n: number): Float32Array => new Float32Array(memory.buffer, p, n);
  return {
    memory,
    wasm,
    alloc: (floats) => {
      const p = top;
      top += Math.ceil((floats * 4) / 64) * 64;
      if (top > memory.buffer.byteLength) throw new Error('bench memory exhausted');
      return p;
    },
    reset: () => void (top = bottom),
    view,
    fill: (p, n) => {
      const v = view(p, n);
      for (let i = 0; i < n; i++) {
        seed = (seed * 1103515245 + 12345) % 2147483648;
        v[i] = seed / 1073741824 - 1;
      }
    },
  };
}

/** The process CPU time `f` takes, in ms (less sensitive than wall time to other jobs). */
export function cpuMs(f: () => void): number {
  const t0 = process.cpuUsage();
  f();
  const d = process.cpuUsage(t0);
  return (d.user + d.system) / 1000;
}

/** The largest difference of `a` from `b`, relative to `b`'s largest magnitude (absolute when `b` is all zeros). */
export function maxRelErr(a: Float32Array, b: Float32Array): number {
  let e = 0;
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    e = Math.max(e, Math.abs((a[i] as number) - (b[i] as number)));
    m = Math.max(m, Math.abs(b[i] as number));
  }
  return m === 0 ? e : e / m;
}
