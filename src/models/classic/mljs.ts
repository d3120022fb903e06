/**
 * Adapters over the ml.js classifiers, as packaged, behind the Model interface. They take
 * `number[][]` internally (converted here), so they are slow on pixel data; the library's own
 * models are the defaults in studies and reach the same accuracy (tested).
 */
import { DecisionTreeClassifier } from 'ml-cart';
import LogisticRegressionMl from 'ml-logistic-regression';
import { Matrix } from 'ml-matrix';
import { GaussianNB as GaussianNBMl } from 'ml-naivebayes';
import { RandomForestClassifier } from '#platform';
import { fail } from '../../errors.js';
import { checkBoolean, checkChoice, checkOptions, optionNames } from '../../options.js';
import { checkSeed } from '../../random.js';
import type { FeatureMatrix } from '../../types.js';
import { checkInteger, checkNumber, describe } from '../../validate.js';
import { FeatureModel, softmaxRows, type FitContext } from '../featureModel.js';

interface MlClassifier {
  train(x: unknown, y: unknown): void;
  predict(x: unknown): number[];
}

function rowsOf(x: FeatureMatrix): number[][] {
  return Array.from({ length: x.rows }, (_, r) => Array.from(x.data.subarray(r * x.cols, (r + 1) * x.cols)));
}

interface MlState {
  readonly model: MlClassifier;
  /** The classes present in the training labels: the package's class i is `classes[i]`. */
  readonly classes: Int32Array;
}

/**
 * The shared part of the adapters: the packages number classes 0..k-1 by the classes they saw
 * (ml-naivebayes fails on a missing class, ml-logistic-regression counts distinct labels), so the
 * labels are compacted to the classes present before training and mapped back after predicting.
 * Probabilities are one-hot on the predicted class except where the package gives scores.
 */
abstract class MlAdapter extends FeatureModel<MlState> {
  protected abstract create(): MlClassifier;
  protected train(model: MlClassifier, x: FeatureMatrix, y: Int32Array): void {
    model.train(rowsOf(x), Array.from(y));
  }
  protected predictWith(model: MlClassifier, x: FeatureMatrix): number[] {
    return model.predict(rowsOf(x));
  }
  protected afterTrain(_model: MlClassifier, _x: FeatureMatrix): void {
    // Adapters that patch the trained model override this.
  }
  /** Per-class scores for the package's classes (rows x classes), where the adapter has them. */
  protected scores?(model: MlClassifier, x: FeatureMatrix, classes: number): Float32Array;

  protected override fitState(x: FeatureMatrix, y: Int32Array, ctx: FitContext): MlState {
    const index = new Int32Array(ctx.numClasses).fill(-1);
    for (const v of y) index[v] = 0;
    const present: number[] = [];
    index.forEach((_, k) => {
      if (index[k] === 0) index[k] = present.push(k) - 1;
    });
    const compact = Int32Array.from(y, (v) => index[v] as number);
    const model = this.create();
    this.train(model, x, compact);
    this.afterTrain(model, x);
    return { model, classes: Int32Array.from(present) };
  }

  protected override probaState(state: MlState & { numClasses: number }, x: FeatureMatrix): Float32Array {
    const { classes, numClasses } = state;
    const out = new Float32Array(x.rows * numClasses);
    if (this.scores !== undefined) {
      const p = this.scores(state.model, x, classes.length);
      for (let r = 0; r < x.rows; r++) {
        for (let i = 0; i < classes.length; i++) out[r * numClasses + (classes[i] as number)] = p[r * classes.length + i] as number;
      }
      return out;
    }
    const predicted = this.predictWith(state.model, x);
    predicted.forEach((c, r) => {
      const k = classes[c];
      if (k === undefined) throw new Error(`${this.name}: the package predicted class ${String(c)} of ${String(classes.length)}`);
      out[r * numClasses + k] = 1;
    });
    return out;
  }
}

/** Options of {@link MlDecisionTree}: ml-cart's `DecisionTreeClassifier` options. */
export interface MlDecisionTreeOptions {
  /** Only `'gini'` (ml-cart's only one). */
  readonly gainFunction?: 'gini';
  /** Only `'mean'` (ml-cart's only one). */
  readonly splitFunction?: 'mean';
  /** Fewest samples to split a node; default 3 (ml-cart's). */
  readonly minNumSamples?: number;
  /** Default unlimited (`null` says so explicitly, as in `params`). */
  readonly maxDepth?: number | null;
  /** Smallest gain of a split; default 0.01 (ml-cart's). */
  readonly gainThreshold?: number;
}

