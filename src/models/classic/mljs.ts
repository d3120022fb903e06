/**
 * Adapters over the ml.js classifiers, as packaged, behind the Model interface. They take
 * `number[][]` internally (converted here), so they are slow on pixel data; the library's own
 * models are the defaults in studies and reach the same accuracy (tested).
 */
import { DecisionTreeClassifier } from 'ml-cart';
import LogisticRegressionMl from 'ml-logistic-regression';
import { Matrix } from 'ml-matrix';
import { GaussianNB as GaussianNBMl } from 'ml-naivebayes';
import { RandomForestClassifier } from 'ml-random-forest';
import { NotFittedError } from '../../errors.js';
import type { FeatureMatrix, LabelsInput } from '../../types.js';
import { checkFeatures, checkFitData, throwIfAborted } from '../features.js';
import type { FitOptions, Model } from '../model.js';

interface MlClassifier {
  train(x: unknown, y: unknown): void;
  predict(x: unknown): number[];
}

function rowsOf(x: FeatureMatrix): number[][] {
  return Array.from({ length: x.rows }, (_, r) => Array.from(x.data.subarray(r * x.cols, (r + 1) * x.cols)));
}

/** The shared boundary of the adapters: validation, NotFittedError, AbortSignal. */
abstract class MlAdapter implements Model<'features'> {
  abstract readonly name: string;
  readonly inputKind = 'features' as const;
  private fitted: { model: MlClassifier; cols: number } | undefined;

  protected abstract create(numClasses: number, cols: number): MlClassifier;
  protected train(model: MlClassifier, x: FeatureMatrix, y: Int32Array): void {
    model.train(rowsOf(x), Array.from(y));
  }
  protected predictWith(model: MlClassifier, x: FeatureMatrix): number[] {
    return model.predict(rowsOf(x));
  }
  protected afterTrain(_model: MlClassifier, _x: FeatureMatrix, _y: Int32Array): void {
    // Adapters that patch the trained model override this.
  }

  async fit(x: FeatureMatrix, y: LabelsInput, options: FitOptions = {}): Promise<this> {
    const { y: labels, numClasses } = checkFitData(`${this.name}.fit`, x, y);
    this.fitted = undefined;
    throwIfAborted(options.signal);
    const model = this.create(numClasses, x.cols);
    this.train(model, x, labels);
    this.afterTrain(model, x, labels);
    throwIfAborted(options.signal);
    this.fitted = { model, cols: x.cols };
    options.onProgress?.({ fraction: 1 });
    return this;
  }

  async predict(x: FeatureMatrix): Promise<Int32Array> {
    if (this.fitted === undefined) throw new NotFittedError(`${this.name}.predict`);
    checkFeatures(`${this.name}.predict`, x, this.fitted.cols);
    return Int32Array.from(this.predictWith(this.fitted.model, x));
  }

  dispose(): void {
    this.fitted = undefined;
  }
}

/**
 * ml-cart's `DecisionTreeClassifier` (Gini). Options as ml-cart's (`maxDepth`, `minNumSamples`, …).
 *
 * @example
 * ```ts
 * import { MlDecisionTree } from 'blindspots/models';
 * const tree = await new MlDecisionTree({ maxDepth: 8 }).fit(x, y);
 * ```
 */
export class MlDecisionTree extends MlAdapter {
  readonly name: string = 'mlDecisionTree';
  constructor(readonly options: Record<string, unknown> = {}) {
    super();
  }
  protected create(): MlClassifier {
    return new DecisionTreeClassifier({ gainFunction: 'gini', ...this.options }) as unknown as MlClassifier;
  }
}

/**
 * ml-random-forest's `RandomForestClassifier`. Options as ml-random-forest's (`nEstimators`,
 * `maxFeatures`, `seed`, …); `seed` defaults to 0 here.
 *
 * @example
 * ```ts
 * import { MlRandomForest } from 'blindspots/models';
 * const forest = await new MlRandomForest({ nEstimators: 20 }).fit(x, y);
 * ```
 */
export class MlRandomForest extends MlAdapter {
  readonly name: string = 'mlRandomForest';
  constructor(readonly options: Record<string, unknown> = {}) {
    super();
  }
  protected create(): MlClassifier {
    return new RandomForestClassifier({ seed: 0, ...this.options }) as unknown as MlClassifier;
  }
}

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
 * const nb = await new MlGaussianNB().fit(x, y);
 * ```
 */
export class MlGaussianNB extends MlAdapter {
  readonly name: string = 'mlGaussianNB';
  constructor(readonly options: { varSmoothing?: number } = {}) {
    super();
  }
  protected create(): MlClassifier {
    return new GaussianNBMl() as unknown as MlClassifier;
  }
  protected override predictWith(model: MlClassifier, x: FeatureMatrix): number[] {
    const fitted = model as unknown as { means: number[][]; calculateProbabilities: [number, ...[number, number][]][] };
    const out: number[] = [];
    for (let r = 0; r < x.rows; r++) {
      let best = -1;
      let bestLog = Number.NEGATIVE_INFINITY;
      fitted.calculateProbabilities.forEach((classProbs, k) => {
        let logp = classProbs[0];
        const mean = fitted.means[k] as number[];
        for (let j = 0; j < x.cols; j++) {
          const [scale, minusTwoVar] = classProbs[j + 1] as [number, number];
          logp += Math.log(scale) + ((x.data[r * x.cols + j] as number) - (mean[j] as number)) ** 2 / minusTwoVar;
        }
        if (logp > bestLog) {
          bestLog = logp;
          best = k;
        }
      });
      out.push(best);
    }
    return out;
  }

  protected override afterTrain(model: MlClassifier, x: FeatureMatrix): void {
    // calculateProbabilities[k][j + 1] = [1 / (sqrt(2 pi) std), -2 std^2]: rebuild both from the
    // smoothed variance.
    const probs = (model as unknown as { calculateProbabilities: [number, ...[number, number][]][] }).calculateProbabilities;
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
    const epsilon = (this.options.varSmoothing ?? 1e-9) * maxVar || Number.MIN_VALUE;
    for (const classProbs of probs) {
      for (let j = 1; j < classProbs.length; j++) {
        const [, minusTwoVar] = classProbs[j] as [number, number];
        const variance = -minusTwoVar / 2 + epsilon;
        classProbs[j] = [1 / Math.sqrt(2 * Math.PI * variance), -2 * variance];
      }
    }
  }
}

/**
 * ml-logistic-regression's one-vs-all `LogisticRegression` (gradient descent). Options as the
 * package's (`numSteps`, default 500 here; `learningRate`, default 5e-3 here).
 *
 * @example
 * ```ts
 * import { MlLogisticRegression } from 'blindspots/models';
 * const lr = await new MlLogisticRegression({ numSteps: 200 }).fit(x, y);
 * ```
 */
export class MlLogisticRegression extends MlAdapter {
  readonly name: string = 'mlLogisticRegression';
  constructor(readonly options: { numSteps?: number; learningRate?: number } = {}) {
    super();
  }
  protected create(): MlClassifier {
    return new LogisticRegressionMl({ numSteps: 500, learningRate: 5e-3, ...this.options }) as unknown as MlClassifier;
  }
  protected override train(model: MlClassifier, x: FeatureMatrix, y: Int32Array): void {
    model.train(new Matrix(rowsOf(x)), Matrix.columnVector(Array.from(y)));
  }
  protected override predictWith(model: MlClassifier, x: FeatureMatrix): number[] {
    return model.predict(new Matrix(rowsOf(x)));
  }
}
