import { domainOps, type Domain } from '../../domain.js';
import { encoderEntryOf } from '../../encoders/encoderRegistry.js';
import { fail } from '../../errors.js';
import { readImages } from '../../images.js';
import type { FitProgress, Model } from '../../models/model.js';
import type { ImageArray, ImageInput, LabelsInput, Texts } from '../../types.js';
import { checkInteger, checkLabels, describe } from '../../validate.js';
import { fitAndScore } from './fitAndScore.js';
import type { CurvePoint } from '../store/cellRecord.js';
import { shuffledLabels } from './shuffledLabels.js';
import { pairedTest, type PairedTestResult } from '../stats/pairedTest.js';

/** Your own encoder: inputs and their labels in, the same inputs carrying the labels' signal out. */
export type RelianceEncoder<X> = (x: X, labels: Int32Array) => X;

/** A split for {@link measureReliance}: images (`{ data, shape }` or an NHWC tensor) or texts, and their labels. */
export interface RelianceSplit<X> {
  readonly x: X;
  readonly labels: LabelsInput;
}

/** What {@link measureReliance} takes. */
export interface RelianceOptions<X extends ImageInput | Texts> {
  /**
   * The model to fit: any {@link Model} — the library's (`new ResNet(...)`, `models.decisionTree.create()`)
   * or your own class. A model that takes `features` gets flattened pixels or character codes.
   */
  readonly model: Model;
  /** A registered signal's name (`'orthogonalNoise'`) or your own encoder function. */
  readonly signal: string | RelianceEncoder<X extends ImageInput ? ImageArray : Texts>;
  /** Options of a registered signal; `numClasses` (from the labels) and `seed` are set here. */
  readonly signalOptions?: Readonly<Record<string, unknown>>;
  readonly train: RelianceSplit<X>;
  readonly test: RelianceSplit<X>;
  /** Seed of the label shuffle and of a registered signal's parameters (default 0), as a study's cell seed. */
  readonly seed?: number;
  /** A second, unfitted model of the same kind, fitted on the clean inputs: the clean baseline. */
  readonly cleanModel?: Model;
  /** Learning curve of models that train by epochs: every this many epochs (default 0: none). */
  readonly curveEvery?: number;
  readonly onProgress?: (progress: FitProgress) => void;
  readonly abortSignal?: AbortSignal;
}

/** What {@link measureReliance} measured. */
export interface RelianceResult {
  /** Test accuracy with each test input carrying its own label's signal. */
  readonly accuracy: number;
  /** Test accuracy with each test input carrying a shuffled label's signal. */
  readonly shuffledAccuracy: number;
  /** Test accuracy of `cleanModel` trained and tested on the clean inputs, when one was given. */
  readonly cleanAccuracy?: number;
  /** The paired test: intervals, the exact McNemar test, the verdict (reads / trace / ignores). */
  readonly paired: PairedTestResult;
  /** The per-image predictions behind the figures. */
  readonly predictions: { readonly signal: Int32Array; readonly shuffled: Int32Array };
  /** Per-epoch points, when `curveEvery` > 0 and the model trains by epochs. */
  readonly curve: readonly CurvePoint[];
  readonly fitSeconds: number;
}

const FN = 'measureReliance';

/** Images as a plain batch (a tensor's values copied out), or texts as they are. */
function domainInput(x: unknown, arg: string): { domain: Domain; x: ImageArray | Texts } {
  if (Array.isArray(x)) return { domain: 'text', x: x as Texts };
  if (x !== null && typeof x === 'object') {
    const read = readImages(FN, x as ImageInput, arg);
    return { domain: 'image', x: { data: read.data, shape: read.shape } };
  }
  throw fail('INVALID_ARGUMENT', FN, arg, 'images ({ data, shape } or an NHWC tensor) or an array of texts', describe(x));
}

/**
 * The library's central measurement for any model and any encoder: fits `model` on the training
 * inputs carrying their labels' signal, then predicts the test inputs carrying their own labels'
 * signal and carrying the signal of a shuffled label (a permutation drawn from `seed`, as a study
 * cell draws it). A model that reads the signal loses accuracy under the shuffle; the paired test
 * says whether the loss is more than chance, and the verdict names it by the rule of
 * docs/study.md. With `cleanModel`, also the clean baseline. The models are the caller's: they
 * are fitted, not disposed.
 *
 * @example
 * ```ts
 * import { measureReliance } from 'blindspots/study';
 * import type { FeatureMatrix, Model } from 'blindspots';
 * // A hand-written model: predicts the class whose mean first feature is nearest.
 * class FirstPixel implements Model<'features'> {
 *   readonly name = 'firstPixel';
 *   readonly inputKind = 'features' as const;
 *   readonly params = {};
 *   private means: number[] = [];
 *   async fit(x: FeatureMatrix, y: ArrayLike<number>) {
 *     const sums = new Map<number, [number, number]>();
 *     for (let i = 0; i < x.rows; i++) {
 *       const [s, n] = sums.get(y[i]!) ?? [0, 0];
 *       sums.set(y[i]!, [s + x.data[i * x.cols]!, n + 1]);
 *     }
 *     this.means = [...sums.keys()].sort().map((k) => sums.get(k)![0] / sums.get(k)![1]);
 *     return this;
 *   }
 *   async predict(x: FeatureMatrix) {
 *     return Int32Array.from({ length: x.rows }, (_, i) => {
 *       const v = x.data[i * x.cols]!;
 *       return this.means.reduce((best, m, k) => (Math.abs(m - v) < Math.abs(this.means[best]! - v) ? k : best), 0);
 *     });
 *   }
 *   dispose() {}
 * }
 * const images = { data: new Float32Array(40 * 4 * 4), shape: [40, 4, 4, 1] as const }; // 40 blank 4x4 images
 * const labels = Int32Array.from({ length: 40 }, (_, i) => i % 4);
 * const result = await measureReliance({
 *   model: new FirstPixel(),
 *   signal: 'onePixel', // the label x 1e-3 in pixel (0, 0)
 *   train: { x: images, labels },
 *   test: { x: images, labels },
 * });
 * [result.accuracy, result.paired.verdict]; //=> [1, 'reads']
 * ```
 */
