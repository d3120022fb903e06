import { fail } from '../../errors.js';
import {
  Arena,
  choleskyUpper,
  crossProduct,
  float32Suffices,
  gramMatrix,
  productTransposed,
  solveUpperTransposed,
  type Precision,
  type Tick,
} from '../../kernels/linalg.js';
import { checkOptions, optionNames } from '../../options.js';
import type { FeatureMatrix } from '../../types.js';
import { checkNumber, describe } from '../../validate.js';
import { FeatureModel, softmaxRows, type FitContext } from '../featureModel.js';
import { classStats, fitStages, logPrior, pauses } from './discriminant.js';

/**
 * Options of {@link QuadraticDiscriminantAnalysis} (scikit-learn's names, camel-cased).
 *
 * @example
 * ```ts
 * import { QuadraticDiscriminantAnalysis, type QuadraticDiscriminantAnalysisOptions } from 'blindspots/models';
 * const options: QuadraticDiscriminantAnalysisOptions = { regParam: 0.1 };
 * const qda = new QuadraticDiscriminantAnalysis(options);
 * ```
 */
export interface QuadraticDiscriminantAnalysisOptions {
  /**
   * Regularisation in [0, 1]: each class covariance is `(1 - regParam) S_k + regParam I`
   * (scikit-learn's `reg_param`, default 0).
   */
  readonly regParam?: number;
  /**
   * With `regParam` 0 only: the variance added to each feature, relative to its pooled
   * within-class variance (`tol * S[j, j]`, S the classes' pooled covariance, so features in the
   * thousands and near 0.01 are treated alike), so that a class with fewer samples than features
   * still has an invertible covariance; a feature constant within the class gets
   * `tol * trace(S_k) / d`. Default 1e-4. With `regParam` > 0 the covariance is scikit-learn's,
   * `(1 - regParam) S_k + regParam I`, and `tol` is not used.
   */
  readonly tol?: number;
}

/** One class's fitted Gaussian. */
interface QDAClass {
  readonly mean: Float64Array;
  /** The features that vary within the class (the others have variance `rho` only). */
  readonly features: Int32Array;
  /**
   * rank x features.length, row-major: the quadratic form's factor (see `beta`); float64 where the
   * fit needed float64 products (then `predict` uses them too).
   */
  readonly weights: Float32Array | Float64Array;
  readonly rank: number;
  /** The variance of the features outside `features`. */
  readonly rho: number;
  /**
   * Weight of `(x_j - mean_j)^2` per feature of `features`: `1 / D_j` (dual form, D the diagonal
   * term of the covariance), or empty (primal form: 0).
   */
  readonly inside: Float64Array;
  /** Weight of `||weights (x - mean)||^2`: negative (dual form) or 1 (primal form). */
  readonly beta: number;
  /** log prior - log det(covariance) / 2. */
  readonly constant: number;
}

/** The option names of {@link QuadraticDiscriminantAnalysis}. */
export const QDA_OPTIONS = optionNames<QuadraticDiscriminantAnalysisOptions>()('regParam', 'tol');

interface QDAState {
  readonly classes: readonly QDAClass[];
}

/**
 * A serialised QuadraticDiscriminantAnalysis, from `toJSON`.
 *
 * @example
 * ```ts
 * import { QuadraticDiscriminantAnalysis, type QuadraticDiscriminantAnalysisJSON } from 'blindspots/models';
 * // Two features; class 1 where the first one is large.
 * const x = { data: Float32Array.of(0, 1, 1, 0, 0.5, 0.5, 5, 1, 6, 0, 5.5, 0.5), rows: 6, cols: 2 };
 * const y = Int32Array.of(0, 0, 0, 1, 1, 1);
 * const xTest = { data: Float32Array.of(0.2, 0.8, 5.8, 0.3), rows: 2, cols: 2 };
 * const qda = await new QuadraticDiscriminantAnalysis({ regParam: 0.1 }).fit(x, y);
 * const json: QuadraticDiscriminantAnalysisJSON = qda.toJSON();
 * json.classes.length === json.numClasses; //=> true
 * ```
 */