/** The option names of {@link MlDecisionTree}. */
export const ML_DECISION_TREE_OPTIONS = optionNames<MlDecisionTreeOptions>()(
  'gainFunction',
  'splitFunction',
  'minNumSamples',
  'maxDepth',
  'gainThreshold',
);

function treeParams(fn: string, o: MlDecisionTreeOptions, arg = 'options') {
  return {
    gainFunction: checkChoice(fn, `${arg}.gainFunction`, o.gainFunction, ['gini'] as const, 'gini'),
    splitFunction: checkChoice(fn, `${arg}.splitFunction`, o.splitFunction, ['mean'] as const, 'mean'),
    minNumSamples: checkInteger(fn, `${arg}.minNumSamples`, o.minNumSamples ?? 3, 1, 2 ** 31 - 1),
    maxDepth: o.maxDepth === undefined || o.maxDepth === null ? null : checkInteger(fn, `${arg}.maxDepth`, o.maxDepth, 1, 1 << 20),
    gainThreshold: checkNumber(fn, `${arg}.gainThreshold`, o.gainThreshold ?? 0.01, { min: 0 }),
  };
}

/** ml-cart's options from resolved parameters (an unlimited depth is Infinity there). */
function cartOptions(p: ReturnType<typeof treeParams>): Record<string, unknown> {
  return { ...p, maxDepth: p.maxDepth ?? Number.POSITIVE_INFINITY };
}

/**
 * ml-cart's `DecisionTreeClassifier` (Gini), as packaged.
 *
 * @example
 * ```ts
 * import { MlDecisionTree } from 'blindspots/models';
 * // Two features; class 1 where the first one is large.
 * const x = { data: Float32Array.of(0, 1, 1, 0, 0.5, 0.5, 5, 1, 6, 0, 5.5, 0.5), rows: 6, cols: 2 };
 * const y = Int32Array.of(0, 0, 0, 1, 1, 1);
 * const xTest = { data: Float32Array.of(0.2, 0.8, 5.8, 0.3), rows: 2, cols: 2 };
 * const tree = await new MlDecisionTree({ maxDepth: 8 }).fit(x, y);
 * await tree.predict(xTest); //=> Int32Array [0, 1]
 * ```
 */
export class MlDecisionTree extends MlAdapter {
  readonly name: string = 'mlDecisionTree';
  readonly params: ReturnType<typeof treeParams>;
  constructor(readonly options: MlDecisionTreeOptions = {}) {
    super();
    this.params = treeParams('MlDecisionTree', checkOptions('MlDecisionTree', options, ML_DECISION_TREE_OPTIONS, 'options', ['maxDepth']));
  }
  protected create(): MlClassifier {
    return new DecisionTreeClassifier(cartOptions(this.params)) as unknown as MlClassifier;
  }
}

/** Options of {@link MlRandomForest}: ml-random-forest's `RandomForestClassifier` options. */
export interface MlRandomForestOptions {
  /** Trees; default 50 (ml-random-forest's). */
  readonly nEstimators?: number;
  /** Features per tree: a fraction in (0, 1] or a count; default 1 (all, ml-random-forest's). */
  readonly maxFeatures?: number;
  /** Draw the features of each tree with replacement; default true. */
  readonly replacement?: boolean;
  /** Bootstrap the samples of each tree; default true. */
  readonly useSampleBagging?: boolean;
  /** Skip the out-of-bag estimate; default true here (the package's estimate fails on small sets). */
  readonly noOOB?: boolean;
  /** A 32-bit integer; default 0. */
  readonly seed?: number;
  /** Options of each tree, as {@link MlDecisionTree}'s. */
  readonly treeOptions?: MlDecisionTreeOptions;
}

/** The option names of {@link MlRandomForest}. */
export const ML_RANDOM_FOREST_OPTIONS = optionNames<MlRandomForestOptions>()(
  'nEstimators',
  'maxFeatures',
  'replacement',
  'useSampleBagging',
  'noOOB',
  'seed',
  'treeOptions',
);

/**
 * ml-random-forest's `RandomForestClassifier`, as packaged (majority vote of its trees).
 *
 * @example
 * ```ts
 * import { MlRandomForest } from 'blindspots/models';
 * // Two features; class 1 where the first one is large.
 * const x = { data: Float32Array.of(0, 1, 1, 0, 0.5, 0.5, 5, 1, 6, 0, 5.5, 0.5), rows: 6, cols: 2 };
 * const y = Int32Array.of(0, 0, 0, 1, 1, 1);
 * const xTest = { data: Float32Array.of(0.2, 0.8, 5.8, 0.3), rows: 2, cols: 2 };
 * const forest = await new MlRandomForest({ nEstimators: 20 }).fit(x, y);
 * await forest.predict(xTest); //=> Int32Array [0, 1]
 * ```
 */
