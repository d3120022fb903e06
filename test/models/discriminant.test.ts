import { describe, expect, it } from 'vitest';
import { BlindspotsError } from '../../src/errors.js';
import { LinearDiscriminantAnalysis, QuadraticDiscriminantAnalysis } from '../../src/models/index.js';
import type { Model } from '../../src/models/model.js';
import { createRandom, randomNormal } from '../../src/random.js';
import type { FeatureMatrix } from '../../src/types.js';

async function accuracy(model: Model<'features'>, x: FeatureMatrix, y: Int32Array): Promise<number> {
  const p = await model.predict(x);
  return p.filter((v, i) => v === y[i]).length / y.length;
}

/** Samples of Gaussian classes: class k has mean `means[k]` and covariance `L_k L_k^T`. */
function gaussians(seed: string, perClass: number, means: number[][], factors: number[][][]): { x: FeatureMatrix; y: Int32Array } {
  const random = createRandom(seed);
  const K = means.length;
  const d = (means[0] as number[]).length;
  const rows = perClass * K;
  const data = new Float32Array(rows * d);
  const y = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    const k = i % K;
    y[i] = k;
    const z = Array.from({ length: d }, () => randomNormal(random));
    const L = factors[k] as number[][];
    for (let a = 0; a < d; a++) {
      let v = (means[k] as number[])[a] as number;
      for (let b = 0; b <= a; b++) v += ((L[a] as number[])[b] as number) * (z[b] as number);
      data[i * d + a] = v;
    }
  }
  return { x: { data, rows, cols: d }, y };
}

/** Solves A x = b (Gaussian elimination with partial pivoting) and returns x and log|det A|. */
function solve(a: number[][], b: number[]): { x: number[]; logDet: number } {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i] as number]);
  let logDet = 0;
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[p]![c]!)) p = r;
    [m[c], m[p]] = [m[p]!, m[c]!];
    logDet += Math.log(Math.abs(m[c]![c]!));
    for (let r = c + 1; r < n; r++) {
      const f = m[r]![c]! / m[c]![c]!;
      for (let k = c; k <= n; k++) m[r]![k]! -= f * m[c]![k]!;
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = m[r]![n]!;
    for (let k = r + 1; k < n; k++) s -= m[r]![k]! * x[k]!;
    x[r] = s / m[r]![r]!;
  }
  return { x, logDet };
}

const rowSums = (p: FeatureMatrix): number[] =>
  Array.from({ length: p.rows }, (_, r) => Array.from(p.data.subarray(r * p.cols, (r + 1) * p.cols)).reduce((a, v) => a + v, 0));

/**
 * A fixed 120 x 5, 3-class problem with distinct class covariances, in values exact in float32,
 * and scikit-learn 1.2.1's `predict_proba` on six points of it (computed once, offline:
 * the same formula in NumPy, float64).
 */
const reference = (() => {
  const n = 120;
  const d = 5;
  const data = new Float32Array(n * d);
  const y = Int32Array.from({ length: n }, (_, i) => i % 3);
  for (let i = 0; i < n; i++) {
    const k = i % 3;
    for (let j = 0; j < d; j++)
      data[i * d + j] = (((i * 7 + j * 13) % 17) / 16 - 0.5) * (1 + (k * (j % 3)) / 2) + (j === 0 ? 0.75 * k : 0) + ((i * j) % 5) / 32;
  }
  const q = new Float32Array(6 * d);
  [0, 1, 2, 3, 50, 101].forEach((r, i) => {
    for (let j = 0; j < d; j++) q[i * d + j] = (data[r * d + j] as number) + 0.125;
  });
  return {
    x: { data, rows: n, cols: d },
    y,
    q: { data: q, rows: 6, cols: d },
    // LinearDiscriminantAnalysis(solver='lsqr', shrinkage=...) and QuadraticDiscriminantAnalysis(reg_param=...)
    lsqr: [
      0.99997, 0.00003, 0.0, 0.000028, 0.945606, 0.054366, 0.0, 0.000538, 0.999462, 0.998158, 0.001842, 0.0, 0.0, 0.000516, 0.999484, 0.0,
      0.000608, 0.999392,
    ],
    shrink03: [
      0.99172, 0.008279, 0.000001, 0.010485, 0.829355, 0.16016, 0.000001, 0.01744, 0.982559, 0.948413, 0.051573, 0.000014, 0.000006,
      0.041312, 0.958682, 0.000007, 0.046871, 0.953122,
    ],
    auto: [
      0.99975, 0.00025, 0.0, 0.000387, 0.923447, 0.076166, 0.0, 0.001474, 0.998526, 0.993553, 0.006447, 0.0, 0.0, 0.002761, 0.997239, 0.0,
      0.00321, 0.99679,
    ],
    /** sklearn.covariance.ledoit_wolf_shrinkage of each class, standardised. */
    ledoitWolf: [0.1873, 0.162859, 0.154723],
    qda02: [
      0.923073, 0.076184, 0.000743, 0.061099, 0.65499, 0.283911, 0.002264, 0.138906, 0.858831, 0.826079, 0.170999, 0.002922, 0.003983,
      0.224345, 0.771672, 0.004274, 0.238504, 0.757223,
    ],
    qda0: [
      0.999998, 0.000002, 0.0, 0.0, 0.936002, 0.063998, 0.0, 0.000129, 0.999871, 0.999599, 0.000401, 0.0, 0.0, 0.00047, 0.99953, 0.0,
      0.000785, 0.999215,
    ],
  };
})();

