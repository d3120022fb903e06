import { NotFittedError, fail } from '../../errors.js';
import type { ImageInput, LabelsInput } from '../../types.js';
import { checkTrainingLabels, throwIfAborted } from '../features.js';
import type { EpochWeights, FitOptions, InputKind, InputOf, Model, ModelParams, ParamValue } from '../model.js';
import { checkOptions } from '../../options.js';
import { workerThreads } from '#platform';
import { intraOpUnavailableReason } from '../../kernels/tfjs/wasm.js';
import { modelBackend } from './backend.js';
import { type Batches, imagesToTensor, tensorBatches } from './batches.js';
import { type ConvNetManifest, loadCheckpoint, readManifest, saveCheckpoint } from './checkpoint.js';
import { type Network, countParams, disposeParams } from './layers.js';
import { argmaxRows, predictProbabilities, type Probabilities, trainNetwork } from './trainLoop.js';
import { type InitScheme, ONE_CYCLE, type ResolvedTrainOptions, TRAIN_OPTIONS, type TrainOptions, resolveTrain } from './trainOptions.js';

export type { TrainOptions, ResolvedTrainOptions, InitScheme, Threading } from './trainOptions.js';
export { TRAIN_OPTIONS, INIT_SCHEMES, THREADINGS } from './trainOptions.js';
export type { Network } from './layers.js';
export type { ConvNetManifest } from './checkpoint.js';
export { type Batches, tensorBatches, checkInputShape, imagesToTensor } from './batches.js';

interface Fitted {
  readonly net: Network;
  readonly inputShape: readonly number[];
  readonly numClasses: number;
}

/**
 * The tfjs models' estimator: options, fit (the loop in trainLoop.ts), batched prediction,
 * save/load (checkpoint.ts). Subclasses turn their input into batches and build the network.
 */
export abstract class ConvNetModel<K extends InputKind> implements Model<K> {
  abstract readonly name: string;
  abstract readonly inputKind: K;
  protected fitted: Fitted | undefined;
  protected readonly train: ResolvedTrainOptions;
  private disposed = false;

  constructor(
    train: TrainOptions,
    defaults: Partial<ResolvedTrainOptions>,
    private readonly className: string,
    architectureOptions: readonly string[] = [],
    inits?: readonly InitScheme[],
  ) {
    // Options often come from JSON (study configs): a misspelt name must not be ignored silently.
    this.train = resolveTrain(
      className,
      checkOptions(className, train, [...new Set([...TRAIN_OPTIONS, ...architectureOptions])]),
      defaults,
      inits,
    );
  }

  /** Validates the input (against the fitted sample shape, when given) and prepares its batches. */
  protected abstract prepare(fn: string, x: InputOf[K], inputShape?: readonly number[]): Batches;
  /** Builds a freshly initialised network for this input shape. */
  protected abstract build(inputShape: readonly number[], numClasses: number, seed: number): Network;
  /** The constructor options, for save/load. */
  protected abstract describeOptions(): Record<string, unknown>;

  /**
   * Architecture options that change the network's function but not its weights' names or
   * shapes, each with the value a checkpoint written before the option existed was built with.
   * {@link load} refuses a checkpoint whose value differs: the weights would load, and compute
   * something else.
   */
  protected weightlessOptions(): Record<string, { readonly value: unknown; readonly before: unknown }> {
    return {};
  }

  /** @internal A freshly built network, for a data-parallel replica in a worker thread. */
  buildReplica(inputShape: readonly number[], numClasses: number, seed: number): Network {
    return this.build(inputShape, numClasses, seed);
  }

  /**
   * The parameters this model uses: its training and architecture options resolved with their
   * defaults. Under the one-cycle schedule the step schedule's options do not apply: `momentum`,
   * `lrSteps` and `lrDecay` are null, and the cycle's own constants are given instead.
   */
  get params(): ModelParams {
    const train: Record<string, ParamValue> = { ...this.train };
    if (this.train.schedule === 'onecycle') Object.assign(train, { momentum: null, lrSteps: null, lrDecay: null, ...ONE_CYCLE });
    return { ...(this.describeOptions() as ModelParams), ...train };
  }

