/**
 * Dense linear algebra for the discriminant analyses: products of the data with itself (float64
 * results, computed in float32 or float64: see {@link Precision}), Cholesky factorisation and
 * triangular solves (float64). The hot loops are the strip-packed products of simd.wat; the code
 * here packs operands into strips and drives the blocking. Everything lives in the wasm memory of
 * one {@link Arena}, so it stays valid across the awaits between blocks (abort checks and progress).
 */
import { ownKernels, type SimdKernels } from './simd.js';

/**
 * Called between blocks of work: checks for an abort, reports progress, yields to the event loop.
 *
 * @example
 * ```ts
 * import type { Tick } from './linalg.js'; // internal
 * const tick: Tick = () => new Promise((resolve) => setImmediate(resolve));
 * await tick(); // the event loop ran once
 * ```
 */
export type Tick = () => Promise<void>;

/** Rows of a feature matrix per panel of a data product: a panel strip (256 x 8 float32) stays in L1. */
const PANEL = 256;
/** Block size of the Cholesky factorisation: the float64 strips of a trailing update (64 x 4) stay in L1. */
const CHOLESKY_BLOCK = 64;
/** Block size of the triangular solves: the in-block substitution runs in JavaScript, so it is kept small. */
const SOLVE_BLOCK = 32;

const roundUp = (n: number, m: number): number => Math.ceil(n / m) * m;

/**
 * A wasm memory for one computation, with a bump allocator. Views are made afresh on each access
 * because growing the memory detaches the previous buffer.
 *
 * @example
 * ```ts
 * import { Arena } from './linalg.js'; // internal
 * const arena = new Arena();
 * const at = arena.alloc(8 * 16); // 16 float64 values
 * arena.f64(at, 16).fill(1);
 * arena.f64(at, 16)[15]; //=> 1
 * ```
 */
export class Arena {
  readonly kernels: SimdKernels = ownKernels();
  private top = 0;

  /** Byte offset of `bytes` new bytes (16-byte aligned, zeroed). */
  alloc(bytes: number): number {
    const at = roundUp(this.top, 16);
    this.top = at + bytes;
    const old = this.kernels.memory.buffer.byteLength;
    // Memory from grow() is zeroed; memory released earlier may not be.
    if (at < old) new Uint8Array(this.kernels.memory.buffer, at, Math.min(this.top, old) - at).fill(0);
    if (this.top > old) this.kernels.memory.grow(Math.ceil((this.top - old) / 65536));
    return at;
  }

  /** The allocation mark, for {@link Arena.release}. */
  mark(): number {
    return this.top;
  }

  /** Frees everything allocated after `mark` (the memory stays, for reuse). */
  release(mark: number): void {
    this.top = mark;
  }

  /** A float32 view of `length` values at byte offset `at` (valid until the next `alloc`). */
  f32(at: number, length: number): Float32Array {
    return new Float32Array(this.kernels.memory.buffer, at, length);
  }

  /** A float64 view of `length` values at byte offset `at` (valid until the next `alloc`). */
  f64(at: number, length: number): Float64Array {
    return new Float64Array(this.kernels.memory.buffer, at, length);
  }
}

/**
 * How a product of the data is computed. `'f32'`: the operands are rounded to float32 and multiplied
 * in float32 over panels of 256, whose sums are added in float64 (the fast path: 4 products per
 * SIMD instruction); `'f64'`: operands and products in float64 (2 per instruction), for where
 * float32's rounding would swamp a small eigenvalue that matters (see {@link float32Suffices}).
 */
export type Precision = 'f32' | 'f64';

/**
 * Whether float32 products are accurate enough for a covariance whose regularisation (ridge,
 * shrinkage or identity term), relative to each feature's total variance on the diagonal, is at
 * least `relativeRidge` (so the smallest eigenvalue of its correlation matrix is at least that),
 * over `m` features. The float32 products carry a rounding of about 16 x 2^-24 (a sum of 256) of
 * each entry in correlation scale, and their matrix norm grows like sqrt(m): the ridge has to be
 * above that (5.3e-5 for 3,072 features, 8.7e-6 for 30). Below it, products run in float64.
 *
 * @example
 * ```ts
 * import { float32Suffices } from './linalg.js'; // internal
 * // The LDA ridge on the benchmark's pixels:
 * float32Suffices(1e-4, 3072); //=> true
 * // regParam 0.1 beside a feature of variance 1e6:
 * float32Suffices(1e-7, 30); //=> false
 * ```
 */
