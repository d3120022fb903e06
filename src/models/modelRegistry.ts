import { calledAs, fail } from '../errors.js';
import { checkOptions } from '../options.js';
import { checkSeed } from '../random.js';
import { checkInteger } from '../validate.js';
import { GAUSSIAN_NB_OPTIONS, GaussianNB } from './classic/gaussianNB.js';
import { LDA_OPTIONS, LinearDiscriminantAnalysis } from './classic/lda.js';
import { LOGISTIC_REGRESSION_OPTIONS, LogisticRegression } from './classic/logisticRegression.js';
import {
  ML_DECISION_TREE_OPTIONS,
  ML_GAUSSIAN_NB_OPTIONS,
  ML_LOGISTIC_REGRESSION_OPTIONS,
  ML_RANDOM_FOREST_OPTIONS,
  MlDecisionTree,
  MlGaussianNB,
  MlLogisticRegression,
  MlRandomForest,
} from './classic/mljs.js';
import { QDA_OPTIONS, QuadraticDiscriminantAnalysis } from './classic/qda.js';
import { DecisionTree, ExtraTrees, FOREST_OPTIONS, RandomForest, TREE_OPTIONS } from './classic/trees.js';
import type { CreateOptions, InputKind, Model, ModelEntry, ModelParams, ThreadUse } from './model.js';
import { CHAR_CNN_OPTIONS, CharCNN } from './tfjs/charCnn.js';
import { TRAIN_OPTIONS } from './tfjs/convNet.js';
import { Perceptron } from './tfjs/perceptron.js';
import { RESNET_OPTIONS, ResNet } from './tfjs/resnet.js';
import { SHALLOW_MAX_OPTIONS, ShallowMaxNN } from './tfjs/shallowMax.js';

/** Options whose `null` means something (an unlimited depth, no shrinkage), as `params` report them. */
const NULLABLE = ['maxDepth', 'shrinkage'];

/** The options `create` sets itself: a study's seed and its thread budget. */
const SET_BY_CREATE = ['seed', 'threads'];

interface Spec<K extends InputKind> {
  readonly title: string;
  /** Every constructor option name, `seed` and `threads` included where the model takes them. */
  readonly constructorOptions: readonly string[];
  readonly trainsByEpoch?: boolean;
  readonly convnet?: boolean;
  readonly threads: ThreadUse;
  readonly cost: ModelEntry<K>['cost'];
  readonly construct: (options: Record<string, unknown>) => Model<K>;
}

/**
 * A registry entry from its spec: `create` checks the option names (before building anything),
 * refuses `seed`/`threads` inside `options` (they are `create`'s own arguments) and passes the seed
 * and threads to the models that take them.
 */
function entry<const N extends string, const K extends InputKind>(
  name: N,
  inputKind: K,
  spec: Spec<NoInfer<K>>,
): ModelEntry<K> & { readonly name: N } {
  const takesSeed = spec.constructorOptions.includes('seed');
  const options = spec.constructorOptions.filter((o) => !SET_BY_CREATE.includes(o));
  const fn = `models.${name}.create`;
  return {
    name,
    title: spec.title,
    inputKind,
    options,
    trainsByEpoch: spec.trainsByEpoch ?? false,
    threads: spec.threads,
    convnet: spec.convnet ?? false,
    cost: spec.cost,
    create: (o: CreateOptions = {}) => {
      const create = checkOptions(fn, o, ['seed', 'threads', 'options']);
      if (create.seed === null) throw fail('INVALID_ARGUMENT', fn, 'seed', 'a seed (omit it for 0)', 'null');
      const given = checkOptions(fn, create.options, [...options, ...SET_BY_CREATE], 'options', NULLABLE);
      for (const key of SET_BY_CREATE) {
        if (given[key] !== undefined) {
          throw fail(
            'INVALID_ARGUMENT',
            fn,
            `options.${key}`,
            `no '${key}' among the model options: it is create's own argument (a study's seeds and threads)`,
            key,
          );
        }
      }
      const seed = checkSeed(fn, 'seed', create.seed);
      const threads = create.threads === undefined ? 1 : checkInteger(fn, 'threads', create.threads, 1, 1024);
      return calledAs(fn, () =>
        spec.construct({
          ...given,
          ...(takesSeed ? { seed } : {}),
          ...(spec.threads === 'none' ? {} : { threads }),
        }),
      );
    },
  };
}

