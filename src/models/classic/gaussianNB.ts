import { checkOptions, optionNames } from '../../options.js';
import type { FeatureMatrix } from '../../types.js';
import { checkNumber } from '../../validate.js';
import { FeatureModel, softmaxRows } from '../featureModel.js';

/** Options of {@link GaussianNB}. */
export interface GaussianNBOptions {
  /**
   * Added to every variance, as a fraction of the largest feature variance (scikit-learn's
   * `var_smoothing`, default 1e-9): keeps features that are constant within a class — an injected
   * pixel is one — from dividing by zero.
   */
  readonly varSmoothing?: number;
}

/** The option names of {@link GaussianNB}. */
export const GAUSSIAN_NB_OPTIONS = optionNames<GaussianNBOptions>()('varSmoothing');

interface NBState {
  readonly mean: Float64Array;
  readonly invVar: Float64Array;
  /** log prior - 0.5 * sum(log(2 pi var)) per class. */
  readonly constant: Float64Array;
}

/** A serialised GaussianNB. */
export interface GaussianNBJSON {
  readonly model: 'gaussianNB';
  readonly options: GaussianNBOptions;
  readonly numClasses: number;
  readonly cols: number;
  readonly mean: number[];
  readonly invVar: number[];
  readonly constant: number[];
}

/**
 * Gaussian naive Bayes, as scikit-learn's `GaussianNB`: per-class means and variances (float64),
 * class priors from the class frequencies, variances smoothed by `varSmoothing` x the largest
 * feature variance.
 *
 * @example
 * ```ts
 * import { GaussianNB } from 'blindspots/models';
 * // Two features; class 1 where the first one is large.
 * const x = { data: Float32Array.of(0, 1, 1, 0, 0.5, 0.5, 5, 1, 6, 0, 5.5, 0.5), rows: 6, cols: 2 };
 * const y = Int32Array.of(0, 0, 0, 1, 1, 1);
 * const xTest = { data: Float32Array.of(0.2, 0.8, 5.8, 0.3), rows: 2, cols: 2 };
 * const nb = await new GaussianNB().fit(x, y);
 * const proba = await nb.predictProba(xTest); // rows x classes
 * [proba.rows, proba.cols]; //=> [2, 2]
 * await nb.predict(xTest); //=> Int32Array [0, 1]
 * ```
 */
export class GaussianNB extends FeatureModel<NBState> {
  readonly name: string = 'gaussianNB';

  readonly params: { readonly varSmoothing: number };

  constructor(readonly options: GaussianNBOptions = {}) {
    super();
    const o = checkOptions('GaussianNB', options, GAUSSIAN_NB_OPTIONS);
    this.params = { varSmoothing: checkNumber('GaussianNB', 'options.varSmoothing', o.varSmoothing ?? 1e-9, { min: 0 }) };
  }

  protected override fitState(x: FeatureMatrix, y: Int32Array, ctx: { numClasses: number }): NBState {
    const smoothing = this.params.varSmoothing;
    const { rows, cols, data } = x;
    const K = ctx.numClasses;
    const count = new Float64Array(K);
    const mean = new Float64Array(K * cols);
    const m2 = new Float64Array(K * cols);
    for (let r = 0; r < rows; r++) count[y[r] as number] = (count[y[r] as number] as number) + 1;
    for (let r = 0; r < rows; r++) {
      const o = (y[r] as number) * cols;
      for (let j = 0; j < cols; j++) mean[o + j] = (mean[o + j] as number) + (data[r * cols + j] as number);
    }
    for (let k = 0; k < K; k++)
      for (let j = 0; j < cols; j++) mean[k * cols + j] = (mean[k * cols + j] as number) / Math.max(1, count[k] as number);
    for (let r = 0; r < rows; r++) {
      const o = (y[r] as number) * cols;
      for (let j = 0; j < cols; j++) {
        const d = (data[r * cols + j] as number) - (mean[o + j] as number);
        m2[o + j] = (m2[o + j] as number) + d * d;
      }
    }
    // The largest variance over all samples, per feature, from the class sums (law of total variance).
    let maxVar = 0;
    for (let j = 0; j < cols; j++) {
      let total = 0;
      for (let k = 0; k < K; k++) total += (count[k] as number) * (mean[k * cols + j] as number);
      const overall = total / rows;
      let ss = 0;
      for (let k = 0; k < K; k++)
        ss += (m2[k * cols + j] as number) + (count[k] as number) * ((mean[k * cols + j] as number) - overall) ** 2;
      if (ss / rows > maxVar) maxVar = ss / rows;
    }
    const epsilon = smoothing * maxVar;
    const invVar = new Float64Array(K * cols);
    const constant = new Float64Array(K);
    for (let k = 0; k < K; k++) {
      // A class absent from y gets -Infinity: never predicted.
      let c = (count[k] as number) > 0 ? Math.log((count[k] as number) / rows) : Number.NEGATIVE_INFINITY;
      for (let j = 0; j < cols; j++) {
        const v = (count[k] as number) > 0 ? (m2[k * cols + j] as number) / (count[k] as number) + epsilon : 1;
        // epsilon is 0 only when every feature is constant overall; keep the variance positive.
        const safe = v > 0 ? v : Number.MIN_VALUE;
        invVar[k * cols + j] = 1 / safe;
        c -= 0.5 * Math.log(2 * Math.PI * safe);
      }
      constant[k] = c;
    }
    return { mean, invVar, constant };
  }

  protected override probaState(s: NBState & { numClasses: number; cols: number }, x: FeatureMatrix): Float32Array {
    const cols = s.cols;
    return softmaxRows(x.rows, s.numClasses, (r, k) => {
      let q = 0;
      const o = k * cols;
      for (let j = 0; j < cols; j++) {
        const d = (x.data[r * cols + j] as number) - (s.mean[o + j] as number);
        q += d * d * (s.invVar[o + j] as number);
      }
      return (s.constant[k] as number) - 0.5 * q;
    });
  }

  /** The fitted model as plain JSON. */
  toJSON(): GaussianNBJSON {
    const s = this.fitted('toJSON');
    return {
      model: 'gaussianNB',
      options: this.options,
      numClasses: s.numClasses,
      cols: s.cols,
      mean: Array.from(s.mean),
      invVar: Array.from(s.invVar),
      constant: Array.from(s.constant),
    };
  }

  /** Restores a model saved with `toJSON`. */
  static fromJSON(json: GaussianNBJSON): GaussianNB {
    const m = new GaussianNB(json.options);
    m.state = {
      numClasses: json.numClasses,
      cols: json.cols,
      mean: Float64Array.from(json.mean),
      invVar: Float64Array.from(json.invVar),
      constant: Float64Array.from(json.constant),
    };
    return m;
  }
}