export function float32Suffices(relativeRidge: number, m: number): boolean {
  return relativeRidge >= 16 * 2 ** -24 * Math.sqrt(Math.max(1, m));
}

/**
 * A view of selected rows and columns of a row-major matrix, optionally centred and scaled: the
 * value at (i, f) is `(data[rows[i] * cols + features[f]] - centres[centreOf[i] * cols + features[f]]) * scales[f]`
 * (centres in float64, so a feature constant within a group centres to exactly 0).
 *
 * @example
 * ```ts
 * import type { RowSource } from './linalg.js'; // internal
 * const x = { data: Float32Array.from({ length: 6 * 4 }, (_, i) => i), rows: 6, cols: 4 };
 * // Rows 0 and 5, features 2 and 3: the values 2, 3 and 22, 23.
 * const src: RowSource = { data: x.data, cols: x.cols, rows: Int32Array.of(0, 5), features: Int32Array.of(2, 3) };
 * ```
 */
export interface RowSource {
  readonly data: Float32Array | Float64Array;
  readonly cols: number;
  readonly rows: Int32Array;
  readonly features: Int32Array;
  readonly centres?: Float64Array;
  /** Which centre row each of `rows` subtracts (all 0 when absent). */
  readonly centreOf?: Int32Array;
  /** A factor per selected feature, applied after centring; only with `'f64'` products. */
  readonly scales?: Float64Array;
}

/** The value at (i, f) of a {@link RowSource}, in float64 (the float64 packings; the float32 ones inline it). */
function valueAt(src: RowSource, i: number, f: number): number {
  const j = src.features[f] as number;
  let v = src.data[(src.rows[i] as number) * src.cols + j] as number;
  if (src.centres !== undefined) v -= src.centres[(src.centreOf === undefined ? 0 : (src.centreOf[i] as number)) * src.cols + j] as number;
  return src.scales === undefined ? v : v * (src.scales[f] as number);
}

/** Strips of 4 features for rows i0..i1 in float64: strip s at out[at + s * stride], row-major (i1 - i0) x 4. */
function packRows64(src: RowSource, i0: number, i1: number, out: Float64Array, stride: number): void {
  const m = src.features.length;
  const padded = roundUp(m, 8);
  for (let i = i0; i < i1; i++) {
    const o = (i - i0) * 4;
    for (let f = 0; f < m; f++) out[o + (f >> 2) * stride + (f & 3)] = valueAt(src, i, f);
    for (let f = m; f < padded; f++) out[o + (f >> 2) * stride + (f & 3)] = 0;
  }
}

/** Strips of 4 rows for features f0..f1 in float64: strip s at out[s * stride], row-major (f1 - f0) x 4. */
function packColumns64(src: RowSource, f0: number, f1: number, out: Float64Array, stride: number): void {
  const n = src.rows.length;
  const padded = roundUp(n, 8);
  for (let i = 0; i < padded; i++) {
    const o = (i >> 2) * stride + (i & 3);
    for (let f = f0; f < f1; f++) out[o + (f - f0) * 4] = i < n ? valueAt(src, i, f) : 0;
  }
}

function noScales(src: RowSource, fn: string): void {
  if (src.scales !== undefined) throw new Error(`${fn}: RowSource.scales needs 'f64' products`);
}

/** Strips of 8 features for rows i0..i1: strip s at out[at + s * stride], row-major (i1 - i0) x 8. */
function packRows(src: RowSource, i0: number, i1: number, out: Float32Array, at: number, stride: number): void {
  const { data, cols, rows, features, centres, centreOf } = src;
  const m = features.length;
  const padded = roundUp(m, 8);
  for (let i = i0; i < i1; i++) {
    const base = (rows[i] as number) * cols;
    const o = at + (i - i0) * 8;
    if (centres === undefined) {
      for (let f = 0; f < m; f++) out[o + (f >> 3) * stride + (f & 7)] = data[base + (features[f] as number)] as number;
    } else {
      const cb = (centreOf === undefined ? 0 : (centreOf[i] as number)) * cols;
      for (let f = 0; f < m; f++) {
        const j = features[f] as number;
        out[o + (f >> 3) * stride + (f & 7)] = (data[base + j] as number) - (centres[cb + j] as number);
      }
    }
    for (let f = m; f < padded; f++) out[o + (f >> 3) * stride + (f & 7)] = 0;
  }
}