  /** Trainable parameter count of the fitted network, or NotFittedError. */
  get parameterCount(): number {
    return countParams(this.requireFitted('parameterCount').net.params);
  }

  /** Trainable parameter count for an input shape and class count, without training. */
  countParameters(inputShape: readonly number[], numClasses: number): number {
    const net = this.build(inputShape, numClasses, 0);
    const n = countParams(net.params);
    disposeParams(net.params);
    return n;
  }

  private checkNotDisposed(fn: string): void {
    if (this.disposed) throw fail('INVALID_ARGUMENT', fn, 'this', 'a model that has not been disposed', 'a disposed model');
  }

  private requireFitted(fn: string): Fitted {
    this.checkNotDisposed(`${this.className}.${fn}`);
    if (this.fitted === undefined) throw new NotFittedError(`${this.className}.${fn}`);
    return this.fitted;
  }

  async fit(x: InputOf[K], y: LabelsInput, options: FitOptions<K> = {}): Promise<this> {
    const fn = `${this.className}.fit`;
    this.checkNotDisposed(fn);
    const backend = await modelBackend();
    if (this.train.threads > 1 && this.train.threading === 'intra-op') {
      // Training on one thread instead would be the model asked for, but not at the speed asked
      // for; one that silently takes hours longer is refused like a wrong one.
      const why = backend === 'wasm' ? intraOpUnavailableReason() : `tfjs's active backend is '${backend}', not 'wasm'`;
      if (why !== undefined)
        throw fail(
          'INVALID_ARGUMENT',
          fn,
          'options.threading',
          `'data-parallel' or threads 1: intra-op threads need the native kernels, and ${why}`,
          "'intra-op'",
        );
    } else if (this.train.threads > 1 && !(backend === 'wasm' && workerThreads)) {
      // Ignoring the option would train the one-thread model (batch norm over the whole batch)
      // while params and records say `threads` (batch norm per share): a different model.
      const why = workerThreads
        ? `tfjs's active backend is '${backend}' (call useFastestBackend() before your first tensor, or tf.setBackend('wasm'))`
        : 'this platform has no worker threads';
      throw fail(
        'INVALID_ARGUMENT',
        fn,
        'options.threads',
        `1: data-parallel threads need the wasm backend and worker threads, and ${why}`,
        String(this.train.threads),
      );
    }
    // Every model's contract: a fit that fails or is aborted leaves the model unfitted, not with its old fit.
    if (this.fitted !== undefined) disposeParams(this.fitted.net.params);
    this.fitted = undefined;
    const xs = this.prepare(fn, x);
    let net: Network | undefined;
    try {
      const { y: labels, numClasses } = checkTrainingLabels(fn, y, xs.count);
      throwIfAborted(options.signal);
      const inputShape = xs.sampleShape;
      const built = this.build(inputShape, numClasses, this.train.seed);
      net = built;
      const { onEpoch } = options;
      const afterEpoch =
        onEpoch === undefined
          ? undefined
          : async (epoch: number, probabilities: Probabilities, weights: EpochWeights): Promise<void> => {
              const current: Fitted = { net: built, inputShape, numClasses };
              // On every training thread: a learning curve's evaluations were ~40% of a ResNet-20 cell's time on one.
              const predict = async (input: InputOf[K]): Promise<Int32Array> =>
                argmaxRows(await this.probabilities(fn, current, input, probabilities), numClasses);
              await onEpoch({ epoch, epochs: this.train.epochs, predict, weights });
            };
      await trainNetwork(
        net,
        xs,
        labels,
        numClasses,
        this.train,
        { model: this.name, options: this.describeOptions() },
        options,
        afterEpoch,
      );
      this.fitted = { net, inputShape, numClasses };
      net = undefined;
      return this;
    } finally {
      xs.dispose();
      if (net !== undefined) disposeParams(net.params);
    }
  }

  /**
   * The intra-op threads `predict` uses: `threads` where the native kernels run, under either
   * threading (inference computes each sample on its own, so the thread count changes no bit:
   * test/models/intraOp.test.ts), else 1.
   */
  private kernelThreads(): number {
    return this.train.threads > 1 && intraOpUnavailableReason() === undefined ? this.train.threads : 1;
  }

