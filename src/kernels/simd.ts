import { SIMD_WASM_BASE64, type SimdWasmExports } from './simdWasm.js';

/** The parts of the WebAssembly API used here (the project's lib settings do not include DOM types). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
}

/** The module's exports: their type is generated from simd.wat with the module (scripts/build-wasm.ts). */
type SimdExports = SimdWasmExports;

/**
 * The kernels of one wasm instance, as {@link ownKernels} returns them.
 *
 * @example
 * ```ts
 * import { ownKernels, type SimdKernels } from './simd.js'; // internal
 * const k: SimdKernels = ownKernels();
 * const f64 = new Float64Array(k.memory.buffer, 0, 4);
 * f64.set([1, 2, 10, 20]);
 * k.axpyF64(0, 16, 2, 0.5); // bytes 16..32 += 0.5 * bytes 0..16, as 2 float64 values
 * [...f64]; //=> [1, 2, 10.5, 21]
 * ```
 */
export type SimdKernels = SimdExports;

let exportsCache: SimdExports | undefined;
let moduleCache: object | undefined;

function instantiate(): SimdExports {
  const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
  moduleCache ??= new wasm.Module(Uint8Array.from(atob(SIMD_WASM_BASE64), (ch) => ch.charCodeAt(0)));
  return new wasm.Instance(moduleCache, {}).exports as SimdExports;
}

/**
 * A new instance of the SIMD kernels with a memory of its own, for work that spans awaits or
 * needs a large memory only for its duration (the linear algebra of linalg.ts).
 *
 * @example
 * ```ts
 * import { ownKernels } from './simd.js'; // internal
 * const k = ownKernels();
 * const before = k.memory.buffer.byteLength;
 * k.memory.grow(16); // 16 pages of 64 KiB, freed with the instance
 * k.memory.buffer.byteLength - before; //=> 1048576
 * ```
 */
export function ownKernels(): SimdKernels {
  return instantiate();
}

/**
 * The shared SIMD kernels (simd.wat), instantiated on first use; Node >= 20 always has wasm SIMD.
 * Shared memory is only used within one synchronous call; work that spans awaits gets its own
 * instance (see {@link linearWorkspace}).
 */
function kernels(): SimdExports {
  exportsCache ??= instantiate();
  return exportsCache;
}

/** A float32 view of the kernels' memory, grown to at least `floats` values. */
function heap(floats: number): Float32Array {
  const k = kernels();
  const need = floats * 4 - k.memory.buffer.byteLength;
  if (need > 0) k.memory.grow(Math.ceil(need / 65536));
  return new Float32Array(k.memory.buffer);
}

/**
 * Images per chunk: enough values that a chunk's input and output stay in the L2 cache while the
 * kernel runs (the copy in and the copy out then cost little more than one pass over memory).
 */
function chunkImages(d: number): number {
  return Math.max(1, Math.floor(32768 / d));
}

/** The largest finite float32: bounds of ±FLT_MAX admit every finite value and nothing else. */
const FLT_MAX = 3.4028234663852886e38;

/**
 * Bounds that admit every finite float32 value: with them the range checks below are finiteness
 * checks.
 */
export const FINITE: readonly [number, number] = [-FLT_MAX, FLT_MAX];

/**
 * `out[i] = src[i] + vectors[labels[i]]` for n images of d values, in wasm SIMD, chunk by chunk.
 * Calls `onBad(i)` (which must throw) for the first image holding a NaN, an infinity or a value
 * outside `bounds` (checked by the SIMD loop that adds: no pass of its own).
 */
export function addClassVectors(
  src: Float32Array,
  out: Float32Array,
  vectors: Float32Array,
  labels: Int32Array,
  d: number,
  onBad: (image: number) => never,
  bounds: readonly [number, number] = FINITE,
): void {
  const n = labels.length;
  const m = chunkImages(d);
  const k = kernels();
  const srcAt = vectors.length;
  const outAt = srcAt + m * d;
  const h = heap(outAt + m * d);
  h.set(vectors, 0);
  const [lo, hi] = bounds;
  for (let c0 = 0; c0 < n; c0 += m) {
    const c1 = Math.min(n, c0 + m);
    h.set(src.subarray(c0 * d, c1 * d), srcAt);
    for (let i = c0; i < c1; i++) {
      const off = (i - c0) * d;
      if (k.addVector((srcAt + off) * 4, (labels[i] as number) * d * 4, (outAt + off) * 4, d, lo, hi) !== 0) onBad(i);
    }
    out.set(h.subarray(outAt, outAt + (c1 - c0) * d), c0 * d);
  }
}