/** Strips of 8 rows for features f0..f1: strip s at out[at + s * stride], row-major (f1 - f0) x 8. */
function packColumns(src: RowSource, f0: number, f1: number, out: Float32Array, at: number, stride: number): void {
  const { data, cols, rows, features, centres, centreOf } = src;
  const n = rows.length;
  const padded = roundUp(n, 8);
  for (let i = 0; i < padded; i++) {
    const o = at + (i >> 3) * stride + (i & 7);
    if (i >= n) {
      for (let f = f0; f < f1; f++) out[o + (f - f0) * 8] = 0;
      continue;
    }
    const base = (rows[i] as number) * cols;
    if (centres === undefined) {
      for (let f = f0; f < f1; f++) out[o + (f - f0) * 8] = data[base + (features[f] as number)] as number;
    } else {
      const cb = (centreOf === undefined ? 0 : (centreOf[i] as number)) * cols;
      for (let f = f0; f < f1; f++) {
        const j = features[f] as number;
        out[o + (f - f0) * 8] = (data[base + j] as number) - (centres[cb + j] as number);
      }
    }
  }
}

/** Copies the upper triangle of the n x n matrix at `at` into its lower triangle. */
function mirrorUpper(arena: Arena, at: number, n: number): void {
  const c = arena.f64(at, n * n);
  for (let i = 1; i < n; i++) for (let j = 0; j < i; j++) c[i * n + j] = c[j * n + i] as number;
}

/**
 * A square float64 matrix in an arena: `size` x `size`, row-major at byte offset `at`.
 *
 * @example
 * ```ts
 * import { Arena, crossProduct, type ArenaMatrix } from './linalg.js'; // internal
 * const arena = new Arena();
 * const src = { data: Float32Array.of(1, 2, 3, 4), cols: 2, rows: Int32Array.of(0, 1), features: Int32Array.of(0, 1) };
 * const m: ArenaMatrix = await crossProduct(arena, src, async () => {});
 * m.size; //=> 8
 * const values = arena.f64(m.at, m.size * m.size);
 * [values[0], values[1], values[m.size + 1]]; //=> [10, 14, 20]
 * ```
 */
export interface ArenaMatrix {
  readonly at: number;
  readonly size: number;
}

/**
 * `A^T A` for the m selected features of `src` (A: rows x m): an m' x m' float64 matrix, m' = m
 * rounded up to 8, padding rows and columns 0. Products over panels of 256 rows, in float32 (summed
 * in float64) or float64 (`precision`).
 *
 * @example
 * ```ts
 * import { Arena, crossProduct } from './linalg.js'; // internal
 * // The within-class scatter of 4 rows x 2 features, each row centred on its class's mean.
 * const data = Float32Array.of(1, 0, 3, 0, 10, 1, 12, 3);
 * const labels = Int32Array.of(0, 0, 1, 1);
 * const means = Float64Array.of(2, 0, 11, 2); // one row per class
 * const [rows, features] = [Int32Array.of(0, 1, 2, 3), Int32Array.of(0, 1)];
 * const arena = new Arena();
 * const tick = async (): Promise<void> => {};
 * const scatter = await crossProduct(arena, { data, cols: 2, rows, features, centres: means, centreOf: labels }, tick);
 * const s = arena.f64(scatter.at, scatter.size * scatter.size);
 * [s[0], s[1], s[scatter.size + 1]]; //=> [4, 2, 2]
 * ```
 */