export class MlRandomForest extends MlAdapter {
  readonly name: string = 'mlRandomForest';
  readonly params: {
    readonly nEstimators: number;
    readonly maxFeatures: number;
    readonly replacement: boolean;
    readonly useSampleBagging: boolean;
    readonly noOOB: boolean;
    readonly seed: number;
    readonly treeOptions: ReturnType<typeof treeParams>;
  };
  constructor(readonly options: MlRandomForestOptions = {}) {
    super();
    const fn = 'MlRandomForest';
    const o = checkOptions(fn, options, ML_RANDOM_FOREST_OPTIONS);
    const maxFeatures = o.maxFeatures ?? 1;
    if (typeof maxFeatures !== 'number' || !(maxFeatures > 0) || (maxFeatures > 1 && !Number.isInteger(maxFeatures))) {
      throw fail('INVALID_ARGUMENT', fn, 'options.maxFeatures', 'a fraction in (0, 1] or an integer count', describe(maxFeatures));
    }
    const seed = checkSeed(fn, 'options.seed', o.seed);
    this.params = {
      nEstimators: checkInteger(fn, 'options.nEstimators', o.nEstimators ?? 50, 1, 100_000),
      maxFeatures,
      replacement: checkBoolean(fn, 'options.replacement', o.replacement, true),
      useSampleBagging: checkBoolean(fn, 'options.useSampleBagging', o.useSampleBagging, true),
      noOOB: checkBoolean(fn, 'options.noOOB', o.noOOB, true),
      seed: checkInteger(fn, 'options.seed', seed, -(2 ** 31), 2 ** 31 - 1),
      treeOptions: treeParams(
        fn,
        checkOptions(fn, o.treeOptions, ML_DECISION_TREE_OPTIONS, 'options.treeOptions', ['maxDepth']),
        'options.treeOptions',
      ),
    };
  }
  protected create(): MlClassifier {
    return new RandomForestClassifier({ ...this.params, treeOptions: cartOptions(this.params.treeOptions) }) as unknown as MlClassifier;
  }
}

/** Options of {@link MlGaussianNB}. */
export interface MlGaussianNBOptions {
  /** Added to every variance, as a fraction of the largest feature variance (scikit-learn's `var_smoothing`); default 1e-9. */
  readonly varSmoothing?: number;
}

/** The option names of {@link MlGaussianNB}. */
export const ML_GAUSSIAN_NB_OPTIONS = optionNames<MlGaussianNBOptions>()('varSmoothing');

type NBFitted = { means: number[][]; calculateProbabilities: [number, ...[number, number][]][] };

/**
 * ml-naivebayes' `GaussianNB`, trained by the package, with two repairs. Variance smoothing: as
 * scikit-learn's `varSmoothing` (default 1e-9 x the largest feature variance) is added to every
 * variance, since a feature constant within a class — an injected pixel — has a zero standard
 * deviation. Prediction: ml-naivebayes 4.0.0's `predict` sums the log-likelihood over the first
 * two features only (its loop bound is `classes[0][1].length`, the length of a parameter pair) and
 * exponentiates the sum, which underflows to 0; the adapter predicts from the package's fitted
 * means, variances and priors over every feature, in log space.
 *
 * @example
 * ```ts
 * import { MlGaussianNB } from 'blindspots/models';
 * // Two features; class 1 where the first one is large.
 * const x = { data: Float32Array.of(0, 1, 1, 0, 0.5, 0.5, 5, 1, 6, 0, 5.5, 0.5), rows: 6, cols: 2 };
 * const y = Int32Array.of(0, 0, 0, 1, 1, 1);
 * const xTest = { data: Float32Array.of(0.2, 0.8, 5.8, 0.3), rows: 2, cols: 2 };
 * const nb = await new MlGaussianNB().fit(x, y);
 * await nb.predict(xTest); //=> Int32Array [0, 1]
 * ```
 */
