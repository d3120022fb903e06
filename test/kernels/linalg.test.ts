import { describe, expect, it } from 'vitest';
import {
  Arena,
  choleskyUpper,
  crossProduct,
  float32Suffices,
  gramMatrix,
  productTransposed,
  solveUpperTransposed,
  type RowSource,
} from '../../src/kernels/linalg.js';
import { createRandom } from '../../src/random.js';

const tick = async (): Promise<void> => {};

/** 300 x 37 values, rows centred by one of two centres, 29 of the columns selected (not a multiple of 8). */
function source(): { src: RowSource; value: (i: number, f: number) => number } {
  const r = createRandom('linalg');
  const rows = 300;
  const cols = 37;
  const data = Float32Array.from({ length: rows * cols }, () => r() - 0.3);
  const features = Int32Array.from({ length: 29 }, (_, i) => i + 3);
  const centres = Float64Array.from({ length: 2 * cols }, () => r());
  const centreOf = Int32Array.from({ length: rows }, (_, i) => i % 2);
  const src = { data, cols, rows: Int32Array.from({ length: rows }, (_, i) => i), features, centres, centreOf };
  return { src, value: (i, f) => Math.fround(data[i * cols + features[f]!]! - centres[(i % 2) * cols + features[f]!]!) };
}

function dot(n: number, a: (t: number) => number, b: (t: number) => number): number {
  let s = 0;
  for (let t = 0; t < n; t++) s += a(t) * b(t);
  return s;
}

describe('strip-packed products (wasm SIMD, float32 panels summed in float64)', () => {
  const { src, value } = source();

  it('crossProduct is A^T A over the selected, centred features, padded with zeros to a multiple of 8', async () => {
    const arena = new Arena();
    const c = await crossProduct(arena, src, tick);
    expect(c.size).toBe(32);
    const v = arena.f64(c.at, c.size * c.size);
    for (let a = 0; a < 32; a++) {
      for (let b = 0; b < 32; b++) {
        const expected =
          a < 29 && b < 29
            ? dot(
                300,
                (i) => value(i, a),
                (i) => value(i, b),
              )
            : 0;
        expect(Math.abs((v[a * 32 + b] as number) - expected)).toBeLessThan(1e-4);
      }
    }
  });

  it('gramMatrix is A A^T over the rows; productTransposed is A B^T', async () => {
    const arena = new Arena();
    const g = await gramMatrix(arena, src, tick);
    expect(g.size).toBe(304);
    const gv = arena.f64(g.at, g.size * g.size);
    for (let a = 0; a < 300; a += 7)
      for (let b = 0; b < 300; b += 3)
        expect(
          Math.abs(
            (gv[a * 304 + b] as number) -
              dot(
                29,
                (f) => value(a, f),
                (f) => value(b, f),
              ),
          ),
        ).toBeLessThan(1e-4);
    expect(gv[300 * 304 + 1]).toBe(0);
    const p = await productTransposed(arena, src, { ...src, rows: src.rows.subarray(0, 13) }, tick);
    expect(p.ld).toBe(16);
    const pv = arena.f64(p.at, 304 * p.ld);
    for (let a = 0; a < 300; a++)
      for (let b = 0; b < 13; b++)
        expect(
          Math.abs(
            (pv[a * 16 + b] as number) -
              dot(
                29,
                (f) => value(a, f),
                (f) => value(b, f),
              ),
          ),
        ).toBeLessThan(1e-4);
  });
});