export interface QuadraticDiscriminantAnalysisJSON {
  readonly model: 'qda';
  readonly options: QuadraticDiscriminantAnalysisOptions;
  readonly numClasses: number;
  readonly cols: number;
  readonly classes: readonly {
    readonly mean: number[];
    readonly features: number[];
    readonly weights: number[];
    /** Whether `weights` are float64 (absent: float32). */
    readonly float64?: boolean;
    readonly rank: number;
    readonly rho: number;
    /** One weight per feature of `features` (or none: the primal form); a number in files saved before per-feature weights (one weight for all). */
    readonly inside: number[] | number;
    readonly beta: number;
    /** null for a class absent from the training labels (-Infinity). */
    readonly constant: number | null;
  }[];
}

/**
 * Quadratic discriminant analysis: a Gaussian per class with its own covariance
 * `C_k = (1 - regParam) S_k + D_k` over all d features (S_k the unbiased class covariance;
 * `D_k = regParam I`, or with `regParam` 0 the diagonal `tol * S[j, j]` of the pooled within-class
 * covariance S, and `tol * trace(S_k) / d` for a feature constant in the class), priors from the
 * class frequencies; the decision function is
 * `log prior_k - (log det C_k + (x - mean_k)^T C_k^-1 (x - mean_k)) / 2` and `predictProba` its
 * softmax.
 *
 * With `regParam` > 0 this is scikit-learn's `QuadraticDiscriminantAnalysis(reg_param)` formula
 * (whose `reg_param` adds to the unscaled covariance, so it is not scale-free: beside a feature of
 * variance 1e6 it is nothing, beside one of variance 1e-4 it is everything), with one difference
 * where a class has fewer samples than features: scikit-learn scores only within the span of the
 * class's first min(n_k, d) singular vectors (the rest of the space costs nothing and is missing from
 * the determinant), while here every direction outside the class's data has variance `regParam`.
 * The two agree on the benchmark data (docs/performance.md), and this one is a proper density,
 * independent of how an SVD picks a basis of the null space.
 *
 * Computation: with n_k >= d features, the d x d covariance is factored (Cholesky); with n_k < d,
 * the n_k x n_k Gram matrix of the centred class rows, scaled by `D_k^-1/2`, is (Woodbury identity:
 * `C^-1 = D^-1/2 (I - Y^T (I / a + Y Y^T)^-1 Y) D^-1/2` with `Y = X D^-1/2`, `a = (1 - regParam) / (n_k - 1)`),
 * which costs n_k^2 d instead of d^3. The data products run in wasm SIMD, in float32 (summed in
 * float64) where `D_k` is large enough beside the class's variances for float32's rounding not to
 * matter (pixel data at `regParam` 0.1), in float64 otherwise (badly scaled features, or
 * `regParam` near 0: float32 would lose the covariance's small eigenvalues, and the dual form's score
 * is a difference of large terms); the factorisations run in float64. Features constant within a
 * class cost nothing there (they only have their diagonal term).
 *
 * @example
 * ```ts
 * import { QuadraticDiscriminantAnalysis } from 'blindspots/models';
 * // Two features; class 1 where the first one is large.
 * const x = { data: Float32Array.of(0, 1, 1, 0, 0.5, 0.5, 5, 1, 6, 0, 5.5, 0.5), rows: 6, cols: 2 };
 * const y = Int32Array.of(0, 0, 0, 1, 1, 1);
 * const xTest = { data: Float32Array.of(0.2, 0.8, 5.8, 0.3), rows: 2, cols: 2 };
 * const qda = await new QuadraticDiscriminantAnalysis({ regParam: 0.1 }).fit(x, y);
 * const labels = await qda.predict(xTest); //=> Int32Array [0, 1]
 * ```
 */
export class QuadraticDiscriminantAnalysis extends FeatureModel<QDAState> {
  readonly name: string = 'qda';

  readonly params: { readonly regParam: number; readonly tol: number };