  /** Class probabilities of `fitted`'s network on `x`, in batches of at least 256 (computed by `using`, during training). */
  private async probabilities(fn: string, fitted: Fitted, x: InputOf[K], using?: Probabilities): Promise<Float32Array> {
    await modelBackend();
    const xs = this.prepare(fn, x, fitted.inputShape);
    const batch = Math.max(this.train.batchSize, 256);
    try {
      return await (using === undefined
        ? predictProbabilities(fitted.net, xs, fitted.numClasses, batch, this.kernelThreads())
        : using(xs, batch));
    } finally {
      xs.dispose();
    }
  }

  /** Class probabilities [samples x classes], computed in batches of `batchSize`. */
  async predictProba(x: InputOf[K]): Promise<{ data: Float32Array; rows: number; cols: number }> {
    const fitted = this.requireFitted('predictProba');
    const data = await this.probabilities(`${this.className}.predictProba`, fitted, x);
    return { data, rows: data.length / fitted.numClasses, cols: fitted.numClasses };
  }

  async predict(x: InputOf[K]): Promise<Int32Array> {
    const p = await this.predictProba(x);
    return argmaxRows(p.data, p.cols);
  }

  /**
   * Writes `model.json` (architecture options, shapes, names) and `weights.bin` (float32, in the
   * manifest's order) to `folder`, creating it. A folder that cannot be created or written is an
   * INVALID_ARGUMENT error naming `folder`; `loadModel(folder)` rebuilds the model from it.
   */
  async save(folder: string): Promise<void> {
    const fitted = this.requireFitted('save');
    await saveCheckpoint(`${this.className}.save`, folder, fitted.net, {
      model: this.name,
      options: this.describeOptions(),
      inputShape: fitted.inputShape,
      numClasses: fitted.numClasses,
    });
  }

  /**
   * Loads weights written by {@link save} into this model (same class and options), replacing
   * any fitted state. A missing or unreadable folder, a malformed model.json, another model or
   * architecture, or a truncated weights.bin is a DATA_FORMAT error naming the file or weight
   * (`loadModel(folder)` instead builds the saved architecture itself).
   */
  async load(folder: string): Promise<this> {
    return this.loadSaved(`${this.className}.load`, folder);
  }

  /**
   * @internal {@link load} on behalf of `fn`, the function the user called, from `manifest` when
   * the folder's model.json has been read already.
   */
  async loadSaved(fn: string, folder: string, manifest?: ConvNetManifest): Promise<this> {
    this.checkNotDisposed(fn);
    const saved = manifest ?? (await readManifest(fn, folder));
    await modelBackend();
    const loaded = await loadCheckpoint(
      fn,
      folder,
      saved,
      { model: this.name, options: this.describeOptions(), weightless: this.weightlessOptions() },
      (inputShape, numClasses) => this.build(inputShape, numClasses, 0),
    );
    if (this.fitted !== undefined) disposeParams(this.fitted.net.params);
    this.fitted = loaded;
    return this;
  }

  dispose(): void {
    if (this.fitted !== undefined) disposeParams(this.fitted.net.params);
    this.fitted = undefined;
    this.disposed = true;
  }
}

/**
 * The tfjs models on images (ResNet, Perceptron, ShallowMaxNN): the batch is validated once and
 * kept as one tensor, and training batches are gathered from it.
 *
 * @example
 * ```ts
 * import { CharCNN, ImageConvNetModel, ResNet } from 'blindspots/models';
 * const isImageModel = (m: unknown): boolean => m instanceof ImageConvNetModel;
 * [isImageModel(new ResNet()), isImageModel(new CharCNN())]; //=> [true, false]
 * ```
 */
export abstract class ImageConvNetModel extends ConvNetModel<'images'> {
  readonly inputKind = 'images' as const;

  protected prepare(fn: string, x: ImageInput, inputShape?: readonly number[]): Batches {
    return tensorBatches(imagesToTensor(fn, x, inputShape));
  }
}
