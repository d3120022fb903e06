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
 * import { classStats } from './discriminant.js'; // internal
 * const x = { data: Float32Array.of(1, 2, 3, 4, 5, 6), rows: 3, cols: 2 };
 * const { counts, rowsOf } = classStats(x, Int32Array.of(1, 0, 1), 2);
 * console.log(counts[1] === rowsOf[1]?.length); //=> true
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
 * import { classStats } from './discriminant.js'; // internal
 * const x = { data: Float32Array.of(1, 2, 3, 4, 5, 6), rows: 3, cols: 2 };
 * const { counts, means, squares } = classStats(x, Int32Array.of(1, 0, 1), 2);
 * counts; //=> Float64Array [1, 2]
 * means; //=> Float64Array [3, 4, 3, 4]
 * squares; //=> Float64Array [0, 0, 8, 8]
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
 * import { fitStages } from './discriminant.js'; // internal
 * const reported: number[] = [];
 * const ctx = { numClasses: 2, options: { onProgress: (p: { fraction: number }) => void reported.push(p.fraction) }, checkAbort: () => {} };
 * const stage = fitStages(ctx);
 * const tick = stage(0, 0.7, 2, 'within-class scatter');
 * await tick();
 * await tick();
 * reported; //=> [0.35, 0.7]
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
 * import { logPrior } from './discriminant.js'; // internal
 * logPrior(250, 1000) === Math.log(0.25); //=> true
 * logPrior(0, 1000); //=> -Infinity
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
 * import { Arena, choleskyUpper } from '../../kernels/linalg.js'; // internal
 * import { pauses } from './discriminant.js';
 * const controller = new AbortController();
 * const ctx = { numClasses: 2, options: {}, checkAbort: () => controller.signal.throwIfAborted() };
 * const arena = new Arena();
 * const at = arena.alloc(4 * 4 * 8);
 * arena.f64(at, 16).set([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
 * await choleskyUpper(arena, at, 4, pauses(ctx)); //=> -1
 * ```
 */
export function pauses(ctx: FitContext): Tick {
  return async () => {
    ctx.checkAbort();
    await new Promise<void>((resolve) => setImmediate(resolve));
    ctx.checkAbort();
  };
}