export async function crossProduct(arena: Arena, src: RowSource, tick: Tick, precision: Precision = 'f32'): Promise<ArenaMatrix> {
  const size = roundUp(src.features.length, 8);
  const n = src.rows.length;
  const c = arena.alloc(size * size * 8);
  if (precision === 'f64') {
    const p = arena.alloc(PANEL * size * 8);
    for (let r0 = 0; r0 < n; r0 += PANEL) {
      const kc = Math.min(PANEL, n - r0);
      packRows64(src, r0, r0 + kc, arena.f64(p, kc * size), kc * 4);
      arena.kernels.gemmStripsF64(p, p, kc, size / 4, size / 4, kc * 32, kc * 32, c, size, 1);
      await tick();
    }
  } else {
    noScales(src, 'crossProduct');
    const strips = size / 8;
    const p = arena.alloc(PANEL * size * 4);
    for (let r0 = 0; r0 < n; r0 += PANEL) {
      const kc = Math.min(PANEL, n - r0);
      packRows(src, r0, r0 + kc, arena.f32(p, kc * size), 0, kc * 8);
      arena.kernels.gemmStripsF32(p, p, kc, strips, strips, kc * 32, kc * 32, c, size, 1);
      await tick();
    }
  }
  mirrorUpper(arena, c, size);
  return { at: c, size };
}

/**
 * `A A^T` for the rows of `src` (A: n x m): an n' x n' float64 matrix (the Gram matrix of the
 * rows), n' = n rounded up to 8, padding 0. Products over panels of 256 features, in float32 or
 * float64 (`precision`).
 *
 * @example
 * ```ts
 * import { Arena, gramMatrix } from './linalg.js'; // internal
 * const data = Float32Array.of(1, 2, 3, 4, 5, 6); // 3 rows x 2 features
 * const mean = Float64Array.of(3, 4); // of rows 0 and 1 (the class's rows)
 * const arena = new Arena();
 * const src = { data, cols: 2, rows: Int32Array.of(0, 1), features: Int32Array.of(0, 1), centres: mean };
 * const gram = await gramMatrix(arena, src, async () => {}); // of the centred rows (-2, -2) and (0, 0)
 * const g = arena.f64(gram.at, gram.size * gram.size);
 * [g[0], g[1], g[gram.size + 1]]; //=> [8, 0, 0]
 * ```
 */
export async function gramMatrix(arena: Arena, src: RowSource, tick: Tick, precision: Precision = 'f32'): Promise<ArenaMatrix> {
  const size = roundUp(src.rows.length, 8);
  const m = src.features.length;
  const c = arena.alloc(size * size * 8);
  if (precision === 'f64') {
    const p = arena.alloc(PANEL * size * 8);
    for (let f0 = 0; f0 < m; f0 += PANEL) {
      const kc = Math.min(PANEL, m - f0);
      packColumns64(src, f0, f0 + kc, arena.f64(p, kc * size), kc * 4);
      arena.kernels.gemmStripsF64(p, p, kc, size / 4, size / 4, kc * 32, kc * 32, c, size, 1);
      await tick();
    }
  } else {
    noScales(src, 'gramMatrix');
    const strips = size / 8;
    const p = arena.alloc(PANEL * size * 4);
    for (let f0 = 0; f0 < m; f0 += PANEL) {
      const kc = Math.min(PANEL, m - f0);
      packColumns(src, f0, f0 + kc, arena.f32(p, kc * size), 0, kc * 8);
      arena.kernels.gemmStripsF32(p, p, kc, strips, strips, kc * 32, kc * 32, c, size, 1);
      await tick();
    }
  }
  mirrorUpper(arena, c, size);
  return { at: c, size };
}

/**
 * `A B^T` for the rows of `a` (na x m) and of `b` (nb x m), the same number of features: a
 * float64 na' x nb' matrix at byte offset `at` (na', nb' rounded up to 8). Products in float32 or
 * float64 (`precision`).
 *
 * @example
 * ```ts
 * import { Arena, productTransposed } from './linalg.js'; // internal
 * const arena = new Arena();
 * const both = Int32Array.of(0, 1);
 * const testRows = { data: Float32Array.of(1, 2, 3, 4), cols: 2, rows: both, features: both };
 * const weightRows = { data: Float32Array.of(1, 0, 0, 1), cols: 2, rows: both, features: both };
 * const z = await productTransposed(arena, testRows, weightRows, async () => {}); // z[i * ld + j] = a_i . b_j
 * const values = arena.f64(z.at, 8 * z.ld);
 * [values[0], values[1], values[z.ld], values[z.ld + 1]]; //=> [1, 2, 3, 4]
 * ```
 */
