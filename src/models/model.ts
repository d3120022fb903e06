import type { FeatureMatrix, ImageInput, LabelsInput, Texts } from '../types.js';
import type { TrainOptions } from './tfjs/trainOptions.js';

/** The kind of input a model takes. */
export type InputKind = 'images' | 'texts' | 'features';

/** The input type for each input kind. */
export interface InputOf {
  /** A tfjs NHWC tensor or `{ data, shape }`. */
  images: ImageInput;
  texts: Texts;
  features: FeatureMatrix;
}

/** Progress of a long fit, reported through {@link FitOptions.onProgress}. */
export interface FitProgress {
  /** Fraction of the fit done, in [0, 1]. */
  readonly fraction: number;
  /** Samples (or images) processed per second so far, when the model counts them. */
  readonly samplesPerSecond?: number;
  /** Estimated seconds left. */
  readonly etaSeconds?: number;
  /** A short human-readable status, e.g. `epoch 3/10`. */
  readonly message?: string;
}

/** What {@link FitOptions.onEpoch} receives after each epoch. */
export interface EpochInfo<K extends InputKind = InputKind> {
  /** Epochs completed, from 1 to `epochs`. */
  readonly epoch: number;
  readonly epochs: number;
  /** Predicts with the weights as they are now (inference mode); the tensors it makes are disposed. */
  readonly predict: (x: InputOf[K]) => Promise<Int32Array>;
}

/** Per-call options of {@link Model.fit}. Model options belong in the constructor. */
export interface FitOptions<K extends InputKind = InputKind> {
  readonly onProgress?: (progress: FitProgress) => void;
  /** Aborting rejects the fit with an AbortError and leaves the model unfitted. */
  readonly signal?: AbortSignal;
  /**
   * Called after each epoch by the models that train in epochs (the tfjs ConvNets), and awaited
   * before the next one: learning curves without refitting. Its time is left out of
   * `onProgress`'s samples per second and ETA.
   */
  readonly onEpoch?: (info: EpochInfo<K>) => void | Promise<void>;
}

/**
 * The estimator contract, after scikit-learn: options in the constructor; `fit` twice on the
 * same data with the same seed gives the same model; `predict` before `fit` throws
 * `NotFittedError`; no tfjs tensor outlives a call or `dispose()`.
 *
 * @example
 * ```ts
 * import type { Model } from 'blindspots/models';
 * async function accuracy(model: Model<'features'>, x: FeatureMatrix, y: Int32Array): Promise<number> {
 *   const p = await model.predict(x);
 *   return p.filter((v, i) => v === y[i]).length / y.length;
 * }
 * ```
 */
export interface Model<K extends InputKind = InputKind> {
  /** Registry name, e.g. `decisionTree`. */
  readonly name: string;
  /** What `fit` and `predict` take. */
  readonly inputKind: K;
  fit(x: InputOf[K], y: LabelsInput, options?: FitOptions<K>): Promise<this>;
  predict(x: InputOf[K]): Promise<Int32Array>;
  /** Class probabilities, one row per sample, where the model has them. */
  predictProba?(x: InputOf[K]): Promise<FeatureMatrix>;
  /** Frees tensors and other resources; the model is unusable afterwards. */
  dispose(): void;
}

/** What a registry entry's `create` takes. */
export interface CreateOptions {
  readonly seed?: number;
  readonly jobs?: number;
  readonly options?: ModelOptions;
}

/** Constructor options of a tfjs model, as a study config or the CLI passes them. */
export type ModelOptions = TrainOptions & { readonly [option: string]: unknown };

/** A registered model: how to build one with a seed. */
export interface ModelEntry<K extends InputKind = InputKind> {
  readonly name: string;
  readonly inputKind: K;
  /**
   * A new model; `seed` for everything random in it, `jobs` threads where the model has them,
   * `options` the constructor options of the tfjs models (training: epochs, batchSize,
   * learningRate…; architecture: depth, width, size, filters…). Unknown option names are errors.
   */
  readonly create: (options?: CreateOptions) => Model<K>;
}