  constructor(readonly options: QuadraticDiscriminantAnalysisOptions = {}) {
    super();
    const fn = 'QuadraticDiscriminantAnalysis';
    const o = checkOptions(fn, options, QDA_OPTIONS);
    this.params = {
      regParam: checkNumber(fn, 'options.regParam', o.regParam ?? 0, { min: 0, max: 1 }),
      tol: checkNumber(fn, 'options.tol', o.tol ?? 1e-4, { min: 0 }),
    };
  }

  protected override async fitState(x: FeatureMatrix, y: Int32Array, ctx: FitContext): Promise<QDAState> {
    const fn = `${this.name}.fit`;
    const { regParam: reg, tol } = this.params;
    const { rows, cols, data } = x;
    const K = ctx.numClasses;
    const stats = classStats(x, y, K);
    for (let k = 0; k < K; k++) {
      if (stats.counts[k] === 1)
        throw fail(
          'INVALID_ARGUMENT',
          fn,
          'y',
          'at least 2 samples of every class present (a class covariance needs them)',
          `1 sample of class ${String(k)}`,
        );
    }
    // Each feature's pooled within-class variance: the scale of the ridge with regParam 0 (the
    // same in every class, so a feature nearly constant in one class is not taken at face value).
    const pooled = new Float64Array(cols);
    let dof = 0;
    for (let k = 0; k < K; k++) dof += Math.max(0, (stats.counts[k] as number) - 1);
    for (let k = 0; k < K; k++)
      for (let j = 0; j < cols; j++) pooled[j] = (pooled[j] as number) + (stats.squares[k * cols + j] as number) / dof;
    const stage = fitStages(ctx);
    const quiet = pauses(ctx);
    // One wasm memory for all classes: fresh pages cost a fault each on first touch (~20 us here).
    const arena = new Arena();
    const classes: QDAClass[] = [];
    for (let k = 0; k < K; k++) {
      const nk = stats.counts[k] as number;
      const mean = stats.means.slice(k * cols, (k + 1) * cols);
      if (nk === 0) {
        classes.push({
          mean,
          features: new Int32Array(0),
          weights: new Float32Array(0),
          rank: 0,
          rho: 1,
          inside: new Float64Array(0),
          beta: 0,
          constant: Number.NEGATIVE_INFINITY,
        });
        continue;
      }
      const varying: number[] = [];
      let trace = 0;
      for (let j = 0; j < cols; j++) {
        const ss = stats.squares[k * cols + j] as number;
        if (ss > 0) varying.push(j);
        trace += ss / (nk - 1);
      }
      const features = Int32Array.from(varying);
      const m = features.length;
      // The diagonal term: regParam (scikit-learn's identity term) or, with regParam 0, tol times
      // each feature's pooled within-class variance. Features constant in the class get regParam,
      // or with regParam 0 tol times the class's mean variance (unit variance for a class with none).
      const rho = reg > 0 ? reg : tol * (trace > 0 ? trace / cols : 1);
      if (!(rho > 0))
        throw fail(
          'INVALID_ARGUMENT',
          fn,
          'options.tol',
          'tol > 0 or regParam > 0 (a class covariance is singular)',
          `tol ${String(tol)}, regParam ${String(reg)}`,
        );
      const variance = Float64Array.from(features, (j) => (stats.squares[k * cols + j] as number) / (nk - 1));
      const diagonal = Float64Array.from(features, (j) => (reg > 0 ? reg : tol * (pooled[j] as number)));
      // Covariance = a X^T X + diag(diagonal) over `features` (X the centred class rows).
      const a = (1 - reg) / (nk - 1);
      // The diagonal term relative to each feature's variance decides the products' precision.
      let relative = 1;
      for (let f = 0; f < m; f++) {
        const d = diagonal[f] as number;
        relative = Math.min(relative, d / ((1 - reg) * (variance[f] as number) + d));
      }
      const precision: Precision = float32Suffices(relative, m) ? 'f32' : 'f64';
      const tick = stage(k / K, (k + 1) / K, 3, `class ${String(k + 1)}/${String(K)}`);
      const prior = logPrior(nk, rows);
      if (m === 0 || a === 0) {
        classes.push({
          mean,
          features: new Int32Array(0),
          weights: new Float32Array(0),
          rank: 0,
          rho,
          inside: new Float64Array(0),
          beta: 0,
          constant: prior - 0.5 * cols * Math.log(rho),
        });
        await tick();
        continue;
      }
      const mark = arena.mark();
      const src = { data, cols, rows: stats.rowsOf[k] as Int32Array, features, centres: mean };
      if (m <= nk) {
        // Primal: factor the m x m covariance; weights = U^-T, so ||weights d||^2 = d^T C^-1 d.
        const c = await crossProduct(arena, src, quiet, precision);
        const n = c.size;
        const s = arena.f64(c.at, n * n);
        for (let i = 0; i < n; i++) {
          for (let j = 0; j < n; j++) s[i * n + j] = i < m && j < m ? a * (s[i * n + j] as number) : 0;
          s[i * n + i] = i < m ? (s[i * n + i] as number) + (diagonal[i] as number) : 1;
        }
        await tick();
        if ((await choleskyUpper(arena, c.at, n, quiet)) >= 0) throw notPositive(fn, k, tol, reg);
        let logDet = (cols - m) * Math.log(rho);
        const u = arena.f64(c.at, n * n);
        for (let i = 0; i < m; i++) logDet += 2 * Math.log(u[i * n + i] as number);
        const b = arena.alloc(n * n * 8);
        const id = arena.f64(b, n * n);
        for (let i = 0; i < n; i++) id[i * n + i] = 1;
        await tick();
        await solveUpperTransposed(arena, c.at, n, b, n, quiet);
        classes.push({
          mean,
          features,
          weights: copyRows(arena.f64(b, n * n), m, n, m, precision === 'f64'),
          rank: m,
          rho,
          inside: new Float64Array(0),
          beta: 1,
          constant: prior - 0.5 * logDet,
        });
      } else {
        // Dual (Woodbury), with Y = X D^-1/2 (D = diag(diagonal)): factor I / a + Y Y^T
        // (n_k x n_k); weights = U^-T X D^-1, so that d^T C^-1 d = sum d_j^2 / D_j - ||weights d||^2
        // and log det C = sum log D_j + n_k log a + log det(U^T U). A scalar D = rho runs the
        // same algebra scaled by rho, which needs no scaling of the data (the float32 path).
        const scalar = reg > 0;
        const g = await gramMatrix(
          arena,
          scalar ? src : { ...src, scales: diagonal.map((d) => 1 / Math.sqrt(d)) },
          quiet,
          scalar ? precision : 'f64',
        );
        const n = g.size;
        const s = arena.f64(g.at, n * n);
        // Scalar: U^T U = (rho / a) I + X X^T = rho (I / a + Y Y^T).
        const shift = scalar ? rho / a : 1 / a;
        for (let i = 0; i < n; i++) s[i * n + i] = i < nk ? (s[i * n + i] as number) + shift : 1;
        await tick();
        if ((await choleskyUpper(arena, g.at, n, quiet)) >= 0) throw notPositive(fn, k, tol, reg);
        let logDet = (cols - m) * Math.log(rho) + nk * Math.log(a) - (scalar ? nk * Math.log(rho) : 0);
        for (const d of diagonal) logDet += Math.log(d);
        const u = arena.f64(g.at, n * n);
        for (let i = 0; i < nk; i++) logDet += 2 * Math.log(u[i * n + i] as number);
        const w = Math.ceil(m / 4) * 4;
        const b = arena.alloc(n * w * 8);
        const xc = arena.f64(b, n * w);
        const classRows = stats.rowsOf[k] as Int32Array;
        for (let i = 0; i < nk; i++) {
          const base = (classRows[i] as number) * cols;
          for (let f = 0; f < m; f++) {
            const j = features[f] as number;
            const v = (data[base + j] as number) - (mean[j] as number);
            xc[i * w + f] = scalar ? (precision === 'f32' ? Math.fround(v) : v) : v / (diagonal[f] as number);
          }
        }
        await tick();
        await solveUpperTransposed(arena, g.at, n, b, w, quiet);
        classes.push({
          mean,
          features,
          weights: copyRows(arena.f64(b, n * w), nk, w, m, !scalar || precision === 'f64'),
          rank: nk,
          rho,
          inside: diagonal.map((d) => 1 / d),
          beta: scalar ? -1 / rho : -1,
          constant: prior - 0.5 * logDet,
        });
      }
      arena.release(mark);
      await tick();
    }
    return { classes };
  }