function expectClose(actual: Float32Array, expected: number[], tolerance: number): void {
  expect(actual.length).toBe(expected.length);
  const worst = Math.max(...Array.from(actual, (v, i) => Math.abs(v - (expected[i] as number))));
  expect(worst).toBeLessThan(tolerance);
}

describe('LinearDiscriminantAnalysis', () => {
  it('agrees with scikit-learn (solver lsqr) without shrinkage, with shrinkage 0.3 and with Ledoit-Wolf', async () => {
    const { x, y, q } = reference;
    // Without shrinkage the ridge (tol 1e-4 of each feature's variance) moves the probabilities slightly.
    expectClose((await (await new LinearDiscriminantAnalysis().fit(x, y)).predictProba(q)).data, reference.lsqr, 2e-3);
    expectClose(
      (await (await new LinearDiscriminantAnalysis({ shrinkage: 0.3, solver: 'lsqr' }).fit(x, y)).predictProba(q)).data,
      reference.shrink03,
      1e-4,
    );
    const auto = await new LinearDiscriminantAnalysis({ shrinkage: 'auto' }).fit(x, y);
    expectClose((await auto.predictProba(q)).data, reference.auto, 1e-4);
    expect(Math.max(...Array.from(auto.shrinkageUsed, (v, k) => Math.abs(v - (reference.ledoitWolf[k] as number))))).toBeLessThan(1e-5);
  });

  it('approaches the Bayes boundary of two Gaussians with a shared covariance', async () => {
    // Sigma = L L^T = [[1, 0.6, 0], [0.6, 2, 0.3], [0, 0.3, 0.5]].
    const L = [
      [1, 0, 0],
      [0.6, Math.sqrt(2 - 0.36), 0],
      [0, 0.3 / Math.sqrt(1.64), Math.sqrt(0.5 - 0.09 / 1.64)],
    ];
    const means = [
      [0, 0, 0],
      [1, -0.5, 0.5],
    ];
    const { x, y } = gaussians('lda-train', 4000, means, [L, L]);
    const test = gaussians('lda-test', 4000, means, [L, L]);
    const lda = await new LinearDiscriminantAnalysis().fit(x, y);
    const { coef, intercept } = lda.toJSON();
    // Bayes: w = Sigma^-1 (mu1 - mu0), b = -w . (mu1 + mu0) / 2 (equal priors).
    const sigma = [
      [1, 0.6, 0],
      [0.6, 2, 0.3],
      [0, 0.3, 0.5],
    ];
    const w = solve(sigma, [1, -0.5, 0.5]).x;
    const b = -0.5 * (w[0]! * 1 + w[1]! * -0.5 + w[2]! * 0.5);
    const wHat = [0, 1, 2].map((j) => coef[3 + j]! - coef[j]!);
    const bHat = intercept[1]! - intercept[0]!;
    // Within 5% of |w|: the sampling error of 4,000 points per class is about 2%.
    const scale = Math.hypot(...w);
    for (let j = 0; j < 3; j++) expect(Math.abs(wHat[j]! - w[j]!)).toBeLessThan(0.05 * scale);
    expect(Math.abs(bHat - b)).toBeLessThan(0.05 * scale);
    let bayes = 0;
    for (let i = 0; i < test.x.rows; i++) {
      const score = b + [0, 1, 2].reduce((s, j) => s + w[j]! * test.x.data[i * 3 + j]!, 0);
      if ((score > 0 ? 1 : 0) === test.y[i]) bayes++;
    }
    expect(Math.abs((await accuracy(lda, test.x, test.y)) - bayes / test.x.rows)).toBeLessThan(0.01);
  });

  it('gives finite results on zero-variance and duplicated features; without shrinkage ignores class-constant ones, as the pseudo-inverse', async () => {
    const { x, y } = gaussians(
      'lda-const',
      100,
      [
        [0, 0],
        [1, 1],
        [2, 0],
      ],
      [
        [
          [1, 0],
          [0.3, 1],
        ],
        [
          [1, 0],
          [0.3, 1],
        ],
        [
          [1, 0],
          [0.3, 1],
        ],
      ],
    );
    // Columns: the two Gaussian ones, padding 0, a copy of column 0, and a pixel that is the label * 1e-3.
    const cols = 5;
    const data = new Float32Array(x.rows * cols);
    for (let i = 0; i < x.rows; i++) data.set([x.data[i * 2]!, x.data[i * 2 + 1]!, 0, x.data[i * 2]!, y[i]! * 1e-3], i * cols);
    const wide = { data, rows: x.rows, cols };
    const plain = await new LinearDiscriminantAnalysis().fit(wide, y);
    const proba = await plain.predictProba(wide);
    expect(proba.data.every(Number.isFinite)).toBe(true);
    for (const s of rowSums(proba)) expect(s).toBeCloseTo(1, 5);
    const { coef } = plain.toJSON();
    for (let k = 0; k < 3; k++) {
      expect(coef[k * cols + 2]).toBe(0);
      expect(coef[k * cols + 4]).toBe(0);
      // A duplicated column shares its weight equally (the minimum-norm solution).
      expect(coef[k * cols + 3]!).toBeCloseTo(coef[k * cols]!, 6);
    }
    const shrunk = (await new LinearDiscriminantAnalysis({ shrinkage: 0.1 }).fit(wide, y)).toJSON().coef;
    expect(shrunk.every(Number.isFinite)).toBe(true);
    expect(shrunk[2 * cols + 4]).not.toBe(0);
    const auto = await new LinearDiscriminantAnalysis({ shrinkage: 'auto' }).fit(wide, y);
    expect((await auto.predictProba(wide)).data.every(Number.isFinite)).toBe(true);
  });

  it('toJSON / fromJSON round-trip gives identical probabilities', async () => {
    const { x, y, q } = reference;
    const lda = await new LinearDiscriminantAnalysis({ shrinkage: 'auto' }).fit(x, y);
    const copy = LinearDiscriminantAnalysis.fromJSON(JSON.parse(JSON.stringify(lda.toJSON())) as ReturnType<typeof lda.toJSON>);
    expect(Array.from((await copy.predictProba(q)).data)).toEqual(Array.from((await lda.predictProba(q)).data));
    expect(() => LinearDiscriminantAnalysis.fromJSON({ model: 'qda' } as never)).toThrow(/a saved lda model/);
  });

  it('rejects shrinkage, solver and tol out of range with typed errors naming the option', async () => {
    const { x, y } = reference;
    for (const [options, arg] of [
      [{ shrinkage: 1.5 }, 'options.shrinkage'],
      [{ shrinkage: -0.1 }, 'options.shrinkage'],
      [{ shrinkage: Number.NaN }, 'options.shrinkage'],
      [{ shrinkage: 'ledoit' }, 'options.shrinkage'],
      [{ solver: 'svd' }, 'options.solver'],
      [{ tol: -1 }, 'options.tol'],
    ] as const) {
      // Checked at construction, before any data is seen.
      let err: unknown;
      try {
        await new LinearDiscriminantAnalysis(options as never).fit(x, y);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(BlindspotsError);
      expect(err).toMatchObject({ code: 'INVALID_ARGUMENT', details: { fn: 'LinearDiscriminantAnalysis', arg } });
    }
  });

  it('reports progress and aborts mid-fit, leaving the model unfitted', async () => {
    const { x, y } = gaussians(
      'lda-abort',
      400,
      [
        [0, 0, 0],
        [1, 1, 1],
      ],
      [
        [
          [1, 0, 0],
          [0, 1, 0],
          [0, 0, 1],
        ],
        [
          [1, 0, 0],
          [0, 1, 0],
          [0, 0, 1],
        ],
      ],
    );
    const fractions: number[] = [];
    await new LinearDiscriminantAnalysis().fit(x, y, { onProgress: (p) => fractions.push(p.fraction) });
    expect(fractions.length).toBeGreaterThan(2);
    expect(fractions.at(-1)).toBe(1);
    const ctl = new AbortController();
    const lda = new LinearDiscriminantAnalysis();
    await expect(lda.fit(x, y, { signal: ctl.signal, onProgress: () => ctl.abort() })).rejects.toMatchObject({ name: 'AbortError' });
    await expect(lda.predict(x)).rejects.toMatchObject({ code: 'NOT_FITTED' });
  });
});

describe('QuadraticDiscriminantAnalysis', () => {
  it('agrees with scikit-learn where there are more samples than features (regParam 0.2 and 0)', async () => {
    const { x, y, q } = reference;
    expectClose((await (await new QuadraticDiscriminantAnalysis({ regParam: 0.2 }).fit(x, y)).predictProba(q)).data, reference.qda02, 1e-4);
    // regParam 0: the ridge (tol 1e-4 of each feature's pooled variance) moves the probabilities slightly.
    expectClose((await (await new QuadraticDiscriminantAnalysis().fit(x, y)).predictProba(q)).data, reference.qda0, 2e-3);
  });

  it('recovers distinct class covariances and the Bayes posterior, where LDA cannot separate the classes', async () => {
    // Same mean; class 0 small and round, class 1 long and tilted: Sigma1 = [[3, 1.2], [1.2, 1]].
    const L1 = [
      [Math.sqrt(3), 0],
      [1.2 / Math.sqrt(3), Math.sqrt(1 - 0.48)],
    ];
    const L0 = [
      [Math.sqrt(0.2), 0],
      [0, Math.sqrt(0.2)],
    ];
    const sigmas = [
      [
        [0.2, 0],
        [0, 0.2],
      ],
      [
        [3, 1.2],
        [1.2, 1],
      ],
    ];
    const { x, y } = gaussians(
      'qda-train',
      3000,
      [
        [0, 0],
        [0, 0],
      ],
      [L0, L1],
    );
    const test = gaussians(
      'qda-test',
      2000,
      [
        [0, 0],
        [0, 0],
      ],
      [L0, L1],
    );
    const qda = await new QuadraticDiscriminantAnalysis().fit(x, y);
    // Primal form: weights = U^-T with U^T U the covariance, so covariance^-1 = weights^T weights.
    const json = qda.toJSON();
    for (let k = 0; k < 2; k++) {
      const c = json.classes[k]!;
      expect(c.rank).toBe(2);
      const W = c.weights;
      const inv = [
        [W[0]! ** 2 + W[2]! ** 2, W[0]! * W[1]! + W[2]! * W[3]!],
        [0, W[1]! ** 2 + W[3]! ** 2],
      ];
      const det = inv[0]![0]! * inv[1]![1]! - inv[0]![1]! ** 2;
      const cov = [
        [inv[1]![1]! / det, -inv[0]![1]! / det],
        [-inv[0]![1]! / det, inv[0]![0]! / det],
      ];
      for (let a = 0; a < 2; a++)
        for (let b = 0; b < 2; b++) expect(Math.abs(cov[a]![b]! - sigmas[k]![a]![b]!)).toBeLessThan(0.08 * sigmas[k]![a]![a]!);
    }
    const proba = await qda.predictProba(test.x);
    let bayes = 0;
    let gap = 0;
    for (let i = 0; i < test.x.rows; i++) {
      const p = [0, 1].map((k) => {
        const s = sigmas[k]!;
        const det = s[0]![0]! * s[1]![1]! - s[0]![1]! ** 2;
        const [u, v] = [test.x.data[i * 2]!, test.x.data[i * 2 + 1]!];
        const q = (s[1]![1]! * u * u - 2 * s[0]![1]! * u * v + s[0]![0]! * v * v) / det;
        return Math.exp(-0.5 * q) / Math.sqrt(det);
      });
      const post1 = p[1]! / (p[0]! + p[1]!);
      gap += Math.abs(post1 - proba.data[i * 2 + 1]!);
      if ((post1 > 0.5 ? 1 : 0) === test.y[i]) bayes++;
    }
    expect(gap / test.x.rows).toBeLessThan(0.02);
    const acc = await accuracy(qda, test.x, test.y);
    expect(Math.abs(acc - bayes / test.x.rows)).toBeLessThan(0.015);
    expect(await accuracy(await new LinearDiscriminantAnalysis().fit(x, y), test.x, test.y)).toBeLessThan(acc - 0.15);
  });

  // Fewer samples per class than features takes the dual (Woodbury) form; more, the primal one.
  // Badly scaled: feature j is multiplied by 10^(-2 + 5 j / 19), so regParam is negligible beside
  // the large features' variances and the products run in float64.
  for (const [perClass, form] of [
    [8, 'dual'],
    [40, 'primal'],
  ] as const) {
    for (const scaled of [false, true]) {
      it(`matches the covariance formula computed directly (${form} form, ${String(perClass)} samples per class, 20 features${scaled ? ' scaled from 1e-2 to 1e3' : ''}, a constant feature; regParam 0.3 and 0)`, async () => {
        const random = createRandom(`qda-${form}`);
        const d = 20;
        const rows = 2 * perClass;
        const scale = (j: number) => (scaled ? 10 ** (-2 + (5 * j) / (d - 1)) : 1);
        const data = Float32Array.from({ length: rows * d }, (_, i) =>
          i % d === 3 ? 0.5 : (randomNormal(random) * (1 + (i % d) / 10) + (i % 2) * 0.5) * scale(i % d),
        );
        const y = Int32Array.from({ length: rows }, (_, i) => Math.floor((i * 2) / rows));
        const x = { data, rows, cols: d };
        const q = { data: Float32Array.from({ length: 5 * d }, (_, i) => randomNormal(random) * scale(i % d)), rows: 5, cols: d };
        const pooled = Array.from({ length: d }, (_, j) => {
          let ss = 0;
          for (let k = 0; k < 2; k++) {
            const idx = Array.from({ length: rows }, (_, i) => i).filter((i) => y[i] === k);
            const mean = idx.reduce((s, i) => s + data[i * d + j]!, 0) / idx.length;
            ss += idx.reduce((s, i) => s + (data[i * d + j]! - mean) ** 2, 0);
          }
          return ss / (rows - 2);
        });
        for (const reg of [0.3, 0]) {
          const tol = 1e-4;
          const qda = await new QuadraticDiscriminantAnalysis({ regParam: reg }).fit(x, y);
          const proba = await qda.predictProba(q);
          for (let r = 0; r < 5; r++) {
            const scores = [0, 1].map((k) => {
              const idx = Array.from({ length: rows }, (_, i) => i).filter((i) => y[i] === k);
              const n = idx.length;
              const mean = Array.from({ length: d }, (_, j) => idx.reduce((s, i) => s + data[i * d + j]!, 0) / n);
              const S = Array.from({ length: d }, (_, a) =>
                Array.from(
                  { length: d },
                  (_, b) => idx.reduce((s, i) => s + (data[i * d + a]! - mean[a]!) * (data[i * d + b]! - mean[b]!), 0) / (n - 1),
                ),
              );
              // The documented covariance: (1 - reg) S + reg I, or with regParam 0 S + tol times the
              // pooled within-class variances (the two classes have the same size), and tol times the
              // mean variance for the constant feature.
              const meanVariance = S.reduce((s, row, j) => s + row[j]!, 0) / d;
              const cov = S.map((row, a) =>
                row.map((v, b) => (1 - reg) * v + (a !== b ? 0 : reg > 0 ? reg : v > 0 ? tol * pooled[a]! : tol * meanVariance)),
              );
              const diff = mean.map((m, j) => q.data[r * d + j]! - m);
              const { x: sol, logDet } = solve(cov, diff);
              return Math.log(0.5) - 0.5 * (logDet + diff.reduce((s, v, j) => s + v * sol[j]!, 0));
            });
            const p1 = 1 / (1 + Math.exp(scores[0]! - scores[1]!));
            expect(Math.abs(proba.data[r * 2 + 1]! - p1)).toBeLessThan(1e-4);
          }
          expect(qda.toJSON().classes[0]!.rank).toBe(form === 'dual' ? perClass : d - 1);
          // Float64 where regParam is small beside the variances (badly scaled), and in the dual
          // form with regParam 0 (a diagonal term per feature); float32 otherwise.
          const json = qda.toJSON();
          expect(json.classes[0]!.float64).toBe(reg > 0 ? scaled : form === 'dual');
          const copy = QuadraticDiscriminantAnalysis.fromJSON(JSON.parse(JSON.stringify(json)) as typeof json);
          expect(Array.from((await copy.predictProba(q)).data)).toEqual(Array.from(proba.data));
          if (reg > 0 && !scaled) {
            // A file saved before per-feature inside weights (one per class, float32 weights) loads as the same model.
            const old = {
              ...json,
              classes: json.classes.map(({ float64: _, ...c }) => ({ ...c, inside: form === 'dual' ? 1 / c.rho : 0 })),
            };
            const again = QuadraticDiscriminantAnalysis.fromJSON(JSON.parse(JSON.stringify(old)) as typeof json);
            expect(Array.from((await again.predictProba(q)).data)).toEqual(Array.from(proba.data));
          }
        }
      });
    }
  }

  it('gives finite results on constant features and round-trips through JSON', async () => {
    const { x, y } = gaussians(
      'qda-const',
      30,
      [
        [0, 0],
        [1, 1],
      ],
      [
        [
          [1, 0],
          [0, 1],
        ],
        [
          [0.5, 0],
          [0.2, 1],
        ],
      ],
    );
    const cols = 4;
    const data = new Float32Array(x.rows * cols);
    for (let i = 0; i < x.rows; i++) data.set([x.data[i * 2]!, 0, x.data[i * 2 + 1]!, y[i]! * 1e-3], i * cols);
    const wide = { data, rows: x.rows, cols };
    for (const regParam of [0, 0.5, 1]) {
      const qda = await new QuadraticDiscriminantAnalysis({ regParam }).fit(wide, y);
      const proba = await qda.predictProba(wide);
      expect(proba.data.every(Number.isFinite)).toBe(true);
      for (const s of rowSums(proba)) expect(s).toBeCloseTo(1, 5);
      const copy = QuadraticDiscriminantAnalysis.fromJSON(JSON.parse(JSON.stringify(qda.toJSON())) as ReturnType<typeof qda.toJSON>);
      expect(Array.from((await copy.predictProba(wide)).data)).toEqual(Array.from(proba.data));
    }
  });

  it('never predicts a class absent from the labels', async () => {
    const { x, y } = gaussians(
      'qda-gap',
      30,
      [
        [0, 0],
        [3, 3],
      ],
      [
        [
          [1, 0],
          [0, 1],
        ],
        [
          [1, 0],
          [0, 1],
        ],
      ],
    );
    const gapped = y.map((v) => v * 2); // classes 0 and 2
    for (const model of [new QuadraticDiscriminantAnalysis({ regParam: 0.1 }), new LinearDiscriminantAnalysis()]) {
      const proba = await (await model.fit(x, gapped)).predictProba(x);
      expect(proba.cols).toBe(3);
      for (let r = 0; r < proba.rows; r++) expect(proba.data[r * 3 + 1]).toBe(0);
    }
  });

  it('rejects regParam and tol out of range, and a class with one sample, with typed errors', async () => {
    const { x, y } = reference;
    for (const [options, arg] of [
      [{ regParam: 1.5 }, 'options.regParam'],
      [{ regParam: -0.1 }, 'options.regParam'],
      [{ regParam: Number.NaN }, 'options.regParam'],
      [{ tol: -1 }, 'options.tol'],
    ] as const) {
      let err: unknown;
      try {
        await new QuadraticDiscriminantAnalysis(options).fit(x, y);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(BlindspotsError);
      expect(err).toMatchObject({ code: 'INVALID_ARGUMENT', details: { fn: 'QuadraticDiscriminantAnalysis', arg } });
    }
    const lonely = y.slice();
    lonely[0] = 3;
    await expect(new QuadraticDiscriminantAnalysis().fit(x, lonely)).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      details: { arg: 'y' },
    });
  });
});
