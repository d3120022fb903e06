import { fail } from '../errors.js';
import type { FeatureMatrix, LabelsInput } from '../types.js';
import { checkFinite, checkLabels, describe } from '../validate.js';

/**
 * Validates a feature matrix at a model's boundary: a Float32Array of rows x cols values, at least
 * one row, finite values, and `cols` columns when given (the count seen at fit time).
 *
 * @example
 * ```ts
 * import { checkFeatures } from './features.js'; // internal
 * const x = { data: new Float32Array(2 * 3), rows: 2, cols: 3 };
 * checkFeatures('DecisionTree.predict', x, 3) === x; //=> true
 * checkFeatures('DecisionTree.predict', x, 3072); //=> throws INVALID_SHAPE
 * ```
 */
export function checkFeatures(fn: string, x: FeatureMatrix, cols?: number): FeatureMatrix {
  if (typeof x !== 'object' || x === null || !(x.data instanceof Float32Array) || !Number.isInteger(x.rows) || !Number.isInteger(x.cols)) {
    throw fail('INVALID_ARGUMENT', fn, 'x', 'a FeatureMatrix { data: Float32Array, rows, cols }', describe(x));
  }
  if (x.rows === 0 || x.cols === 0)
    throw fail('EMPTY_INPUT', fn, 'x', 'at least one row and one column', `${String(x.rows)} x ${String(x.cols)}`);
  if (x.data.length !== x.rows * x.cols)
    throw fail('INVALID_SHAPE', fn, 'x', `${String(x.rows * x.cols)} values (rows x cols)`, String(x.data.length));
  if (cols !== undefined && x.cols !== cols)
    throw fail('INVALID_SHAPE', fn, 'x', `${String(cols)} features (as at fit)`, `${String(x.cols)}`);
  checkFinite(fn, 'x', x.data);
  return x;
}

/**
 * Validates training data: features as {@link checkFeatures}, one integral label >= 0 per row, and
 * at least two classes. Returns the labels and the class count (largest label + 1).
 *
 * @example
 * ```ts
 * import { checkFitData } from './features.js'; // internal
 * const x = { data: Float32Array.of(0, 1, 2, 3), rows: 4, cols: 1 };
 * const { y, numClasses } = checkFitData('GaussianNB.fit', x, [0, 2, 1, 2]);
 * numClasses; //=> 3
 * ```
 */
export function checkFitData(fn: string, x: FeatureMatrix, labels: LabelsInput): { y: Int32Array; numClasses: number } {
  checkFeatures(fn, x);
  return checkTrainingLabels(fn, labels, x.rows);
}

/**
 * Validates the labels of a fit, whatever the input kind: one integral label >= 0 per sample and
 * at least two classes. Returns the labels and the class count (largest label + 1).
 *
 * @example
 * ```ts
 * import { checkTrainingLabels } from './features.js'; // internal
 * const { y, numClasses } = checkTrainingLabels('ResNet.fit', [1, 0, 1], 3);
 * numClasses; //=> 2
 * checkTrainingLabels('ResNet.fit', [1, 1, 1], 3); //=> throws INVALID_ARGUMENT at least two classes
 * ```
 */
export function checkTrainingLabels(fn: string, labels: LabelsInput, samples: number): { y: Int32Array; numClasses: number } {
  const y = checkLabels(fn, labels, { length: samples, arg: 'y' });
  let max = 0;
  let min = Number.POSITIVE_INFINITY;
  for (const v of y) {
    if (v > max) max = v;
    if (v < min) min = v;
  }
  if (max === min) throw fail('INVALID_ARGUMENT', fn, 'y', 'at least two classes', `only class ${String(max)}`);
  return { y, numClasses: max + 1 };
}

/** Throws an AbortError when the signal is aborted (checked between units of work). */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) throw new DOMException('the fit was aborted', 'AbortError');
}