  protected override async probaState(s: QDAState & { numClasses: number; cols: number }, x: FeatureMatrix): Promise<Float32Array> {
    const { rows, cols, data } = x;
    const K = s.numClasses;
    const scores = new Float64Array(rows * K);
    const all = Int32Array.from({ length: rows }, (_, i) => i);
    const none: Tick = async () => {};
    const arena = new Arena();
    for (let k = 0; k < K; k++) {
      const c = s.classes[k] as QDAClass;
      if (c.constant === Number.NEGATIVE_INFINITY) {
        for (let r = 0; r < rows; r++) scores[r * K + k] = Number.NEGATIVE_INFINITY;
        continue;
      }
      // The weight of (x_j - mean_j)^2 outside the product: 1 / rho, or the dual form's inside weights.
      const weight = new Float64Array(cols).fill(1 / c.rho);
      c.features.forEach((j, f) => (weight[j] = c.inside.length > 0 ? (c.inside[f] as number) : 0));
      for (let r = 0; r < rows; r++) {
        let q = 0;
        for (let j = 0; j < cols; j++) {
          const d = (data[r * cols + j] as number) - (c.mean[j] as number);
          q += d * d * (weight[j] as number);
        }
        scores[r * K + k] = q;
      }
      if (c.rank > 0) {
        const m = c.features.length;
        // Rows in chunks, so that the product's memory stays bounded for large test sets.
        for (let r0 = 0; r0 < rows; r0 += 4096) {
          const r1 = Math.min(rows, r0 + 4096);
          const mark = arena.mark();
          const z = await productTransposed(
            arena,
            { data, cols, rows: all.subarray(r0, r1), features: c.features, centres: c.mean },
            {
              data: c.weights,
              cols: m,
              rows: Int32Array.from({ length: c.rank }, (_, i) => i),
              features: Int32Array.from({ length: m }, (_, i) => i),
            },
            none,
            c.weights instanceof Float64Array ? 'f64' : 'f32',
          );
          const zv = arena.f64(z.at, Math.ceil((r1 - r0) / 8) * 8 * z.ld);
          for (let r = r0; r < r1; r++) {
            let q = 0;
            const o = (r - r0) * z.ld;
            for (let i = 0; i < c.rank; i++) q += (zv[o + i] as number) ** 2;
            scores[r * K + k] = (scores[r * K + k] as number) + c.beta * q;
          }
          arena.release(mark);
        }
      }
      for (let r = 0; r < rows; r++) scores[r * K + k] = c.constant - 0.5 * (scores[r * K + k] as number);
    }
    return softmaxRows(rows, K, (r, k) => scores[r * K + k] as number);
  }