export async function productTransposed(
  arena: Arena,
  a: RowSource,
  b: RowSource,
  tick: Tick,
  precision: Precision = 'f32',
): Promise<{ at: number; ld: number }> {
  const na = roundUp(a.rows.length, 8);
  const nb = roundUp(b.rows.length, 8);
  const m = a.features.length;
  const c = arena.alloc(na * nb * 8);
  if (precision === 'f64') {
    const pa = arena.alloc(PANEL * na * 8);
    const pb = arena.alloc(PANEL * nb * 8);
    for (let f0 = 0; f0 < m; f0 += PANEL) {
      const kc = Math.min(PANEL, m - f0);
      packColumns64(a, f0, f0 + kc, arena.f64(pa, kc * na), kc * 4);
      packColumns64(b, f0, f0 + kc, arena.f64(pb, kc * nb), kc * 4);
      arena.kernels.gemmStripsF64(pa, pb, kc, na / 4, nb / 4, kc * 32, kc * 32, c, nb, 0);
      await tick();
    }
    return { at: c, ld: nb };
  }
  noScales(a, 'productTransposed');
  noScales(b, 'productTransposed');
  const pa = arena.alloc(PANEL * na * 4);
  const pb = arena.alloc(PANEL * nb * 4);
  for (let f0 = 0; f0 < m; f0 += PANEL) {
    const kc = Math.min(PANEL, m - f0);
    packColumns(a, f0, f0 + kc, arena.f32(pa, kc * na), 0, kc * 8);
    packColumns(b, f0, f0 + kc, arena.f32(pb, kc * nb), 0, kc * 8);
    arena.kernels.gemmStripsF32(pa, pb, kc, na / 8, nb / 8, kc * 32, kc * 32, c, nb, 0);
    await tick();
  }
  return { at: c, ld: nb };
}

/**
 * Cholesky factorisation in place, `A = U^T U` with U upper triangular, of the symmetric n x n
 * float64 matrix at byte offset `at` (row-major; n a multiple of 4; only the upper triangle is read
 * and written). Blocked, right-looking: each block row is solved in JavaScript and the trailing
 * matrix is updated with the float64 strip product. Returns -1, or the index of the first pivot
 * that was not positive (the matrix is then not positive definite and its contents are undefined).
 *
 * @example
 * ```ts
 * import { Arena, choleskyUpper } from './linalg.js'; // internal
 * const arena = new Arena();
 * const at = arena.alloc(4 * 4 * 8);
 * arena.f64(at, 16).set([4, 2, 0, 0, 2, 10, 0, 0, 0, 0, 9, 0, 0, 0, 0, 1]);
 * if ((await choleskyUpper(arena, at, 4, async () => {})) >= 0) throw new Error('not positive definite');
 * [...arena.f64(at, 16).slice(0, 2), arena.f64(at, 16)[5]]; //=> [2, 1, 3]
 * ```
 */
export async function choleskyUpper(arena: Arena, at: number, n: number, tick: Tick): Promise<number> {
  const mark = arena.mark();
  const pack = arena.alloc(CHOLESKY_BLOCK * n * 8);
  const packNeg = arena.alloc(CHOLESKY_BLOCK * n * 8);
  try {
    for (let k = 0; k < n; k += CHOLESKY_BLOCK) {
      const b = Math.min(CHOLESKY_BLOCK, n - k);
      const a = arena.f64(at, n * n);
      for (let i = k; i < k + b; i++) {
        const ri = i * n;
        // Row i of U, from the rows of this block above it (earlier blocks are already applied).
        for (let t = k; t < i; t++) {
          const coef = a[t * n + i] as number;
          if (coef !== 0) arena.kernels.axpyF64(at + (t * n + i) * 8, at + (ri + i) * 8, n - i, -coef);
        }
        const pivot = a[ri + i] as number;
        if (!(pivot > 0)) return i;
        const u = Math.sqrt(pivot);
        a[ri + i] = u;
        const inv = 1 / u;
        for (let j = i + 1; j < n; j++) a[ri + j] = (a[ri + j] as number) * inv;
      }
      const rest = n - k - b;
      if (rest > 0) {
        const p = arena.f64(pack, b * rest);
        const q = arena.f64(packNeg, b * rest);
        for (let t = 0; t < b; t++) {
          const row = (k + t) * n + k + b;
          for (let j = 0; j < rest; j++) {
            const v = a[row + j] as number;
            const o = (j >> 2) * b * 4 + t * 4 + (j & 3);
            p[o] = v;
            q[o] = -v;
          }
        }
        const c = at + ((k + b) * n + k + b) * 8;
        arena.kernels.gemmStripsF64(packNeg, pack, b, rest / 4, rest / 4, b * 32, b * 32, c, n, 1);
      }
      await tick();
    }
    return -1;
  } finally {
    arena.release(mark);
  }
}

