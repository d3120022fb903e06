import { NotFittedError, fail } from '../errors.js';
import type { FeatureMatrix, LabelsInput } from '../types.js';
import { checkFeatures, checkFitData, throwIfAborted } from './features.js';
import type { FitOptions, Model, ModelParams } from './model.js';

/** What a fit gets after validation. */
export interface FitContext {
  readonly numClasses: number;
  readonly options: FitOptions;
  /** Call between units of work: throws AbortError when aborted. */
  readonly checkAbort: () => void;
}

/**
 * The shared boundary of the classical models: validation, NotFittedError, AbortSignal and the
 * "an aborted or failed fit leaves the model unfitted" rule. Subclasses implement the math on
 * validated data and hold their fitted state in one value (`state`), replaced only on success.
 */
export abstract class FeatureModel<State> implements Model<'features'> {
  abstract readonly name: string;
  readonly inputKind = 'features' as const;
  /** The parameters the model uses (its options resolved with their defaults). */
  abstract readonly params: ModelParams;
  protected state: (State & { readonly cols: number; readonly numClasses: number }) | undefined;

  protected abstract fitState(x: FeatureMatrix, y: Int32Array, ctx: FitContext): State | Promise<State>;
  /** Class probabilities (rows x classes) for validated `x`; may be asynchronous (wasm work in its own memory). */
  protected abstract probaState(state: State, x: FeatureMatrix): Float32Array | Promise<Float32Array>;

  private disposed = false;

  async fit(x: FeatureMatrix, y: LabelsInput, options: FitOptions = {}): Promise<this> {
    const fn = `${this.name}.fit`;
    if (this.disposed) throw fail('INVALID_ARGUMENT', fn, 'this', 'a model that has not been disposed', 'a disposed model');
    const { y: labels, numClasses } = checkFitData(fn, x, y);
    this.state = undefined;
    throwIfAborted(options.signal);
    const state = await this.fitState(x, labels, { numClasses, options, checkAbort: () => throwIfAborted(options.signal) });
    throwIfAborted(options.signal);
    this.state = { ...state, cols: x.cols, numClasses };
    options.onProgress?.({ fraction: 1 });
    return this;
  }

  /** The fitted state, or NotFittedError. */
  protected fitted(fn: string): State & { readonly cols: number; readonly numClasses: number } {
    if (this.state === undefined) throw new NotFittedError(`${this.name}.${fn}`);
    return this.state;
  }

  async predictProba(x: FeatureMatrix): Promise<FeatureMatrix> {
    const s = this.fitted('predictProba');
    checkFeatures(`${this.name}.predictProba`, x, s.cols);
    return { data: await this.probaState(s, x), rows: x.rows, cols: s.numClasses };
  }

  async predict(x: FeatureMatrix): Promise<Int32Array> {
    const s = this.fitted('predict');
    checkFeatures(`${this.name}.predict`, x, s.cols);
    return argmaxRows(await this.probaState(s, x), x.rows, s.numClasses);
  }

  /** Frees the fitted state; the model is unusable afterwards (`fit` and `predict` refuse). */
  dispose(): void {
    this.state = undefined;
    this.disposed = true;
  }
}

/** Row-wise argmax (first maximum on ties, as NumPy). */
export function argmaxRows(p: Float32Array, rows: number, cols: number): Int32Array {
  const out = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    let best = 0;
    let bv = p[r * cols] as number;
    for (let k = 1; k < cols; k++) {
      const v = p[r * cols + k] as number;
      if (v > bv) {
        bv = v;
        best = k;
      }
    }
    out[r] = best;
  }
  return out;
}

/**
 * Class probabilities from per-class scores (log-likelihoods or logits), row by row:
 * `score(row, k)` for each class, softmax (max-subtracted) into a rows x classes array.
 */
export function softmaxRows(rows: number, classes: number, score: (row: number, k: number) => number): Float32Array {
  const out = new Float32Array(rows * classes);
  const z = new Float64Array(classes);
  for (let r = 0; r < rows; r++) {
    let max = Number.NEGATIVE_INFINITY;
    for (let k = 0; k < classes; k++) {
      const v = score(r, k);
      z[k] = v;
      if (v > max) max = v;
    }
    let sum = 0;
    for (let k = 0; k < classes; k++) sum += Math.exp((z[k] as number) - max);
    for (let k = 0; k < classes; k++) out[r * classes + k] = Math.exp((z[k] as number) - max) / sum;
  }
  return out;
}