  /**
   * The fitted model as plain JSON (its size grows with min(n_k, d) x d per class).
   *
   * @example
   * ```ts
   * import { QuadraticDiscriminantAnalysis, type QuadraticDiscriminantAnalysisJSON } from 'blindspots/models';
   * // Two features; class 1 where the first one is large.
   * const x = { data: Float32Array.of(0, 1, 1, 0, 0.5, 0.5, 5, 1, 6, 0, 5.5, 0.5), rows: 6, cols: 2 };
   * const y = Int32Array.of(0, 0, 0, 1, 1, 1);
   * const xTest = { data: Float32Array.of(0.2, 0.8, 5.8, 0.3), rows: 2, cols: 2 };
   * const qda = await new QuadraticDiscriminantAnalysis({ regParam: 0.1 }).fit(x, y);
   * const copy = QuadraticDiscriminantAnalysis.fromJSON(JSON.parse(JSON.stringify(qda.toJSON())) as QuadraticDiscriminantAnalysisJSON);
   * await copy.predict(xTest); //=> Int32Array [0, 1]
   * ```
   */
  toJSON(): QuadraticDiscriminantAnalysisJSON {
    const s = this.fitted('toJSON');
    return {
      model: 'qda',
      options: this.options,
      numClasses: s.numClasses,
      cols: s.cols,
      classes: s.classes.map((c) => ({
        mean: Array.from(c.mean),
        features: Array.from(c.features),
        weights: Array.from(c.weights),
        float64: c.weights instanceof Float64Array,
        rank: c.rank,
        rho: c.rho,
        inside: Array.from(c.inside),
        beta: c.beta,
        constant: Number.isFinite(c.constant) ? c.constant : null,
      })),
    };
  }