describe("strip-packed products in float64 ('f64')", () => {
  const r = createRandom('linalg-f64');
  const rows = 300;
  const cols = 21;
  const data = Float32Array.from({ length: rows * cols }, () => (r() - 0.5) * 2000);
  const features = Int32Array.from({ length: 19 }, (_, i) => i + 1);
  const centres = Float64Array.from({ length: cols }, () => r() * 10);
  const scales = Float64Array.from(features, (_, f) => 1 + f / 4);
  const value = (i: number, f: number, s = false) => (data[i * cols + features[f]!]! - centres[features[f]!]!) * (s ? scales[f]! : 1);
  const base = { data, cols, rows: Int32Array.from({ length: rows }, (_, i) => i), features, centres };
  /** The error of a computed dot product relative to the sum of the absolute products (its condition). */
  const error = (computed: number, n: number, a: (t: number) => number, b: (t: number) => number): number =>
    Math.abs(computed - dot(n, a, b)) /
    dot(
      n,
      (t) => Math.abs(a(t)),
      (t) => Math.abs(b(t)),
    );

  it('crossProduct, gramMatrix and productTransposed agree with float64 dot products to 1e-13, with and without scales', async () => {
    for (const scaled of [false, true]) {
      const src: RowSource = scaled ? { ...base, scales } : base;
      const arena = new Arena();
      const c = await crossProduct(arena, src, tick, 'f64');
      expect(c.size).toBe(24);
      const cv = arena.f64(c.at, 24 * 24);
      let worst = 0;
      for (let a = 0; a < 24; a++)
        for (let b = 0; b < 24; b++) {
          if (a >= 19 || b >= 19) {
            expect(cv[a * 24 + b]).toBe(0);
            continue;
          }
          worst = Math.max(
            worst,
            error(
              cv[a * 24 + b]!,
              rows,
              (i) => value(i, a, scaled),
              (i) => value(i, b, scaled),
            ),
          );
        }
      const g = await gramMatrix(arena, src, tick, 'f64');
      const p = await productTransposed(arena, src, { ...src, rows: src.rows.subarray(5, 18) }, tick, 'f64');
      // Views after the last allocation (growing the memory detaches earlier ones).
      const gv = arena.f64(g.at, g.size * g.size);
      const pv = arena.f64(p.at, g.size * p.ld);
      for (let a = 0; a < rows; a += 7)
        for (let b = 0; b < 13; b++) {
          const x = (f: number) => value(a, f, scaled);
          const y = (f: number) => value(b + 5, f, scaled);
          worst = Math.max(worst, error(gv[a * g.size + b + 5]!, 19, x, y), error(pv[a * p.ld + b]!, 19, x, y));
        }
      expect(worst).toBeLessThan(1e-13);
    }
  });

  it("the same crossProduct in 'f32' is off by more than 1e-9 of the same measure", async () => {
    const arena = new Arena();
    const c = await crossProduct(arena, base, tick);
    const cv = arena.f64(c.at, 24 * 24);
    let worst = 0;
    for (let a = 0; a < 19; a++)
      for (let b = 0; b < 19; b++)
        worst = Math.max(
          worst,
          error(
            cv[a * 24 + b]!,
            rows,
            (i) => value(i, a),
            (i) => value(i, b),
          ),
        );
    expect(worst).toBeGreaterThan(1e-9);
    expect(worst).toBeLessThan(1e-5);
  });

  it('scales are refused with float32 products; float32Suffices compares the ridge with their rounding', async () => {
    await expect(crossProduct(new Arena(), { ...base, scales }, tick)).rejects.toThrow(/f64/);
    expect(float32Suffices(1e-4, 3072)).toBe(true);
    expect(float32Suffices(1e-7, 30)).toBe(false);
    expect(float32Suffices(1e-5, 30)).toBe(true);
    expect(float32Suffices(1e-5, 3072)).toBe(false);
  });
});

describe('Cholesky factorisation and triangular solves (float64, blocked)', () => {
  // n = 200 spans several blocks of the factorisation (64) and of the solve (32).
  const n = 200;
  const r = createRandom('spd');
  const g = Float64Array.from({ length: n * n }, () => r() - 0.5);
  const spd = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++)
      spd[i * n + j] =
        (i === j ? 1 : 0) +
        dot(
          n,
          (k) => g[i * n + k]!,
          (k) => g[j * n + k]!,
        );

  it('choleskyUpper gives U with U^T U = A; solveUpperTransposed gives U^T X = B', async () => {
    const arena = new Arena();
    const at = arena.alloc(n * n * 8);
    arena.f64(at, n * n).set(spd);
    expect(await choleskyUpper(arena, at, n, tick)).toBe(-1);
    const u = arena.f64(at, n * n).slice();
    const U = (i: number, j: number) => (i <= j ? u[i * n + j]! : 0);
    let err = 0;
    for (let i = 0; i < n; i++)
      for (let j = i; j < n; j++)
        err = Math.max(
          err,
          Math.abs(
            dot(
              n,
              (k) => U(k, i) * U(k, j),
              () => 1,
            ) - spd[i * n + j]!,
          ),
        );
    expect(err).toBeLessThan(1e-9);
    const w = 12;
    const b = Float64Array.from({ length: n * w }, () => r());
    const bAt = arena.alloc(n * w * 8);
    arena.f64(bAt, n * w).set(b);
    await solveUpperTransposed(arena, at, n, bAt, w, tick);
    const x = arena.f64(bAt, n * w);
    err = 0;
    for (let i = 0; i < n; i++)
      for (let j = 0; j < w; j++)
        err = Math.max(
          err,
          Math.abs(
            dot(
              n,
              (t) => U(t, i) * x[t * w + j]!,
              () => 1,
            ) - b[i * w + j]!,
          ),
        );
    expect(err).toBeLessThan(1e-9);
  });

  it('reports the first pivot that is not positive', async () => {
    const arena = new Arena();
    const at = arena.alloc(16 * 8);
    arena.f64(at, 16).set([1, 2, 0, 0, 2, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
    expect(await choleskyUpper(arena, at, 4, tick)).toBe(1);
  });

  it('an arena hands out zeroed memory again after release', () => {
    const arena = new Arena();
    const mark = arena.mark();
    arena.f64(arena.alloc(64), 8).fill(3);
    arena.release(mark);
    expect(Array.from(arena.f64(arena.alloc(64), 8))).toEqual(new Array(8).fill(0));
  });
});
