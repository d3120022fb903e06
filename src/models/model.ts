import type { Seed } from '../random.js';
import type { FeatureMatrix, ImageInput, LabelsInput, Texts } from '../types.js';

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

/** What {@link FitOptions.onEpoch} is told after each epoch of a model that trains by epochs. */
export interface EpochInfo<K extends InputKind = InputKind> {
  /** The epoch just finished, 1-based. */
  readonly epoch: number;
  readonly epochs: number;
  /** Predicts with the weights of this epoch (inference mode); valid only during the call. */
  readonly predict: (x: InputOf[K]) => Promise<Int32Array>;
  /** The size of the weights after this epoch, and the learning rate (the tfjs ConvNets). */
  readonly weights?: EpochWeights;
}

/**
 * The weights' size after an epoch: with batch norm after a convolution only the direction of
 * each output channel's filter w matters, so a step of rate lr turns it by about lr / ||w||²
 * (the effective learning rate of van Laarhoven 2017 and Hoffer et al. 2018).
 */
export interface EpochWeights {
  /** The L2 norm of each kernel the `init` option draws, in the network's order (the first reads the input). */
  readonly kernelNorms: readonly number[];
  /** Each kernel's output channels (filters): ||W||² / filters is the mean squared norm of one filter. */
  readonly kernelFilters: readonly number[];
  /** The learning rate of the epoch's last step. */
  readonly learningRate: number;
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

/** A parameter value as a study record stores it: JSON data. */
export type ParamValue = null | boolean | number | string | readonly ParamValue[] | { readonly [key: string]: ParamValue };

/**
 * The parameters a model uses, as scikit-learn's `get_params()`: every constructor option resolved
 * with its default (an unlimited depth is `null`). A study record stores them, so it says what ran.
 */
export type ModelParams = { readonly [name: string]: ParamValue };

/**
 * The estimator contract, after scikit-learn: options in the constructor; `fit` twice on the
 * same data with the same seed gives the same model; `predict` before `fit` throws
 * `NotFittedError`; no tfjs tensor outlives a call or `dispose()`.
 *
 * @example
 * ```ts
 * import type { FeatureMatrix } from 'blindspots';
 * import { DecisionTree, type Model } from 'blindspots/models';
 * async function accuracy(model: Model<'features'>, x: FeatureMatrix, y: Int32Array): Promise<number> {
 *   const p = await model.predict(x);
 *   return p.filter((v, i) => v === y[i]).length / y.length;
 * }
 * const x = { data: Float32Array.of(0, 1, 2, 3), rows: 4, cols: 1 };
 * const y = Int32Array.of(0, 0, 1, 1);
 * await accuracy(await new DecisionTree().fit(x, y), x, y); //=> 1
 * ```
 */
export interface Model<K extends InputKind = InputKind> {
  /** Registry name, e.g. `decisionTree`. */
  readonly name: string;
  /** What `fit` and `predict` take. */
  readonly inputKind: K;
  /** The parameters the model uses (its options resolved with their defaults); see {@link ModelParams}. */
  readonly params: ModelParams;
  fit(x: InputOf[K], y: LabelsInput, options?: FitOptions<K>): Promise<this>;
  predict(x: InputOf[K]): Promise<Int32Array>;
  /** Class probabilities, one row per sample, where the model has them. */
  predictProba?(x: InputOf[K]): Promise<FeatureMatrix>;
  /** Frees tensors and other resources; the model is unusable afterwards. */
  dispose(): void;
}

/** What a registry entry's `create` takes. */
export interface CreateOptions {
  /** Seed of everything random in the model (default 0). */
  readonly seed?: Seed;
  /** Threads the model may use, for models that can (`threads` is not `'none'` in their entry); default 1. */
  readonly threads?: number;
  /** Constructor options; names outside the entry's `options` are UNKNOWN_OPTION errors. */
  readonly options?: Readonly<Record<string, unknown>>;
}

/**
 * How a model uses threads: `'none'` (one thread), `'same-result'` (more threads, the same model:
 * forests grow each tree from its own seed), `'changes-result'` (data-parallel training: batch-norm
 * statistics are per share of the batch, so the thread count is part of what ran).
 */
export type ThreadUse = 'none' | 'same-result' | 'changes-result';

/** A registered model: what it takes, how it trains, and how to build one. */
export interface ModelEntry<K extends InputKind = InputKind> {
  readonly name: string;
  /** A short human name, e.g. `Random forest`. */
  readonly title: string;
  readonly inputKind: K;
  /** The constructor's option names (the ones `create`'s `options` may hold). */
  readonly options: readonly string[];
  /** Trains by epochs, calling `FitOptions.onEpoch` after each (learning curves). */
  readonly trainsByEpoch: boolean;
  readonly threads: ThreadUse;
  /** A ConvNet in the paper's sense: the tables' ConvNet column. */
  readonly convnet: boolean;
  /**
   * The rough cost of fitting and evaluating one cell, in seconds on one core, from the sizes
   * and the parameters: studies balance their shards with it (only ratios matter).
   */
  readonly cost: (size: { readonly nTrain: number; readonly nTest: number; readonly features: number }, params: ModelParams) => number;
  /**
   * A new model: `seed` for everything random in it, `threads` where the model has them,
   * `options` its constructor options. Unknown option names are UNKNOWN_OPTION errors.
   */
  readonly create: (options?: CreateOptions) => Model<K>;
}
