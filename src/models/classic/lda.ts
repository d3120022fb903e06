import { fail } from '../../errors.js';
import {
  Arena,
  choleskyUpper,
  crossProduct,
  float32Suffices,
  solveUpperTransposed,
  type ArenaMatrix,
  type Precision,
  type Tick,
} from '../../kernels/linalg.js';
import { checkOptions, optionNames } from '../../options.js';
import type { FeatureMatrix } from '../../types.js';
import { checkNumber, describe } from '../../validate.js';
import { FeatureModel, softmaxRows, type FitContext } from '../featureModel.js';
import { classStats, fitStages, logPrior, type ClassStats } from './discriminant.js';

/**
 * Options of {@link LinearDiscriminantAnalysis} (scikit-learn's names).
 *
 * @example
 * ```ts
 * import { LinearDiscriminantAnalysis, type LinearDiscriminantAnalysisOptions } from 'blindspots/models';
 * const options: LinearDiscriminantAnalysisOptions = { solver: 'lsqr', shrinkage: 'auto' };
 * const lda = new LinearDiscriminantAnalysis(options);
 * ```
 */
export interface LinearDiscriminantAnalysisOptions {
  /**
   * `'lsqr'` (the only one): solves `covariance * coef = means` — scikit-learn's `solver='lsqr'`.
   * Its `'eigen'` solver gives the same classifier (`coef = means * covariance^-1`) and fails where
   * the covariance is singular; its default `'svd'` solver gives the same predictions as `'lsqr'`
   * without shrinkage on the benchmark data (docs/performance.md).
   */
  readonly solver?: 'lsqr';
  /**
   * Shrinkage of the within-class covariance towards a multiple of the identity: a number in
   * [0, 1] (scikit-learn's `shrinkage=float`: `(1 - a) S + a trace(S) / d I`), `'auto'` for the
   * Ledoit-Wolf estimate per class on standardised features (scikit-learn's `shrinkage='auto'`),
   * or undefined (the default) for none.
   */
  readonly shrinkage?: number | 'auto' | null;
  /**
   * Ridge of the solve, relative to each feature's variance: the covariance's diagonal is
   * multiplied by `1 + tol` (features that vary), so that a singular covariance (duplicated or
   * collinear pixels, fewer samples than features) still has a unique, finite solution, and
   * features in the thousands and near 0.01 are treated alike; default 1e-4 (scikit-learn's `tol`
   * default, there a rank threshold of the `'svd'` solver). Directions whose variance is below
   * `tol` of their features' variances (near-duplicate features) are smoothed away, where
   * scikit-learn's pseudo-inverse keeps them: a smaller `tol` (1e-12) reproduces it, with the
   * products then in float64.
   */
  readonly tol?: number;
}

/** The option names of {@link LinearDiscriminantAnalysis}. */
export const LDA_OPTIONS = optionNames<LinearDiscriminantAnalysisOptions>()('solver', 'shrinkage', 'tol');

interface LDAState {
  /** numClasses x cols, row-major. */
  readonly coef: Float64Array;
  readonly intercept: Float64Array;
  /** The shrinkage used per class (all equal unless `'auto'`). */
  readonly shrinkage: Float64Array;
}

/**
 * A serialised LinearDiscriminantAnalysis, from `toJSON`.
 *
 * @example
 * ```ts
 * import { LinearDiscriminantAnalysis, type LinearDiscriminantAnalysisJSON } from 'blindspots/models';
 * // Two features; class 1 where the first one is large.
 * const x = { data: Float32Array.of(0, 1, 1, 0, 0.5, 0.5, 5, 1, 6, 0, 5.5, 0.5), rows: 6, cols: 2 };
 * const y = Int32Array.of(0, 0, 0, 1, 1, 1);
 * const xTest = { data: Float32Array.of(0.2, 0.8, 5.8, 0.3), rows: 2, cols: 2 };
 * const lda = await new LinearDiscriminantAnalysis().fit(x, y);
 * const json: LinearDiscriminantAnalysisJSON = lda.toJSON();
 * json.coef.length === json.numClasses * json.cols; //=> true
 * ```
 */
export interface LinearDiscriminantAnalysisJSON {
  readonly model: 'lda';
  readonly options: LinearDiscriminantAnalysisOptions;
  readonly numClasses: number;
  readonly cols: number;
  readonly coef: number[];
  readonly intercept: number[];
  readonly shrinkage: number[];
}

