import { setImmediate } from '#platform';
import { linearWorkspace } from '../../kernels/simd.js';
import { checkOptions, optionNames } from '../../options.js';
import type { FeatureMatrix } from '../../types.js';
import { checkInteger, checkNumber } from '../../validate.js';
import { FeatureModel, softmaxRows, type FitContext } from '../featureModel.js';

/** Options of {@link LogisticRegression} (scikit-learn's names and defaults). */
export interface LogisticRegressionOptions {
  /** Inverse L2 regularisation strength; default 1. */
  readonly C?: number;
  /** L-BFGS iterations at most; default 100. */
  readonly maxIter?: number;
  /** Stop when the largest gradient component is below this; default 1e-4. */
  readonly tol?: number;
}

/** The option names of {@link LogisticRegression}. */
export const LOGISTIC_REGRESSION_OPTIONS = optionNames<LogisticRegressionOptions>()('C', 'maxIter', 'tol');

interface LRState {
  /** numClasses x cols, row-major. */
  readonly weights: Float64Array;
  readonly bias: Float64Array;
  readonly iterations: number;
}

/** A serialised LogisticRegression. */
export interface LogisticRegressionJSON {
  readonly model: 'logisticRegression';
  readonly options: LogisticRegressionOptions;
  readonly numClasses: number;
  readonly cols: number;
  readonly weights: number[];
  readonly bias: number[];
  readonly iterations: number;
}

const HISTORY = 10;

/**
 * Multinomial (softmax) logistic regression with an L2 penalty, fitted by L-BFGS — scikit-learn's
 * `LogisticRegression()` defaults (C = 1, lbfgs, 100 iterations, intercept unpenalised). It
 * minimises mean cross-entropy + ||W||^2 / (2 C n). The products with the data run in wasm SIMD
 * (float32); the optimiser state is float64. Progress per iteration; abortable between them.
 *
 * @example
 * ```ts
 * import { LogisticRegression } from 'blindspots/models';
 * // Two features; class 1 where the first one is large.
 * const x = { data: Float32Array.of(0, 1, 1, 0, 0.5, 0.5, 5, 1, 6, 0, 5.5, 0.5), rows: 6, cols: 2 };
 * const y = Int32Array.of(0, 0, 0, 1, 1, 1);
 * const xTest = { data: Float32Array.of(0.2, 0.8, 5.8, 0.3), rows: 2, cols: 2 };
 * const lr = await new LogisticRegression({ C: 1 }).fit(x, y, { onProgress: (p) => console.log(p.message) });
 * await lr.predict(xTest); //=> Int32Array [0, 1]
 * ```
 */
export class LogisticRegression extends FeatureModel<LRState> {
  readonly name: string = 'logisticRegression';

  readonly params: { readonly C: number; readonly maxIter: number; readonly tol: number };

  constructor(readonly options: LogisticRegressionOptions = {}) {
    super();
    const fn = 'LogisticRegression';
    const o = checkOptions(fn, options, LOGISTIC_REGRESSION_OPTIONS);
    this.params = {
      C: checkNumber(fn, 'options.C', o.C ?? 1, { positive: true }),
      maxIter: checkInteger(fn, 'options.maxIter', o.maxIter ?? 100, 1, 1e6),
      tol: checkNumber(fn, 'options.tol', o.tol ?? 1e-4, { min: 0 }),
    };
  }

