/** What the two discriminant analyses share: class statistics and progress over the stages of a fit. */
import { setImmediate } from '#platform';
import type { Tick } from '../../kernels/linalg.js';
import type { FeatureMatrix } from '../../types.js';
import type { FitContext } from '../featureModel.js';

/**
 * Per-class counts, means and sums of squared deviations (float64, two passes), from {@link classStats}.
 *
 * @example
 * ```ts
 * const { counts, rowsOf } = classStats(x, y, 10);
 * console.log(counts[3] === rowsOf[3]?.length); // true
 * ```
 */
export interface ClassStats {
  readonly counts: Float64Array;
  /** numClasses x cols. */
  readonly means: Float64Array;
  /** numClasses x cols: sum over the class's rows of (x - mean)^2. */
  readonly squares: Float64Array;
  /** The row indices of each class, in order. */
  readonly rowsOf: readonly Int32Array[];
}

/**
 * Counts, means and squared deviations per class. A feature constant within a class gets a sum of
 * exactly 0 (its mean is exact: n copies of a float32 value sum exactly in float64), which is how the
 * models recognise zero-variance features.
 *
 * @example
 * ```ts
 * const { counts, means, squares } = classStats(x, y, 10);
 * ```
 */
export function classStats(x: FeatureMatrix, y: Int32Array, numClasses: number): ClassStats {
  const { rows, cols, data } = x;
  const counts = new Float64Array(numClasses);
  const means = new Float64Array(numClasses * cols);
  const squares = new Float64Array(numClasses * cols);
  for (let r = 0; r < rows; r++) {
    const k = y[r] as number;
    counts[k] = (counts[k] as number) + 1;
    const o = k * cols;
    for (let j = 0; j < cols; j++) means[o + j] = (means[o + j] as number) + (data[r * cols + j] as number);
  }
  for (let k = 0; k < numClasses; k++) {
    const c = counts[k] as number;
    if (c > 0) for (let j = 0; j < cols; j++) means[k * cols + j] = (means[k * cols + j] as number) / c;
  }
  for (let r = 0; r < rows; r++) {
    const o = (y[r] as number) * cols;
    for (let j = 0; j < cols; j++) {
      const d = (data[r * cols + j] as number) - (means[o + j] as number);
      squares[o + j] = (squares[o + j] as number) + d * d;
    }
  }
  const rowsOf: Int32Array[] = [];
  const fill = new Int32Array(numClasses);
  for (let k = 0; k < numClasses; k++) rowsOf.push(new Int32Array(counts[k] as number));
  for (let r = 0; r < rows; r++) {
    const k = y[r] as number;
    (rowsOf[k] as Int32Array)[fill[k] as number] = r;
    fill[k] = (fill[k] as number) + 1;
  }
  return { counts, means, squares, rowsOf };
}

/**
 * Progress through the stages of a fit. `stage(from, to, units, message)` returns a {@link Tick}
 * that moves the reported fraction from `from` towards `to` over `units` calls; each call checks
 * for an abort and yields to the event loop (so an `AbortSignal` can fire mid-fit).
 *
 * @example
 * ```ts
 * const stage = fitStages(ctx);
 * const tick = stage(0, 0.7, Math.ceil(rows / 256), 'within-class scatter');
 * ```
 */
export function fitStages(ctx: FitContext): (from: number, to: number, units: number, message: string) => Tick {
  const t0 = performance.now();
  return (from, to, units, message) => {
    let done = 0;
    return async () => {
      done++;
      const fraction = Math.min(to, from + ((to - from) * done) / Math.max(1, units));
      const elapsed = (performance.now() - t0) / 1000;
      const eta = fraction > 0 ? (elapsed / fraction) * (1 - fraction) : undefined;
      ctx.options.onProgress?.(eta === undefined ? { fraction, message } : { fraction, etaSeconds: eta, message });
      ctx.checkAbort();
      await new Promise<void>((resolve) => setImmediate(resolve));
      ctx.checkAbort();
    };
  };
}

/**
 * log(count / total), or -Infinity for a class absent from the training labels (never predicted).
 *
 * @example
 * ```ts
 * logPrior(250, 1000); // Math.log(0.25)
 * ```
 */
export function logPrior(count: number, total: number): number {
  return count > 0 ? Math.log(count / total) : Number.NEGATIVE_INFINITY;
}

/**
 * A {@link Tick} that only checks for an abort and yields to the event loop (no progress report),
 * for the blocks inside one stage.
 *
 * @example
 * ```ts
 * await choleskyUpper(arena, m.at, m.size, pauses(ctx));
 * ```
 */
export function pauses(ctx: FitContext): Tick {
  return async () => {
    ctx.checkAbort();
    await new Promise<void>((resolve) => setImmediate(resolve));
    ctx.checkAbort();
  };
}
