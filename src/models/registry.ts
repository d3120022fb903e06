import { fail } from '../errors.js';
import { GaussianNB } from './classic/gaussianNB.js';
import { LinearDiscriminantAnalysis } from './classic/lda.js';
import { LogisticRegression } from './classic/logisticRegression.js';
import { MlDecisionTree, MlGaussianNB, MlLogisticRegression, MlRandomForest } from './classic/mljs.js';
import { QuadraticDiscriminantAnalysis } from './classic/qda.js';
import { DecisionTree, ExtraTrees, RandomForest } from './classic/trees.js';
import type { ModelEntry } from './model.js';
import { CharCNN } from './tfjs/charCnn.js';
import { Perceptron } from './tfjs/perceptron.js';
import { ResNet } from './tfjs/resnet.js';
import { ShallowMaxNN } from './tfjs/shallowMax.js';

/**
 * Every model of the library by name (classical models take features; `resnet`, `perceptron` and
 * `shallowMaxNN` take images; `charCnn` takes texts); studies, the CLI and the conformance suite iterate over it,
 * and a model without a conformance entry fails the suite. `create` takes the seed of everything
 * random in the model.
 *
 * @example
 * ```ts
 * import { models } from 'blindspots/models';
 * const tree = models.decisionTree.create({ seed: 1 });
 * ```
 */
export const models = {
  decisionTree: { name: 'decisionTree', inputKind: 'features', create: (o = {}) => new DecisionTree({ seed: o.seed ?? 0 }) },
  randomForest: {
    name: 'randomForest',
    inputKind: 'features',
    create: (o = {}) => new RandomForest({ seed: o.seed ?? 0, jobs: o.jobs ?? 1 }),
  },
  extraTrees: { name: 'extraTrees', inputKind: 'features', create: (o = {}) => new ExtraTrees({ seed: o.seed ?? 0, jobs: o.jobs ?? 1 }) },
  gaussianNB: { name: 'gaussianNB', inputKind: 'features', create: () => new GaussianNB() },
  logisticRegression: { name: 'logisticRegression', inputKind: 'features', create: () => new LogisticRegression() },
  lda: { name: 'lda', inputKind: 'features', create: () => new LinearDiscriminantAnalysis() },
  qda: { name: 'qda', inputKind: 'features', create: () => new QuadraticDiscriminantAnalysis() },
  mlDecisionTree: { name: 'mlDecisionTree', inputKind: 'features', create: () => new MlDecisionTree() },
  mlRandomForest: { name: 'mlRandomForest', inputKind: 'features', create: (o = {}) => new MlRandomForest({ seed: o.seed ?? 0 }) },
  mlGaussianNB: { name: 'mlGaussianNB', inputKind: 'features', create: () => new MlGaussianNB() },
  mlLogisticRegression: { name: 'mlLogisticRegression', inputKind: 'features', create: () => new MlLogisticRegression() },
  resnet: { name: 'resnet', inputKind: 'images', create: (o = {}) => new ResNet({ depth: 20, ...o.options, seed: o.seed ?? 0 }) },
  perceptron: { name: 'perceptron', inputKind: 'images', create: (o = {}) => new Perceptron({ ...o.options, seed: o.seed ?? 0 }) },
  shallowMaxNN: { name: 'shallowMaxNN', inputKind: 'images', create: (o = {}) => new ShallowMaxNN({ ...o.options, seed: o.seed ?? 0 }) },
  charCnn: { name: 'charCnn', inputKind: 'texts', create: (o = {}) => new CharCNN({ size: 'small', ...o.options, seed: o.seed ?? 0 }) },
} as const satisfies { [name: string]: ModelEntry<'features'> | ModelEntry<'images'> | ModelEntry<'texts'> };

/** The name of a registered model. */
export type ModelName = keyof typeof models;

/** Every registered model name. */
export const modelNames: readonly ModelName[] = Object.keys(models) as ModelName[];

/**
 * The registry entry for `name`, or an UNKNOWN_NAME error listing the valid names.
 *
 * @example
 * ```ts
 * import { getModel } from 'blindspots/models';
 * const forest = getModel('randomForest').create({ seed: 3 });
 * ```
 */
export function getModel(name: string, fn = 'getModel'): ModelEntry {
  if (!Object.hasOwn(models, name)) throw fail('UNKNOWN_NAME', fn, 'name', `one of ${modelNames.join(', ')}`, JSON.stringify(name));
  return models[name as ModelName];
}
