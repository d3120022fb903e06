import { describe, expect, it } from 'vitest';
import { addClassVectors, ownKernels, shiftImages } from '../../src/kernels/simd.js';
import { createRandom } from '../../src/random.js';
import { compileSimd, parseWatExports, renderSimd } from '../../scripts/build-wasm.js';
import { readFileSync } from 'node:fs';

function randomFloats(n: number, seed: string): Float32Array {
  const r = createRandom(seed);
  return Float32Array.from({ length: n }, () => (r() - 0.5) * 4);
}

const noBad = (i: number): never => {
  throw new Error(`reported image ${String(i)}`);
};

describe('wasm SIMD kernels', () => {
  // d = 13 exercises the scalar tail; n = 9000 spans several chunks with a partial last one.
  for (const [n, d] of [
    [9000, 13],
    [40, 3072],
    [3, 1],
  ] as const) {
    it(`addClassVectors matches Math.fround(src + vector) bit for bit (n=${String(n)}, d=${String(d)})`, () => {
      const src = randomFloats(n * d, 'src');
      const vectors = randomFloats(5 * d, 'vec');
      const labels = Int32Array.from({ length: n }, (_, i) => (i * 7) % 5);
      const out = new Float32Array(n * d);
      addClassVectors(src, out, vectors, labels, d, noBad);
      const expected = src.map((v, j) => Math.fround(v + (vectors[(labels[Math.floor(j / d)] as number) * d + (j % d)] as number)));
      expect(Buffer.from(out.buffer).equals(Buffer.from(expected.buffer))).toBe(true);
    });

    it(`shiftImages adds float64(shift(sum)) and rounds once (n=${String(n)}, d=${String(d)})`, () => {
      const src = randomFloats(n * d, 'src2');
      const out = new Float32Array(n * d);
      const sums: number[] = [];
      shiftImages(
        src,
        out,
        n,
        d,
        (i, sum) => {
          sums[i] = sum;
          return i * 1e-3 - sum / d;
        },
        noBad,
      );
      for (let i = 0; i < n; i += Math.max(1, Math.floor(n / 50))) {
        let s = 0;
        for (let j = 0; j < d; j++) s += src[i * d + j] as number;
        expect(sums[i]).toBeCloseTo(s, 9);
        const shift = i * 1e-3 - (sums[i] as number) / d;
        for (let j = 0; j < d; j++) expect(out[i * d + j]).toBe(Math.fround((src[i * d + j] as number) + shift));
      }
    });
  }

  it('reports the first image with a NaN or infinity, in the vector part or the tail', () => {
    for (const [pos, bad] of [
      [5 * 13 + 2, Number.NaN],
      [7 * 13 + 12, Number.POSITIVE_INFINITY],
      [3 * 13 + 12, Number.NEGATIVE_INFINITY],
    ] as const) {
      const src = randomFloats(10 * 13, 'bad');
      src[pos] = bad;
      const image = Math.floor(pos / 13);
      const report = (i: number): never => {
        throw new Error(`image ${String(i)}`);
      };
      expect(() => addClassVectors(src, new Float32Array(src.length), randomFloats(13, 'v'), new Int32Array(10), 13, report)).toThrow(
        `image ${String(image)}`,
      );
      expect(() => shiftImages(src, new Float32Array(src.length), 10, 13, () => 0, report)).toThrow(`image ${String(image)}`);
    }
  });

  it('the committed simdWasm.ts is the compilation of simd.wat, with the type of its exports', async () => {
    expect(readFileSync('src/kernels/simdWasm.ts', 'utf8')).toBe(renderSimd(await compileSimd()));
  });

  it("the exports' type is read from the declarations: names, parameters in order, results", () => {
    const wat = `(module
  ;; adds
  (func (export "add") (param $a i32) (param $b f32)
    (param $c f64) (result f64)
    (local $i i32)
    (f64.const 0))
  (func $inner (param $x i32))
  (func (export "noop")))`;
    expect(parseWatExports(wat)).toEqual([
      {
        name: 'add',
        params: [
          { name: 'a', type: 'i32' },
          { name: 'b', type: 'f32' },
          { name: 'c', type: 'f64' },
        ],
        result: 'f64',
        doc: ['adds'],
      },
      { name: 'noop', params: [], result: undefined, doc: [] },
    ]);
    expect(() => parseWatExports('(module (func $f) (export "f" (func $f)))')).toThrow(/declare exports inline/);
    // The real module's instance exports exactly these functions, each with that many parameters.
    const declared = parseWatExports(readFileSync('src/kernels/simd.wat', 'utf8'));
    const instance = ownKernels() as unknown as Record<string, unknown>;
    expect(Object.keys(instance).sort()).toEqual(['memory', ...declared.map((f) => f.name)].sort());
    for (const f of declared)
      expect([f.name, (instance[f.name] as (...a: unknown[]) => unknown).length]).toEqual([f.name, f.params.length]);
  });
});