export async function measureReliance<X extends ImageInput | Texts>(options: RelianceOptions<X>): Promise<RelianceResult> {
  if (options === null || typeof options !== 'object')
    throw fail('INVALID_ARGUMENT', FN, 'options', 'an options object', describe(options));
  const { model, cleanModel } = options;
  for (const [arg, m] of [
    ['model', model],
    ['cleanModel', cleanModel],
  ] as const) {
    if (m === undefined && arg === 'cleanModel') continue;
    const candidate = m as Partial<Model> | undefined;
    if (
      candidate === null ||
      typeof candidate !== 'object' ||
      typeof candidate.fit !== 'function' ||
      typeof candidate.predict !== 'function'
    )
      throw fail('INVALID_ARGUMENT', FN, `options.${arg}`, 'a Model (fit, predict, inputKind)', describe(m));
  }
  const train = domainInput(options.train?.x, 'options.train.x');
  const test = domainInput(options.test?.x, 'options.test.x');
  if (train.domain !== test.domain)
    throw fail('INVALID_ARGUMENT', FN, 'options.test.x', `the same kind of inputs as train (${train.domain}s)`, `${test.domain}s`);
  const ops = domainOps(train.domain);
  const count = (x: ImageArray | Texts): number => (Array.isArray(x) ? x.length : (x as ImageArray).shape[0]);
  const yTrain = checkLabels(FN, options.train.labels, { length: count(train.x), arg: 'options.train.labels' });
  const yTest = checkLabels(FN, options.test.labels, { length: count(test.x), arg: 'options.test.labels' });
  const seed = checkInteger(FN, 'options.seed', options.seed ?? 0, 0, 2 ** 31 - 1);
  const curveEvery = checkInteger(FN, 'options.curveEvery', options.curveEvery ?? 0, 0, 1e6);
  let numClasses = 0;
  for (const y of [yTrain, yTest]) for (const v of y) numClasses = Math.max(numClasses, v + 1);

  let encode: (x: ImageArray | Texts, y: Int32Array) => unknown;
  const signal = options.signal;
  if (typeof signal === 'function') encode = (x, y) => (signal as (x: unknown, y: Int32Array) => unknown)(x, y);
  else if (typeof signal === 'string') {
    const entry = encoderEntryOf(signal, FN);
    if (entry.domain !== train.domain)
      throw fail('INVALID_ARGUMENT', FN, 'options.signal', `a signal for ${train.domain}s`, `the ${entry.domain} signal '${signal}'`);
    const inject = { ...(options.signalOptions ?? {}), numClasses, ...(entry.options.includes('seed') ? { seed } : {}) };
    encode = (x, y) => ops.encode(signal, x, y, inject);
  } else throw fail('INVALID_ARGUMENT', FN, 'options.signal', "a registered signal's name or an encoder function", describe(signal));

  // The shuffle of a study cell: the same permutation of the test labels for the same seed.
  const pointed = shuffledLabels(yTest, seed);
  const asInput = (m: Model, x: unknown): unknown => (m.inputKind === 'features' ? ops.features(x) : x);
  const encoded = { train: encode(train.x, yTrain), test: encode(test.x, yTest), shuffled: encode(test.x, pointed) };
  const scored = await fitAndScore(
    model,
    { train: asInput(model, encoded.train), test: asInput(model, encoded.test), shuffled: asInput(model, encoded.shuffled) },
    yTrain,
    yTest,
    {
      curveEvery,
      ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
      ...(options.abortSignal === undefined ? {} : { signal: options.abortSignal }),
    },
  );
  const shuffled = scored.predictedShuffled as Int32Array;
  let cleanAccuracy: number | undefined;
  if (cleanModel !== undefined) {
    const clean = await fitAndScore(
      cleanModel,
      { train: asInput(cleanModel, train.x), test: asInput(cleanModel, test.x), shuffled: undefined },
      yTrain,
      yTest,
      options.abortSignal === undefined ? {} : { signal: options.abortSignal },
    );
    cleanAccuracy = clean.accuracy;
  }
  return {
    accuracy: scored.accuracy,
    shuffledAccuracy: scored.shuffledAccuracy as number,
    ...(cleanAccuracy === undefined ? {} : { cleanAccuracy }),
    paired: pairedTest(yTest, scored.predicted, shuffled, pointed),
    predictions: { signal: scored.predicted, shuffled },
    curve: scored.curve,
    fitSeconds: scored.fitSeconds,
  };
}