  protected override async fitState(x: FeatureMatrix, y: Int32Array, ctx: FitContext): Promise<LRState> {
    const { C, maxIter, tol } = this.params;
    const { rows, cols } = x;
    const K = ctx.numClasses;
    const nw = K * cols;
    const n = nw + K;
    const ws = linearWorkspace(x.data, rows, cols, K);
    const w32 = new Float32Array(nw);
    const z = new Float32Array(rows * K);
    const d = new Float32Array(rows * K);
    const g32 = new Float32Array(nw);
    const lambda = 1 / (C * rows);

    /** Objective and gradient at theta (weights then biases). */
    const evaluate = (theta: Float64Array, grad: Float64Array): number => {
      for (let i = 0; i < nw; i++) w32[i] = theta[i] as number;
      ws.logits(w32, z);
      let loss = 0;
      grad.fill(0, nw, n);
      for (let r = 0; r < rows; r++) {
        let max = Number.NEGATIVE_INFINITY;
        for (let k = 0; k < K; k++) {
          const v = (z[r * K + k] as number) + (theta[nw + k] as number);
          z[r * K + k] = v;
          if (v > max) max = v;
        }
        let sum = 0;
        for (let k = 0; k < K; k++) sum += Math.exp((z[r * K + k] as number) - max);
        const logSum = max + Math.log(sum);
        const label = y[r] as number;
        loss += logSum - (z[r * K + label] as number);
        for (let k = 0; k < K; k++) {
          const p = Math.exp((z[r * K + k] as number) - logSum) - (k === label ? 1 : 0);
          d[r * K + k] = p / rows;
          grad[nw + k] = (grad[nw + k] as number) + p / rows;
        }
      }
      ws.gradient(d, g32);
      let penalty = 0;
      for (let i = 0; i < nw; i++) {
        const t = theta[i] as number;
        penalty += t * t;
        grad[i] = (g32[i] as number) + lambda * t;
      }
      return loss / rows + 0.5 * lambda * penalty;
    };

    // L-BFGS with a backtracking (Armijo) line search.
    const theta = new Float64Array(n);
    const grad = new Float64Array(n);
    const nextTheta = new Float64Array(n);
    const nextGrad = new Float64Array(n);
    const dir = new Float64Array(n);
    const sHist: Float64Array[] = [];
    const yHist: Float64Array[] = [];
    const rho: number[] = [];
    const alpha = new Float64Array(HISTORY);
    let f = evaluate(theta, grad);
    let it = 0;
    const t0 = performance.now();
    for (; it < maxIter; it++) {
      let gMax = 0;
      for (let i = 0; i < n; i++) gMax = Math.max(gMax, Math.abs(grad[i] as number));
      if (gMax < tol) break;
      // Two-loop recursion: dir = -H grad.
      for (let i = 0; i < n; i++) dir[i] = -(grad[i] as number);
      for (let h = sHist.length - 1; h >= 0; h--) {
        const s = sHist[h] as Float64Array;
        let a = 0;
        for (let i = 0; i < n; i++) a += (s[i] as number) * (dir[i] as number);
        a *= rho[h] as number;
        alpha[h] = a;
        const yy = yHist[h] as Float64Array;
        for (let i = 0; i < n; i++) dir[i] = (dir[i] as number) - a * (yy[i] as number);
      }
      if (sHist.length > 0) {
        const s = sHist[sHist.length - 1] as Float64Array;
        const yy = yHist[yHist.length - 1] as Float64Array;
        let sy = 0;
        let yy2 = 0;
        for (let i = 0; i < n; i++) {
          sy += (s[i] as number) * (yy[i] as number);
          yy2 += (yy[i] as number) ** 2;
        }
        const gamma = sy / yy2;
        for (let i = 0; i < n; i++) dir[i] = (dir[i] as number) * gamma;
      }
      for (let h = 0; h < sHist.length; h++) {
        const yy = yHist[h] as Float64Array;
        let b = 0;
        for (let i = 0; i < n; i++) b += (yy[i] as number) * (dir[i] as number);
        b *= rho[h] as number;
        const s = sHist[h] as Float64Array;
        for (let i = 0; i < n; i++) dir[i] = (dir[i] as number) + ((alpha[h] as number) - b) * (s[i] as number);
      }
      let slope = 0;
      for (let i = 0; i < n; i++) slope += (grad[i] as number) * (dir[i] as number);
      if (slope >= 0) {
        // Not a descent direction (curvature information went stale): restart from the gradient.
        sHist.length = 0;
        yHist.length = 0;
        rho.length = 0;
        for (let i = 0; i < n; i++) dir[i] = -(grad[i] as number);
        slope = -grad.reduce((a, v) => a + v * v, 0);
      }
      let step = sHist.length === 0 ? Math.min(1, 1 / Math.sqrt(-slope)) : 1;
      let fNext = 0;
      let accepted = false;
      for (let tries = 0; tries < 30; tries++) {
        for (let i = 0; i < n; i++) nextTheta[i] = (theta[i] as number) + step * (dir[i] as number);
        fNext = evaluate(nextTheta, nextGrad);
        if (fNext <= f + 1e-4 * step * slope) {
          accepted = true;
          break;
        }
        step *= 0.5;
      }
      if (!accepted) break;
      const s = new Float64Array(n);
      const yy = new Float64Array(n);
      let sy = 0;
      for (let i = 0; i < n; i++) {
        s[i] = (nextTheta[i] as number) - (theta[i] as number);
        yy[i] = (nextGrad[i] as number) - (grad[i] as number);
        sy += (s[i] as number) * (yy[i] as number);
      }
      if (sy > 1e-12) {
        sHist.push(s);
        yHist.push(yy);
        rho.push(1 / sy);
        if (sHist.length > HISTORY) {
          sHist.shift();
          yHist.shift();
          rho.shift();
        }
      }
      const converged = Math.abs(f - fNext) <= 1e-12 * Math.max(Math.abs(f), Math.abs(fNext), 1);
      theta.set(nextTheta);
      grad.set(nextGrad);
      f = fNext;
      const elapsed = (performance.now() - t0) / 1000;
      ctx.options.onProgress?.({
        fraction: (it + 1) / maxIter,
        etaSeconds: (elapsed / (it + 1)) * (maxIter - it - 1),
        message: `iteration ${String(it + 1)}/${String(maxIter)}, loss ${f.toFixed(5)}`,
      });
      ctx.checkAbort();
      await new Promise<void>((resolve) => setImmediate(resolve));
      ctx.checkAbort();
      if (converged) {
        it++;
        break;
      }
    }
    return { weights: theta.slice(0, nw), bias: theta.slice(nw), iterations: it };
  }

  protected override probaState(s: LRState & { numClasses: number; cols: number }, x: FeatureMatrix): Float32Array {
    const cols = s.cols;
    return softmaxRows(x.rows, s.numClasses, (r, k) => {
      let v = s.bias[k] as number;
      for (let j = 0; j < cols; j++) v += (x.data[r * cols + j] as number) * (s.weights[k * cols + j] as number);
      return v;
    });
  }

  /** Iterations the last fit ran (for convergence checks). */
  get iterations(): number {
    return this.fitted('iterations').iterations;
  }

  /** The fitted model as plain JSON. */
  toJSON(): LogisticRegressionJSON {
    const s = this.fitted('toJSON');
    return {
      model: 'logisticRegression',
      options: this.options,
      numClasses: s.numClasses,
      cols: s.cols,
      weights: Array.from(s.weights),
      bias: Array.from(s.bias),
      iterations: s.iterations,
    };
  }

  /** Restores a model saved with `toJSON`. */
  static fromJSON(json: LogisticRegressionJSON): LogisticRegression {
    const m = new LogisticRegression(json.options);
    m.state = {
      numClasses: json.numClasses,
      cols: json.cols,
      weights: Float64Array.from(json.weights),
      bias: Float64Array.from(json.bias),
      iterations: json.iterations,
    };
    return m;
  }
}