/**
 * `out[i] = src[i] + shift(i, sum(src[i]))` for n images of d values: the float64 sum of each
 * image is handed to `shift`, whose float64 result is added to every value (rounded to float32).
 * Calls `onBad(i)` (which must throw) for the first image holding a NaN, an infinity or a value
 * outside `bounds` (checked by the SIMD loop that sums: no pass of its own).
 */
export function shiftImages(
  src: Float32Array,
  out: Float32Array,
  n: number,
  d: number,
  shift: (image: number, sum: number) => number,
  onBad: (image: number) => never,
  bounds: readonly [number, number] = FINITE,
): void {
  const m = chunkImages(d);
  const k = kernels();
  const outAt = m * d;
  const h = heap(2 * m * d);
  const [lo, hi] = bounds;
  for (let c0 = 0; c0 < n; c0 += m) {
    const c1 = Math.min(n, c0 + m);
    h.set(src.subarray(c0 * d, c1 * d), 0);
    for (let i = c0; i < c1; i++) {
      const off = (i - c0) * d;
      const sum = k.sumFloat64(off * 4, d, lo, hi);
      if (!Number.isFinite(sum)) onBad(i);
      k.addScalarFloat64(off * 4, (outAt + off) * 4, d, shift(i, sum));
    }
    out.set(h.subarray(outAt, outAt + (c1 - c0) * d), c0 * d);
  }
}

/** Values per chunk of {@link copyChecked}: 256 KiB, so a chunk is read from memory once. */
const COPY_CHUNK = 65536;

/**
 * A copy of `src`, checked on the way for NaN, infinities and (given `bounds`) values outside
 * them: each chunk is copied into the kernels' memory, checked with SIMD there, and copied out
 * from cache. Returns the copy, or the index of the first chunk start holding a bad value (as a
 * negative number - 1) so the caller can name the exact value.
 */
export function copyChecked(src: Float32Array, bounds: readonly [number, number] = FINITE): Float32Array | number {
  const k = kernels();
  const h = heap(COPY_CHUNK);
  const out = new Float32Array(src.length);
  for (let s = 0; s < src.length; s += COPY_CHUNK) {
    const e = Math.min(src.length, s + COPY_CHUNK);
    h.set(src.subarray(s, e), 0);
    if (k.anyOutside(0, e - s, bounds[0], bounds[1]) !== 0) return -s - 1;
    out.set(h.subarray(0, e - s), s);
  }
  return out;
}

/**
 * The start of the first chunk of `src` holding a NaN, an infinity or a value outside `bounds`,
 * or -1: {@link copyChecked} without the copy out (each chunk is checked in the kernels' memory).
 */
export function firstChunkOutside(src: Float32Array, bounds: readonly [number, number]): number {
  const k = kernels();
  const h = heap(COPY_CHUNK);
  for (let s = 0; s < src.length; s += COPY_CHUNK) {
    const e = Math.min(src.length, s + COPY_CHUNK);
    h.set(src.subarray(s, e), 0);
    if (k.anyOutside(0, e - s, bounds[0], bounds[1]) !== 0) return s;
  }
  return -1;
}

/** Products with a fixed feature matrix, for linear models: its own wasm memory holds X once. */
export interface LinearWorkspace {
  /** z[r * k + c] = x[r, :] . w[c, :] (w: k x cols, row-major). */
  logits(w: Float32Array, z: Float32Array): void;
  /** g[c, :] = sum over rows of d[r * k + c] * x[r, :] (g: k x cols). */
  gradient(d: Float32Array, g: Float32Array): void;
}

/**
 * A workspace for the products of a linear model with `x` (rows x cols) and `k` outputs, in wasm
 * SIMD (float32). It owns its wasm instance and memory, so it stays valid across awaits.
 */
export function linearWorkspace(x: Float32Array, rows: number, cols: number, k: number): LinearWorkspace {
  const kernel = instantiate();
  const xAt = 0;
  const wAt = rows * cols;
  const zAt = wAt + k * cols;
  const gAt = zAt + rows * k;
  const floats = gAt + k * cols;
  const need = floats * 4 - kernel.memory.buffer.byteLength;
  if (need > 0) kernel.memory.grow(Math.ceil(need / 65536));
  const view = () => new Float32Array(kernel.memory.buffer);
  view().set(x, xAt);
  return {
    logits(w, z) {
      const h = view();
      h.set(w, wAt);
      kernel.matmulTransposed(xAt * 4, wAt * 4, zAt * 4, rows, cols, k);
      z.set(h.subarray(zAt, zAt + rows * k));
    },
    gradient(d, g) {
      const h = view();
      h.set(d, zAt);
      h.fill(0, gAt, gAt + k * cols);
      kernel.accumulateOuter(xAt * 4, zAt * 4, gAt * 4, rows, cols, k);
      g.set(h.subarray(gAt, gAt + k * cols));
    },
  };
}