export class MlGaussianNB extends MlAdapter {
  readonly name: string = 'mlGaussianNB';
  readonly params: { readonly varSmoothing: number };
  constructor(readonly options: MlGaussianNBOptions = {}) {
    super();
    const o = checkOptions('MlGaussianNB', options, ML_GAUSSIAN_NB_OPTIONS);
    this.params = { varSmoothing: checkNumber('MlGaussianNB', 'options.varSmoothing', o.varSmoothing ?? 1e-9, { min: 0 }) };
  }
  protected create(): MlClassifier {
    return new GaussianNBMl() as unknown as MlClassifier;
  }
  protected override scores(model: MlClassifier, x: FeatureMatrix, classes: number): Float32Array {
    const fitted = model as unknown as NBFitted;
    return softmaxRows(x.rows, classes, (r, k) => {
      const classProbs = fitted.calculateProbabilities[k] as NBFitted['calculateProbabilities'][number];
      const mean = fitted.means[k] as number[];
      let logp = classProbs[0];
      for (let j = 0; j < x.cols; j++) {
        const [scale, minusTwoVar] = classProbs[j + 1] as [number, number];
        logp += Math.log(scale) + ((x.data[r * x.cols + j] as number) - (mean[j] as number)) ** 2 / minusTwoVar;
      }
      return logp;
    });
  }

  protected override afterTrain(model: MlClassifier, x: FeatureMatrix): void {
    // calculateProbabilities[k][j + 1] = [1 / (sqrt(2 pi) std), -2 std^2]: rebuild both from the
    // smoothed variance.
    const probs = (model as unknown as NBFitted).calculateProbabilities;
    let maxVar = 0;
    for (let j = 0; j < x.cols; j++) {
      let s = 0;
      let s2 = 0;
      for (let r = 0; r < x.rows; r++) {
        const v = x.data[r * x.cols + j] as number;
        s += v;
        s2 += v * v;
      }
      const variance = s2 / x.rows - (s / x.rows) ** 2;
      if (variance > maxVar) maxVar = variance;
    }
    const epsilon = this.params.varSmoothing * maxVar || Number.MIN_VALUE;
    for (const classProbs of probs) {
      for (let j = 1; j < classProbs.length; j++) {
        const [, minusTwoVar] = classProbs[j] as [number, number];
        const variance = -minusTwoVar / 2 + epsilon;
        classProbs[j] = [1 / Math.sqrt(2 * Math.PI * variance), -2 * variance];
      }
    }
  }
}

/** Options of {@link MlLogisticRegression}. */
export interface MlLogisticRegressionOptions {
  /** Gradient-descent steps; default 500 here. */
  readonly numSteps?: number;
  /** Step size; default 5e-3 here. */
  readonly learningRate?: number;
}

/** The option names of {@link MlLogisticRegression}. */
export const ML_LOGISTIC_REGRESSION_OPTIONS = optionNames<MlLogisticRegressionOptions>()('numSteps', 'learningRate');

/**
 * ml-logistic-regression's one-vs-all `LogisticRegression` (gradient descent). Options as the
 * package's (`numSteps`, default 500 here; `learningRate`, default 5e-3 here).
 *
 * @example
 * ```ts
 * import { MlLogisticRegression } from 'blindspots/models';
 * // Two features; class 1 where the first one is large.
 * const x = { data: Float32Array.of(0, 1, 1, 0, 0.5, 0.5, 5, 1, 6, 0, 5.5, 0.5), rows: 6, cols: 2 };
 * const y = Int32Array.of(0, 0, 0, 1, 1, 1);
 * const xTest = { data: Float32Array.of(0.2, 0.8, 5.8, 0.3), rows: 2, cols: 2 };
 * const lr = await new MlLogisticRegression({ numSteps: 200 }).fit(x, y);
 * await lr.predict(xTest); //=> Int32Array [0, 1]
 * ```
 */
export class MlLogisticRegression extends MlAdapter {
  readonly name: string = 'mlLogisticRegression';
  readonly params: { readonly numSteps: number; readonly learningRate: number };
  constructor(readonly options: MlLogisticRegressionOptions = {}) {
    super();
    const fn = 'MlLogisticRegression';
    const o = checkOptions(fn, options, ML_LOGISTIC_REGRESSION_OPTIONS);
    this.params = {
      numSteps: checkInteger(fn, 'options.numSteps', o.numSteps ?? 500, 1, 1e7),
      learningRate: checkNumber(fn, 'options.learningRate', o.learningRate ?? 5e-3, { positive: true }),
    };
  }
  protected create(): MlClassifier {
    return new LogisticRegressionMl(this.params) as unknown as MlClassifier;
  }
  protected override train(model: MlClassifier, x: FeatureMatrix, y: Int32Array): void {
    model.train(new Matrix(rowsOf(x)), Matrix.columnVector(Array.from(y)));
  }
  protected override predictWith(model: MlClassifier, x: FeatureMatrix): number[] {
    return model.predict(new Matrix(rowsOf(x)));
  }
}