/**
 * Linear discriminant analysis, as scikit-learn's `LinearDiscriminantAnalysis(solver='lsqr')`:
 * Gaussian classes sharing one covariance, priors from the class frequencies. The covariance is
 * the prior-weighted sum of the class covariances (biased, as scikit-learn's), each optionally
 * shrunk (`shrinkage`); the decision function is `x . coef_k + intercept_k` with
 * `coef = covariance^-1 mean_k` and `intercept_k = -mean_k . coef_k / 2 + log prior_k`;
 * `predictProba` is its softmax.
 *
 * Zero-variance features: a feature that is constant within every class (padding, a blank border,
 * an injected pixel whose value only depends on the class) has no row or column in the covariance.
 * Without shrinkage it gets coefficient 0 — what scikit-learn's least-squares (pseudo-inverse)
 * solution gives it — so it is ignored even when its value differs between classes; with
 * shrinkage it has variance `shrinkage * trace / d` and is used, as in scikit-learn. The other
 * features are solved with a ridge of `tol` times each one's variance (see
 * {@link LinearDiscriminantAnalysisOptions.tol}), by Cholesky factorisation.
 *
 * The within-class scatter (the product of the 12,500 x 3,072 centred data with itself, most of the
 * work) runs in wasm SIMD in float32 panels summed in float64 where the ridge (and shrinkage)
 * exceeds float32's rounding in correlation scale (the default `tol` up to ~11,000 features), in
 * float64 otherwise; the factorisation and solves in float64. Progress by stage; abortable between
 * blocks.
 *
 * @example
 * ```ts
 * import { LinearDiscriminantAnalysis } from 'blindspots/models';
 * // Two features; class 1 where the first one is large.
 * const x = { data: Float32Array.of(0, 1, 1, 0, 0.5, 0.5, 5, 1, 6, 0, 5.5, 0.5), rows: 6, cols: 2 };
 * const y = Int32Array.of(0, 0, 0, 1, 1, 1);
 * const xTest = { data: Float32Array.of(0.2, 0.8, 5.8, 0.3), rows: 2, cols: 2 };
 * const lda = await new LinearDiscriminantAnalysis({ shrinkage: 'auto' }).fit(x, y);
 * const proba = await lda.predictProba(xTest); // rows x classes
 * await lda.predict(xTest); //=> Int32Array [0, 1]
 * ```
 */
export class LinearDiscriminantAnalysis extends FeatureModel<LDAState> {
  readonly name: string = 'lda';

  readonly params: { readonly solver: 'lsqr'; readonly shrinkage: number | 'auto' | null; readonly tol: number };

  constructor(readonly options: LinearDiscriminantAnalysisOptions = {}) {
    super();
    const fn = 'LinearDiscriminantAnalysis';
    const o = checkOptions(fn, options, LDA_OPTIONS, 'options', ['shrinkage']);
    if (o.solver !== undefined && o.solver !== 'lsqr') throw fail('INVALID_ARGUMENT', fn, 'options.solver', "'lsqr'", describe(o.solver));
    this.params = {
      solver: 'lsqr',
      shrinkage:
        o.shrinkage === 'auto' || o.shrinkage === undefined
          ? (o.shrinkage ?? null)
          : checkNumber(fn, 'options.shrinkage', o.shrinkage, { min: 0, max: 1 }),
      tol: checkNumber(fn, 'options.tol', o.tol ?? 1e-4, { min: 0 }),
    };
  }