  /**
   * Restores a model saved with `toJSON`.
   *
   * @example
   * ```ts
   * import { readFileSync, writeFileSync } from 'node:fs';
   * import { QuadraticDiscriminantAnalysis, type QuadraticDiscriminantAnalysisJSON } from 'blindspots/models';
   * // Two features; class 1 where the first one is large.
   * const x = { data: Float32Array.of(0, 1, 1, 0, 0.5, 0.5, 5, 1, 6, 0, 5.5, 0.5), rows: 6, cols: 2 };
   * const y = Int32Array.of(0, 0, 0, 1, 1, 1);
   * const xTest = { data: Float32Array.of(0.2, 0.8, 5.8, 0.3), rows: 2, cols: 2 };
   * writeFileSync('qda.json', JSON.stringify((await new QuadraticDiscriminantAnalysis({ regParam: 0.1 }).fit(x, y)).toJSON()));
   * const text = readFileSync('qda.json', 'utf8');
   * const qda = QuadraticDiscriminantAnalysis.fromJSON(JSON.parse(text) as QuadraticDiscriminantAnalysisJSON);
   * await qda.predict(xTest); //=> Int32Array [0, 1]
   * ```
   */
  static fromJSON(json: QuadraticDiscriminantAnalysisJSON): QuadraticDiscriminantAnalysis {
    if (json?.model !== 'qda')
      throw fail('DATA_FORMAT', 'QuadraticDiscriminantAnalysis.fromJSON', 'json', 'a saved qda model', describe(json?.model));
    const m = new QuadraticDiscriminantAnalysis(json.options);
    m.state = {
      numClasses: json.numClasses,
      cols: json.cols,
      classes: json.classes.map((c) => ({
        mean: Float64Array.from(c.mean),
        features: Int32Array.from(c.features),
        weights: c.float64 === true ? Float64Array.from(c.weights) : Float32Array.from(c.weights),
        rank: c.rank,
        rho: c.rho,
        // Files saved before per-feature weights: one number, 0 for the primal form.
        inside:
          typeof c.inside === 'number'
            ? new Float64Array(c.inside === 0 ? 0 : c.features.length).fill(c.inside)
            : Float64Array.from(c.inside),
        beta: c.beta,
        constant: c.constant ?? Number.NEGATIVE_INFINITY,
      })),
    };
    return m;
  }
}

/** The first `count` columns of the first `rows` rows of a rows x ld float64 matrix, as float64 or float32. */
function copyRows(src: Float64Array, rows: number, ld: number, count: number, float64: boolean): Float32Array | Float64Array {
  const out = float64 ? new Float64Array(rows * count) : new Float32Array(rows * count);
  for (let i = 0; i < rows; i++) for (let j = 0; j < count; j++) out[i * count + j] = src[i * ld + j] as number;
  return out;
}

function notPositive(fn: string, k: number, tol: number, reg: number): Error {
  return fail(
    'INVALID_ARGUMENT',
    fn,
    'options.tol',
    `a ridge large enough for a positive definite covariance of class ${String(k)} (${reg > 0 ? 'raise regParam' : 'raise tol'})`,
    `tol ${String(tol)}, regParam ${String(reg)}`,
  );
}