describe('copyChecked', () => {
  it('copies exactly across chunk boundaries and reports the chunk of the first non-finite value', async () => {
    const { copyChecked } = await import('../../src/kernels/simd.js');
    // Grow the kernels' memory past one chunk first: copies must not depend on its size.
    shiftImages(randomFloats(300000, 'grow'), new Float32Array(300000), 1, 300000, () => 0, noBad);
    for (const n of [1, 15, 16, 17, 65536, 65537, 200003]) {
      const src = randomFloats(n, `c${String(n)}`);
      const out = copyChecked(src);
      expect(out).toBeInstanceOf(Float32Array);
      expect(Buffer.from((out as Float32Array).buffer).equals(Buffer.from(src.buffer))).toBe(true);
      for (const pos of [0, n - 1, Math.floor(n / 2)]) {
        const bad = src.slice();
        bad[pos] = pos % 2 ? Number.NaN : Number.NEGATIVE_INFINITY;
        const r = copyChecked(bad);
        expect(typeof r).toBe('number');
        expect(-(r as number) - 1).toBe(Math.floor(pos / 65536) * 65536);
      }
    }
  });
});

describe('range checks fused with the pass over the values (issue #26)', () => {
  it('copyChecked, firstChunkOutside, addClassVectors and shiftImages report values outside the bounds', async () => {
    const { copyChecked, firstChunkOutside, FINITE } = await import('../../src/kernels/simd.js');
    const d = 13;
    for (const n of [1, 10, 9000]) {
      const src = randomFloats(n * d, `r${String(n)}`); // values in [-2, 2)
      const bounds = [-2, 2] as const;
      expect(copyChecked(src, bounds)).toEqual(src);
      expect(firstChunkOutside(src, bounds)).toBe(-1);
      for (const pos of [0, n * d - 1, Math.floor((n * d) / 2)]) {
        for (const bad of [2.5, -2.0001, Number.NaN, Number.POSITIVE_INFINITY]) {
          const x = src.slice();
          x[pos] = bad;
          expect(-(copyChecked(x, bounds) as number) - 1).toBe(Math.floor(pos / 65536) * 65536);
          expect(firstChunkOutside(x, bounds)).toBe(Math.floor(pos / 65536) * 65536);
          const image = Math.floor(pos / d);
          const out = new Float32Array(x.length);
          expect(() => addClassVectors(x, out, randomFloats(d, 'v'), new Int32Array(n), d, noBad, bounds)).toThrow(
            `reported image ${String(image)}`,
          );
          expect(() => shiftImages(x, out, n, d, () => 0, noBad, bounds)).toThrow(`reported image ${String(image)}`);
          // Without bounds only NaN and infinities are reported.
          const finite = Number.isFinite(bad);
          expect(typeof copyChecked(x, FINITE)).toBe(finite ? 'object' : 'number');
        }
      }
    }
  });
});