/**
 * `B <- U^-T B` in place (forward substitution with the transpose of an upper-triangular factor),
 * for B n x w float64 row-major at byte offset `bAt` (w a multiple of 4) and U the n x n factor of
 * {@link choleskyUpper} at `uAt`. Blocked: the contribution of the rows already solved is one
 * float64 strip product per block of rows.
 *
 * @example
 * ```ts
 * import { Arena, solveUpperTransposed } from './linalg.js'; // internal
 * const arena = new Arena();
 * const u = arena.alloc(4 * 4 * 8); // U = diag(2, 4, 5, 10)
 * arena.f64(u, 16).set([2, 0, 0, 0, 0, 4, 0, 0, 0, 0, 5, 0, 0, 0, 0, 10]);
 * const b = arena.alloc(4 * 4 * 8); // B: 4 x 4 ones
 * arena.f64(b, 16).fill(1);
 * await solveUpperTransposed(arena, u, 4, b, 4, async () => {}); // rows of U^-T B
 * [...arena.f64(b, 16)].filter((_, i) => i % 4 === 0); //=> [0.5, 0.25, 0.2, 0.1]
 * ```
 */
export async function solveUpperTransposed(arena: Arena, uAt: number, n: number, bAt: number, w: number, tick: Tick): Promise<void> {
  const mark = arena.mark();
  // The solved rows, also kept in strips of 4 columns (strip s at solved + s * n * 32 bytes) so
  // that each block's update reads them contiguously.
  const solved = arena.alloc(n * w * 8);
  const packA = arena.alloc(PANEL * SOLVE_BLOCK * 8);
  try {
    for (let i0 = 0; i0 < n; i0 += SOLVE_BLOCK) {
      const b = Math.min(SOLVE_BLOCK, n - i0);
      for (let t0 = 0; t0 < i0; t0 += PANEL) {
        const kc = Math.min(PANEL, i0 - t0);
        const u = arena.f64(uAt, n * n);
        const pa = arena.f64(packA, kc * b);
        for (let t = 0; t < kc; t++) {
          const row = (t0 + t) * n + i0;
          for (let q = 0; q < b; q++) pa[(q >> 2) * kc * 4 + t * 4 + (q & 3)] = -(u[row + q] as number);
        }
        arena.kernels.gemmStripsF64(packA, solved + t0 * 32, kc, b / 4, w / 4, kc * 32, n * 32, bAt + i0 * w * 8, w, 0);
      }
      const u = arena.f64(uAt, n * n);
      const x = arena.f64(bAt, n * w);
      for (let i = i0; i < i0 + b; i++) {
        const ri = i * w;
        for (let t = i0; t < i; t++) {
          const coef = u[t * n + i] as number;
          if (coef !== 0) arena.kernels.axpyF64(bAt + t * w * 8, bAt + ri * 8, w, -coef);
        }
        const inv = 1 / (u[i * n + i] as number);
        for (let j = 0; j < w; j++) x[ri + j] = (x[ri + j] as number) * inv;
      }
      // Strip by strip, so that the writes are contiguous (a strip is n * 32 bytes from the next).
      const s = arena.f64(solved, n * w);
      for (let j0 = 0; j0 < w; j0 += 4) {
        const o = j0 * n + i0 * 4;
        for (let i = 0; i < b; i++) {
          const ri = (i0 + i) * w + j0;
          s[o + i * 4] = x[ri] as number;
          s[o + i * 4 + 1] = x[ri + 1] as number;
          s[o + i * 4 + 2] = x[ri + 2] as number;
          s[o + i * 4 + 3] = x[ri + 3] as number;
        }
      }
      await tick();
    }
  } finally {
    arena.release(mark);
  }
}