  protected override async fitState(x: FeatureMatrix, y: Int32Array, ctx: FitContext): Promise<LDAState> {
    const fn = `${this.name}.fit`;
    const shrinkage = this.params.shrinkage ?? undefined;
    const tol = this.params.tol;
    const { rows, cols } = x;
    const K = ctx.numClasses;
    const stats = classStats(x, y, K);
    // Features with some within-class variance; the rest are decoupled from them (zero covariance).
    const varying: number[] = [];
    for (let j = 0; j < cols; j++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += stats.squares[k * cols + j] as number;
      if (s > 0) varying.push(j);
    }
    const features = Int32Array.from(varying);
    const m = features.length;
    const isVarying = new Uint8Array(cols);
    for (const j of features) isVarying[j] = 1;
    // The products run in float32 where their rounding stays below the regularisation relative to
    // each feature's variance: the ridge tol, plus what a fixed shrinkage adds (Ledoit-Wolf's is
    // not known before the products, and counted as 0).
    let relative = tol / (1 + tol);
    if (typeof shrinkage === 'number' && shrinkage > 0) {
      let mu = 0;
      for (let k = 0; k < K; k++) for (let j = 0; j < cols; j++) mu += stats.squares[k * cols + j] as number;
      mu /= rows * cols;
      for (const j of features) {
        let v = 0;
        for (let k = 0; k < K; k++) v += stats.squares[k * cols + j] as number;
        const c = (1 - shrinkage) * (v / rows) + shrinkage * mu;
        relative = Math.min(relative, (shrinkage * mu + tol * c) / ((1 + tol) * c));
      }
    }
    const precision: Precision = float32Suffices(relative, m) ? 'f32' : 'f64';
    const stage = fitStages(ctx);
    const arena = new Arena();
    // diag[j]: the covariance of the features outside `features` (0, or what shrinkage gives them).
    const diag = new Float64Array(cols);
    const used = new Float64Array(K);
    let cov: ArenaMatrix | undefined;
    if (m > 0) {
      cov =
        shrinkage === 'auto'
          ? await ledoitWolfCovariance(
              arena,
              x,
              stats,
              features,
              diag,
              used,
              stage(0, 0.7, Math.ceil(rows / 256) + K, 'class covariances, Ledoit-Wolf'),
              precision,
            )
          : await pooledCovariance(
              arena,
              x,
              y,
              stats,
              features,
              shrinkage ?? 0,
              diag,
              used,
              stage(0, 0.7, Math.ceil(rows / 256), 'within-class scatter'),
              precision,
            );
    } else if (typeof shrinkage === 'number') used.fill(shrinkage);
    const coef = new Float64Array(K * cols);
    if (cov !== undefined) {
      const n = cov.size;
      const a = arena.f64(cov.at, n * n);
      // The ridge: tol times each feature's own variance (scale-free: a feature in the thousands
      // does not swamp one near 0.01).
      for (let i = 0; i < n; i++) a[i * n + i] = i < m ? (a[i * n + i] as number) * (1 + tol) : 1;
      const failed = await choleskyUpper(arena, cov.at, n, stage(0.7, 0.95, Math.ceil(n / 64), 'Cholesky factorisation'));
      if (failed >= 0) {
        throw fail(
          'INVALID_ARGUMENT',
          fn,
          'options.tol',
          'a ridge large enough for a positive definite covariance (or shrinkage > 0)',
          `tol ${String(tol)}: pivot ${String(failed)} not positive`,
        );
      }
      // coef_S = covariance^-1 means_S: forward then back substitution with the factor.
      const w = Math.ceil(K / 4) * 4;
      const b = arena.alloc(n * w * 8);
      const rhs = arena.f64(b, n * w);
      for (let i = 0; i < m; i++) for (let k = 0; k < K; k++) rhs[i * w + k] = stats.means[k * cols + (features[i] as number)] as number;
      await solveUpperTransposed(arena, cov.at, n, b, w, stage(0.95, 1, Math.ceil(n / 32), 'solve'));
      const u = arena.f64(cov.at, n * n);
      const z = arena.f64(b, n * w);
      for (let i = n - 1; i >= 0; i--) {
        const inv = 1 / (u[i * n + i] as number);
        for (let k = 0; k < w; k++) {
          let s = z[i * w + k] as number;
          for (let t = i + 1; t < n; t++) s -= (u[i * n + t] as number) * (z[t * w + k] as number);
          z[i * w + k] = s * inv;
        }
      }
      for (let i = 0; i < m; i++) for (let k = 0; k < K; k++) coef[k * cols + (features[i] as number)] = z[i * w + k] as number;
    }
    for (let j = 0; j < cols; j++) {
      const d = diag[j] as number;
      if (isVarying[j] === 0 && d > 0) for (let k = 0; k < K; k++) coef[k * cols + j] = (stats.means[k * cols + j] as number) / d;
    }
    const intercept = new Float64Array(K);
    for (let k = 0; k < K; k++) {
      let s = 0;
      for (let j = 0; j < cols; j++) s += (stats.means[k * cols + j] as number) * (coef[k * cols + j] as number);
      intercept[k] = logPrior(stats.counts[k] as number, rows) - 0.5 * s;
    }
    return { coef, intercept, shrinkage: used };
  }

  protected override probaState(s: LDAState & { numClasses: number; cols: number }, x: FeatureMatrix): Float32Array {
    const cols = s.cols;
    return softmaxRows(x.rows, s.numClasses, (r, k) => {
      let v = s.intercept[k] as number;
      const o = k * cols;
      for (let j = 0; j < cols; j++) v += (x.data[r * cols + j] as number) * (s.coef[o + j] as number);
      return v;
    });
  }