const num = (params: ModelParams, key: string, fallback: number): number => {
  const v = params[key];
  return typeof v === 'number' ? v : fallback;
};

/** Seconds per sample-epoch of the ResNet on 32x32x3 images at depth 20, width 16, one core: the inverse of its training rate in docs/performance.md. */
const RESNET_SECONDS = 5e-3;
/** Seconds per text-epoch of the small char-CNN, one core: the inverse of its training rate in docs/performance.md. */
const CHAR_CNN_SECONDS = 3.7e-2;

/**
 * Every model of the library by name (classical models take features; `resnet`, `perceptron` and
 * `shallowMaxNN` take images; `charCnn` takes texts), with what a study, a worker and a report need
 * to know of it: its option names, whether it trains by epochs, how it uses threads, whether it is
 * a ConvNet, and a rough cost for balancing shards. Studies, the CLI, the training workers and the
 * conformance suite iterate over it, and a model without a conformance entry fails the suite.
 *
 * @example
 * ```ts
 * import { models } from 'blindspots/models';
 * const tree = models.decisionTree.create({ seed: 1, options: { maxDepth: 4 } });
 * tree.params.maxDepth; //=> 4
 * ```
 */
export const models = {
  decisionTree: entry('decisionTree', 'features', {
    title: 'Decision tree',
    constructorOptions: TREE_OPTIONS,
    threads: 'none',
    cost: (s) => 2.2e-7 * s.nTrain * s.features,
    construct: (o) => new DecisionTree(o),
  }),
  randomForest: entry('randomForest', 'features', {
    title: 'Random forest',
    constructorOptions: FOREST_OPTIONS,
    threads: 'same-result',
    cost: (s, p) => 4.2e-9 * num(p, 'nEstimators', 100) * s.nTrain * s.features,
    construct: (o) => new RandomForest(o),
  }),
  extraTrees: entry('extraTrees', 'features', {
    title: 'Extra-trees',
    constructorOptions: FOREST_OPTIONS,
    threads: 'same-result',
    cost: (s, p) => 3e-9 * num(p, 'nEstimators', 100) * s.nTrain * s.features,
    construct: (o) => new ExtraTrees(o),
  }),
  gaussianNB: entry('gaussianNB', 'features', {
    title: 'Gaussian naive Bayes',
    constructorOptions: GAUSSIAN_NB_OPTIONS,
    threads: 'none',
    cost: (s) => 6e-9 * (s.nTrain + s.nTest) * s.features,
    construct: (o) => new GaussianNB(o),
  }),
  logisticRegression: entry('logisticRegression', 'features', {
    title: 'Logistic regression',
    constructorOptions: LOGISTIC_REGRESSION_OPTIONS,
    threads: 'none',
    cost: (s, p) => 3.5e-9 * num(p, 'maxIter', 100) * s.nTrain * s.features,
    construct: (o) => new LogisticRegression(o),
  }),
  lda: entry('lda', 'features', {
    title: 'Linear discriminant analysis',
    constructorOptions: LDA_OPTIONS,
    threads: 'none',
    cost: (s) => 2.3e-11 * s.nTrain * s.features * s.features,
    construct: (o) => new LinearDiscriminantAnalysis(o),
  }),
  qda: entry('qda', 'features', {
    title: 'Quadratic discriminant analysis',
    constructorOptions: QDA_OPTIONS,
    threads: 'none',
    cost: (s) => 4e-11 * (s.nTrain + s.nTest) * s.features * s.features,
    construct: (o) => new QuadraticDiscriminantAnalysis(o),
  }),
  mlDecisionTree: entry('mlDecisionTree', 'features', {
    title: 'ml-cart decision tree',
    constructorOptions: ML_DECISION_TREE_OPTIONS,
    threads: 'none',
    cost: (s) => 9e-5 * s.nTrain * s.features,
    construct: (o) => new MlDecisionTree(o),
  }),
  mlRandomForest: entry('mlRandomForest', 'features', {
    title: 'ml-random-forest',
    constructorOptions: ML_RANDOM_FOREST_OPTIONS,
    threads: 'none',
    cost: (s, p) => 9e-5 * num(p, 'nEstimators', 50) * s.nTrain * s.features,
    construct: (o) => new MlRandomForest(o),
  }),
  mlGaussianNB: entry('mlGaussianNB', 'features', {
    title: 'ml-naivebayes Gaussian NB',
    constructorOptions: ML_GAUSSIAN_NB_OPTIONS,
    threads: 'none',
    cost: (s) => 1e-7 * (s.nTrain + s.nTest) * s.features,
    construct: (o) => new MlGaussianNB(o),
  }),
  mlLogisticRegression: entry('mlLogisticRegression', 'features', {
    title: 'ml-logistic-regression',
    constructorOptions: ML_LOGISTIC_REGRESSION_OPTIONS,
    threads: 'none',
    cost: (s, p) => 1e-8 * num(p, 'numSteps', 500) * s.nTrain * s.features,
    construct: (o) => new MlLogisticRegression(o),
  }),
  resnet: entry('resnet', 'images', {
    title: 'ResNet',
    constructorOptions: RESNET_OPTIONS,
    trainsByEpoch: true,
    convnet: true,
    threads: 'changes-result',
    cost: (s, p) =>
      RESNET_SECONDS *
      (s.features / 3072) *
      (num(p, 'depth', 20) / 20) *
      (num(p, 'width', 16) / 16) ** 2 *
      (num(p, 'epochs', 10) * s.nTrain + s.nTest / 3),
    construct: (o) => new ResNet(o),
  }),
  perceptron: entry('perceptron', 'images', {
    title: 'Perceptron',
    constructorOptions: TRAIN_OPTIONS,
    trainsByEpoch: true,
    threads: 'changes-result',
    cost: (s, p) => 2e-8 * s.features * (num(p, 'epochs', 10) * s.nTrain + s.nTest),
    construct: (o) => new Perceptron(o),
  }),
  shallowMaxNN: entry('shallowMaxNN', 'images', {
    title: 'Shallow max network',
    constructorOptions: SHALLOW_MAX_OPTIONS,
    trainsByEpoch: true,
    threads: 'changes-result',
    cost: (s, p) => 5e-9 * s.features * num(p, 'filters', 64) * (num(p, 'epochs', 10) * s.nTrain + s.nTest),
    construct: (o) => new ShallowMaxNN(o),
  }),
  charCnn: entry('charCnn', 'texts', {
    title: 'Character-level ConvNet',
    constructorOptions: CHAR_CNN_OPTIONS,
    trainsByEpoch: true,
    convnet: true,
    threads: 'changes-result',
    cost: (s, p) => CHAR_CNN_SECONDS * (p.size === 'large' ? 4 : 1) * (num(p, 'epochs', 10) * s.nTrain + s.nTest / 3),
    construct: (o) => new CharCNN(o),
  }),
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
 * const forest = getModel('randomForest').create({ seed: 3, threads: 2 });
 * forest.params.threads; //=> 2
 * ```
 */
export function getModel(name: string): ModelEntry {
  return modelEntryOf(name, 'getModel');
}

/**
 * {@link getModel} on behalf of `fn`, the function the user called, which its errors name.
 *
 * @example
 * ```ts
 * import { modelEntryOf } from './modelRegistry.js'; // internal
 * modelEntryOf('qda', 'planStudy').inputKind; //=> 'features'
 * modelEntryOf('svm', 'planStudy'); //=> throws UNKNOWN_NAME planStudy: argument 'name'
 * ```
 */
export function modelEntryOf(name: string, fn: string): ModelEntry {
  if (typeof name !== 'string' || !Object.hasOwn(models, name)) {
    throw fail('UNKNOWN_NAME', fn, 'name', `one of ${modelNames.join(', ')}`, JSON.stringify(name) ?? String(name));
  }
  return models[name as ModelName];
}