  /**
   * The shrinkage the last fit used, per class: `options.shrinkage` (or 0), or the Ledoit-Wolf
   * estimate of each class with `'auto'`.
   *
   * @example
   * ```ts
   * import { LinearDiscriminantAnalysis } from 'blindspots/models';
   * // Two features; class 1 where the first one is large.
   * const x = { data: Float32Array.of(0, 1, 1, 0, 0.5, 0.5, 5, 1, 6, 0, 5.5, 0.5), rows: 6, cols: 2 };
   * const y = Int32Array.of(0, 0, 0, 1, 1, 1);
   * const xTest = { data: Float32Array.of(0.2, 0.8, 5.8, 0.3), rows: 2, cols: 2 };
   * const lda = await new LinearDiscriminantAnalysis({ shrinkage: 'auto' }).fit(x, y);
   * console.log(lda.shrinkageUsed); // a Float64Array, one Ledoit-Wolf estimate per class
   * lda.shrinkageUsed.length; //=> 2
   * ```
   */
  get shrinkageUsed(): Float64Array {
    return this.fitted('shrinkageUsed').shrinkage.slice();
  }

  /**
   * The fitted model as plain JSON.
   *
   * @example
   * ```ts
   * import { LinearDiscriminantAnalysis, type LinearDiscriminantAnalysisJSON } from 'blindspots/models';
   * // Two features; class 1 where the first one is large.
   * const x = { data: Float32Array.of(0, 1, 1, 0, 0.5, 0.5, 5, 1, 6, 0, 5.5, 0.5), rows: 6, cols: 2 };
   * const y = Int32Array.of(0, 0, 0, 1, 1, 1);
   * const xTest = { data: Float32Array.of(0.2, 0.8, 5.8, 0.3), rows: 2, cols: 2 };
   * const lda = await new LinearDiscriminantAnalysis().fit(x, y);
   * const copy = LinearDiscriminantAnalysis.fromJSON(JSON.parse(JSON.stringify(lda.toJSON())) as LinearDiscriminantAnalysisJSON);
   * await copy.predict(xTest); //=> Int32Array [0, 1]
   * ```
   */
  toJSON(): LinearDiscriminantAnalysisJSON {
    const s = this.fitted('toJSON');
    return {
      model: 'lda',
      options: this.options,
      numClasses: s.numClasses,
      cols: s.cols,
      coef: Array.from(s.coef),
      intercept: Array.from(s.intercept),
      shrinkage: Array.from(s.shrinkage),
    };
  }

  /**
   * Restores a model saved with `toJSON`.
   *
   * @example
   * ```ts
   * import { readFileSync, writeFileSync } from 'node:fs';
   * import { LinearDiscriminantAnalysis, type LinearDiscriminantAnalysisJSON } from 'blindspots/models';
   * // Two features; class 1 where the first one is large.
   * const x = { data: Float32Array.of(0, 1, 1, 0, 0.5, 0.5, 5, 1, 6, 0, 5.5, 0.5), rows: 6, cols: 2 };
   * const y = Int32Array.of(0, 0, 0, 1, 1, 1);
   * const xTest = { data: Float32Array.of(0.2, 0.8, 5.8, 0.3), rows: 2, cols: 2 };
   * writeFileSync('lda.json', JSON.stringify((await new LinearDiscriminantAnalysis().fit(x, y)).toJSON()));
   * const text = readFileSync('lda.json', 'utf8');
   * const lda = LinearDiscriminantAnalysis.fromJSON(JSON.parse(text) as LinearDiscriminantAnalysisJSON);
   * await lda.predict(xTest); //=> Int32Array [0, 1]
   * ```
   */
  static fromJSON(json: LinearDiscriminantAnalysisJSON): LinearDiscriminantAnalysis {
    if (json?.model !== 'lda')
      throw fail('DATA_FORMAT', 'LinearDiscriminantAnalysis.fromJSON', 'json', 'a saved lda model', describe(json?.model));
    const m = new LinearDiscriminantAnalysis(json.options);
    m.state = {
      numClasses: json.numClasses,
      cols: json.cols,
      coef: Float64Array.from(json.coef),
      intercept: Float64Array.from(json.intercept),
      shrinkage: Float64Array.from(json.shrinkage),
    };
    return m;
  }
}

/**
 * The pooled within-class covariance `sum_k prior_k S_k` (S_k biased) of `features`, shrunk by
 * `shrinkage`, as one product of the class-centred rows with themselves. Fills `diag` for the
 * features outside `features` (their shrinkage variance) and `used` with the shrinkage.
 */
async function pooledCovariance(
  arena: Arena,
  x: FeatureMatrix,
  y: Int32Array,
  stats: ClassStats,
  features: Int32Array,
  shrinkage: number,
  diag: Float64Array,
  used: Float64Array,
  tick: Tick,
  precision: Precision,
): Promise<ArenaMatrix> {
  const { rows, cols } = x;
  const all = Int32Array.from({ length: rows }, (_, i) => i);
  const cov = await crossProduct(arena, { data: x.data, cols, rows: all, features, centres: stats.means, centreOf: y }, tick, precision);
  const n = cov.size;
  const m = features.length;
  const a = arena.f64(cov.at, n * n);
  let trace = 0;
  for (let i = 0; i < m; i++) trace += (a[i * n + i] as number) / rows;
  const mu = trace / cols;
  const keep = (1 - shrinkage) / rows;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < m; j++) a[i * n + j] = (a[i * n + j] as number) * keep;
    a[i * n + i] = (a[i * n + i] as number) + shrinkage * mu;
  }
  diag.fill(shrinkage * mu);
  used.fill(shrinkage);
  return cov;
}

/**
 * scikit-learn's `shrinkage='auto'`: per class, the Ledoit-Wolf shrinkage of the covariance of the
 * standardised class data (features with zero variance in the class keep scale 1), rescaled, and
 * summed with the class priors: `cov_k = (1 - s_k) S_k + s_k mu_k diag(S_k)` with `mu_k` the share of
 * features that vary in the class.
 */
async function ledoitWolfCovariance(
  arena: Arena,
  x: FeatureMatrix,
  stats: ClassStats,
  features: Int32Array,
  diag: Float64Array,
  used: Float64Array,
  tick: Tick,
  precision: Precision,
): Promise<ArenaMatrix> {
  const { rows, cols, data } = x;
  const K = stats.counts.length;
  const m = features.length;
  const n = Math.ceil(m / 8) * 8;
  const pooled = arena.alloc(n * n * 8);
  const centreOf = new Int32Array(rows);
  for (let k = 0; k < K; k++) {
    const nk = stats.counts[k] as number;
    if (nk === 0) continue;
    const prior = nk / rows;
    const scale = new Float64Array(m);
    let varyingInClass = 0;
    for (let i = 0; i < m; i++) {
      const v = (stats.squares[k * cols + (features[i] as number)] as number) / nk;
      scale[i] = v > 0 ? Math.sqrt(v) : 1;
      if (v > 0) varyingInClass++;
    }
    const mark = arena.mark();
    const ck = await crossProduct(
      arena,
      { data, cols, rows: stats.rowsOf[k] as Int32Array, features, centres: stats.means, centreOf: centreOf.fill(k, 0, nk) },
      tick,
      precision,
    );
    const c = arena.f64(ck.at, n * n);
    // ||S_std||_F^2 and the trace of S_std (the number of features varying in the class).
    let frob = 0;
    for (let i = 0; i < m; i++) {
      const si = (scale[i] as number) * nk;
      for (let j = 0; j < m; j++) {
        const v = (c[i * n + j] as number) / (si * (scale[j] as number));
        frob += v * v;
      }
    }
    // sum over rows of ||z_r||^4, z the standardised row.
    let fourth = 0;
    for (const r of stats.rowsOf[k] as Int32Array) {
      let s2 = 0;
      for (let i = 0; i < m; i++) {
        const j = features[i] as number;
        const z = ((data[r * cols + j] as number) - (stats.means[k * cols + j] as number)) / (scale[i] as number);
        s2 += z * z;
      }
      fourth += s2 * s2;
    }
    const mu = varyingInClass / cols;
    let beta = (fourth / nk - frob) / (cols * nk);
    const delta = (frob - 2 * mu * varyingInClass + cols * mu * mu) / cols;
    beta = Math.min(beta, delta);
    // scikit-learn returns 0 for a single feature.
    const s = beta === 0 || cols === 1 ? 0 : beta / delta;
    used[k] = s;
    const p = arena.f64(pooled, n * n);
    const c2 = arena.f64(ck.at, n * n);
    const keep = (prior * (1 - s)) / nk;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < m; j++) p[i * n + j] = (p[i * n + j] as number) + keep * (c2[i * n + j] as number);
      p[i * n + i] = (p[i * n + i] as number) + prior * s * mu * (scale[i] as number) ** 2;
    }
    // Features constant in every class: scale 1, so the shrinkage target gives them variance s mu.
    for (let j = 0; j < cols; j++) diag[j] = (diag[j] as number) + prior * s * mu;
    arena.release(mark);
    await tick();
  }
  return { at: pooled, size: n };
}
