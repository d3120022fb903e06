import * as tf from '@tensorflow/tfjs';
import { Buffer, join, mkdir, readFile, writeFile, workerThreads } from '#platform';
import { BlindspotsError, NotFittedError, fail } from '../../errors.js';
import { createRandom, shuffler } from '../../random.js';
import { readImages } from '../../images.js';
import type { ImageInput, LabelsInput } from '../../types.js';
import { checkInteger, checkNumber, describe } from '../../validate.js';
import { checkTrainingLabels, throwIfAborted } from '../features.js';
import type { FitOptions, InputKind, InputOf, Model, ModelParams } from '../model.js';
import { checkOptions, optionNames } from '../../options.js';
import { useFastestBackend } from './backend.js';
import { type Params, countParams, disposeParams } from './layers.js';
import { Replica, shareGradients } from './dataParallel.js';
import { GATHER_ROWS_KERNEL, SGD_MOMENTUM_KERNEL, type SgdAttrs, copyValuesInto, hasFusedKernels } from './wasmKernels.js';

/** Training options shared by the ConvNets; defaults follow He et al. (2016) for CIFAR-10. */
export interface TrainOptions {
  /** Passes over the training data (default 10). */
  readonly epochs?: number;
  /** Samples per step (default 128). */
  readonly batchSize?: number;
  /** Initial SGD learning rate (default 0.1). */
  readonly learningRate?: number;
  /** SGD momentum (default 0.9). */
  readonly momentum?: number;
  /** L2 weight decay added to the gradient, as PyTorch's SGD (default 1e-4). */
  readonly weightDecay?: number;
  /**
   * Learning-rate steps: at each listed fraction of the training the rate is multiplied by
   * `lrDecay` (default [0.5, 0.75] — He et al. divide by 10 at 32k and 48k of 64k iterations).
   */
  readonly lrSteps?: readonly number[];
  /** Factor applied at each step (default 0.1). */
  readonly lrDecay?: number;
  /** Seed of the initialisation, batch order and dropout (default 0). */
  readonly seed?: number;
  /**
   * Threads to train on (default 1). Above 1, on the wasm backend, each step's batch is split
   * across data-parallel replicas in worker threads (tfjs-wasm uses one core per instance) and
   * their gradients summed. Batch-norm statistics are then per share of the batch, as PyTorch's
   * DataParallel without SyncBatchNorm, so the model differs from the one-thread model (it is
   * deterministic for a seed and thread count). Ignored on other backends and in a browser (no
   * worker threads there).
   */
  readonly threads?: number;
}

/** The option names every tfjs model takes (its training options). */
export const TRAIN_OPTIONS = optionNames<TrainOptions>()(
  'epochs',
  'batchSize',
  'learningRate',
  'momentum',
  'weightDecay',
  'lrSteps',
  'lrDecay',
  'seed',
  'threads',
);

/** Resolved training options. */
export type ResolvedTrainOptions = { readonly [K in keyof TrainOptions]-?: NonNullable<TrainOptions[K]> };

/** What a network module provides to {@link ConvNetModel}. */
export interface Network {
  readonly params: Params;
  /** Logits [batch, classes]; `updates` collects state updates (batch norm) of a training step. */
  forward(x: tf.Tensor, training: boolean, updates: (() => void)[], step: number): tf.Tensor2D;
}

/** The saved description of a ConvNet (model.json next to weights.bin). */
export interface ConvNetManifest {
  readonly format: 'blindspots-convnet';
  readonly version: 1;
  readonly model: string;
  readonly options: Record<string, unknown>;
  readonly inputShape: readonly number[];
  readonly numClasses: number;
  readonly weights: readonly { readonly name: string; readonly shape: readonly number[]; readonly trainable: boolean }[];
}

/**
 * A validated input, cut into batches on demand: images stay one tensor, texts are one-hot
 * encoded a batch at a time (a quantised SpamAssassin would take 1.7 GB).
 */
export interface Batches {
  readonly count: number;
  /** The shape of one sample as the network sees it. */
  readonly sampleShape: readonly number[];
  /** The samples at `index`, as a new tensor (call inside tf.tidy). */
  gather(index: Int32Array): tf.Tensor;
  /** `count` samples from `start`, as a new tensor (call inside tf.tidy). */
  slice(start: number, count: number): tf.Tensor;
  dispose(): void;
}

/** Batches over one tensor holding every sample. */
export function tensorBatches(x: tf.Tensor): Batches {
  return {
    count: x.shape[0],
    sampleShape: x.shape.slice(1),
    gather: (index) => {
      const indices = tf.tensor1d(index, 'int32');
      // tfjs-wasm's GatherV2 takes ~17 ms for a 128-image batch; a row copy well under 1 ms.
      if (hasFusedKernels() && x.dtype === 'float32') return tf.engine().runKernel(GATHER_ROWS_KERNEL, { x, indices }) as tf.Tensor;
      return tf.gather(x, indices);
    },
    slice: (start, count) => tf.slice(x, start, count),
    dispose: () => x.dispose(),
  };
}

interface Fitted {
  readonly net: Network;
  readonly inputShape: readonly number[];
  readonly numClasses: number;
}

function resolveTrain(fn: string, o: TrainOptions, defaults: Partial<ResolvedTrainOptions>): ResolvedTrainOptions {
  const steps: unknown = o.lrSteps ?? defaults.lrSteps ?? [0.5, 0.75];
  if (!Array.isArray(steps)) throw fail('INVALID_ARGUMENT', fn, 'options.lrSteps', 'an array of fractions in [0, 1]', describe(steps));
  steps.forEach((s, i) => checkNumber(fn, `options.lrSteps[${String(i)}]`, s, { min: 0, max: 1 }));
  return {
    epochs: checkInteger(fn, 'options.epochs', o.epochs ?? defaults.epochs ?? 10, 1, 1e6),
    batchSize: checkInteger(fn, 'options.batchSize', o.batchSize ?? defaults.batchSize ?? 128, 1, 1 << 20),
    learningRate: checkNumber(fn, 'options.learningRate', o.learningRate ?? defaults.learningRate ?? 0.1, { positive: true }),
    momentum: checkNumber(fn, 'options.momentum', o.momentum ?? defaults.momentum ?? 0.9, { min: 0, max: 1 }),
    weightDecay: checkNumber(fn, 'options.weightDecay', o.weightDecay ?? defaults.weightDecay ?? 1e-4, { min: 0 }),
    lrSteps: steps as number[],
    lrDecay: checkNumber(fn, 'options.lrDecay', o.lrDecay ?? defaults.lrDecay ?? 0.1, { positive: true, max: 1 }),
    seed: checkInteger(fn, 'options.seed', o.seed ?? 0, 0, 2 ** 31 - 1),
    threads: checkInteger(fn, 'options.threads', o.threads ?? defaults.threads ?? 1, 1, 64),
  };
}

/**
 * The shared training loop of the tfjs models: seeded initialisation and batch order, SGD with
 * momentum and weight decay, a step learning-rate schedule, progress with samples/s and ETA,
 * AbortSignal, batched prediction, save/load. Subclasses turn their input into a tensor and
 * build the network.
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
  ) {
    // Options often come from JSON (study configs): a misspelt name must not be ignored silently.
    this.train = resolveTrain(className, checkOptions(className, train, [...TRAIN_OPTIONS, ...architectureOptions]), defaults);
  }

  /** Validates the input (against the fitted sample shape, when given) and prepares its batches. */
  protected abstract prepare(fn: string, x: InputOf[K], inputShape?: readonly number[]): Batches;
  /** Builds a freshly initialised network for this input shape. */
  protected abstract build(inputShape: readonly number[], numClasses: number, seed: number): Network;
  /** The constructor options, for save/load. */
  protected abstract describeOptions(): Record<string, unknown>;

  /** @internal A freshly built network, for a data-parallel replica in a worker thread. */
  buildReplica(inputShape: readonly number[], numClasses: number, seed: number): Network {
    return this.build(inputShape, numClasses, seed);
  }

  /** The parameters this model uses: its training and architecture options resolved with their defaults. */
  get params(): ModelParams {
    return { ...(this.describeOptions() as ModelParams), ...this.train };
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

  async fit(x: InputOf[K], y: LabelsInput, options: FitOptions = {}): Promise<this> {
    const fn = `${this.className}.fit`;
    this.checkNotDisposed(fn);
    await useFastestBackend();
    // Every model's contract: a fit that fails or is aborted leaves the model unfitted, not with its old fit.
    if (this.fitted !== undefined) disposeParams(this.fitted.net.params);
    this.fitted = undefined;
    const xs = this.prepare(fn, x);
    let net: Network | undefined;
    try {
      const { y: labels, numClasses } = checkTrainingLabels(fn, y, xs.count);
      throwIfAborted(options.signal);
      const inputShape = xs.sampleShape;
      net = this.build(inputShape, numClasses, this.train.seed);
      await this.runTraining(net, xs, labels, numClasses, options);
      this.fitted = { net, inputShape, numClasses };
      net = undefined;
      return this;
    } finally {
      xs.dispose();
      if (net !== undefined) disposeParams(net.params);
    }
  }

  /** Starts `count` replicas of `net` in worker threads and checks they hold the same variables. */
  private async startReplicas(
    count: number,
    net: Network,
    inputShape: readonly number[],
    numClasses: number,
    weights: Float32Array,
  ): Promise<Replica[]> {
    const replicas: Replica[] = [];
    try {
      for (let r = 0; r < count; r++) replicas.push(new Replica(weights.length));
      const expected = JSON.stringify([...net.params.trainable].map(([name, v]) => ({ name, shape: v.shape })));
      const replies = await Promise.all(
        replicas.map((rep) =>
          rep.request({
            type: 'init',
            model: this.name,
            options: this.describeOptions(),
            inputShape,
            numClasses,
            seed: this.train.seed,
            weights: weights.buffer as SharedArrayBuffer,
            grads: rep.grads.buffer as SharedArrayBuffer,
          }),
        ),
      );
      for (const reply of replies) {
        if (reply.type !== 'ready' || JSON.stringify(reply.vars) !== expected)
          throw new Error(`training worker: the replica of ${this.name} has other variables than the model`);
      }
      return replicas;
    } catch (error) {
      await Promise.all(replicas.map((r) => r.close()));
      throw error;
    }
  }

  private async runTraining(net: Network, xs: Batches, labels: Int32Array, numClasses: number, options: FitOptions): Promise<void> {
    const { epochs, batchSize, learningRate, momentum, weightDecay, lrSteps, lrDecay, seed, threads } = this.train;
    const n = xs.count;
    const stepsPerEpoch = Math.ceil(n / batchSize);
    const totalSteps = epochs * stepsPerEpoch;
    const vars = [...net.params.trainable.values()];
    const velocity = vars.map((v) => tf.tidy(() => tf.variable(tf.zerosLike(v), false)));
    const order = Int32Array.from({ length: n }, (_, i) => i);
    const shuffle = shuffler(createRandom(`${String(seed)}/batches`));
    const parallel = threads > 1 && tf.getBackend() === 'wasm' && workerThreads;
    // The weights the replicas read each step (see dataParallel.ts).
    const weights = parallel ? new Float32Array(new SharedArrayBuffer(vars.reduce((s, v) => s + v.size, 0) * 4)) : new Float32Array(0);
    const replicas = parallel ? await this.startReplicas(threads - 1, net, xs.sampleShape, numClasses, weights) : [];
    const start = performance.now();
    let step = 0;
    try {
      for (let epoch = 0; epoch < epochs; epoch++) {
        shuffle(order);
        for (let b = 0; b < stepsPerEpoch; b++, step++) {
          throwIfAborted(options.signal);
          const idx = order.subarray(b * batchSize, Math.min(n, (b + 1) * batchSize));
          const passed = lrSteps.filter((s) => step >= s * totalSteps).length;
          const lr = learningRate * lrDecay ** passed;
          const updates: (() => void)[] = [];
          // Shares of the batch: replica 0 (this thread) first, then one per worker.
          const shareSize = Math.ceil(idx.length / (replicas.length + 1));
          const shares = Array.from({ length: replicas.length + 1 }, (_, r) =>
            idx.subarray(Math.min(idx.length, r * shareSize), Math.min(idx.length, (r + 1) * shareSize)),
          );
          const labelsOf = (share: Int32Array): Int32Array => Int32Array.from(share, (i) => labels[i] as number);
          if (replicas.length > 0) copyValuesInto(vars, weights);
          // Workers start on their shares before this thread computes its own.
          const remote = replicas.map(async (rep, r) => {
            const share = shares[r + 1] as Int32Array;
            if (share.length === 0) return undefined;
            const xr = tf.tidy(() => xs.gather(share));
            const x = (xr.dataSync() as Float32Array | Int32Array).slice();
            const shape = xr.shape;
            xr.dispose();
            // Each replica's dropout seeds come from its own range of step numbers.
            const reply = await rep.request(
              { type: 'step', x, shape, labels: labelsOf(share), scale: share.length / idx.length, step: (r + 1) * totalSteps + step },
              [x.buffer],
            );
            if (reply.type !== 'grads') throw new Error('training worker: unexpected reply');
            return rep.grads;
          });
          const own = shares[0] as Int32Array;
          const local = tf.tidy(() =>
            shareGradients(
              net,
              vars,
              xs.gather(own),
              tf.tensor1d(labelsOf(own), 'int32'),
              numClasses,
              step,
              own.length / idx.length,
              updates,
            ),
          );
          let others: (Float32Array | undefined)[];
          try {
            others = await Promise.all(remote);
          } catch (error) {
            tf.dispose(local);
            for (const u of updates) u();
            throw error;
          }
          tf.tidy(() => {
            const fused = hasFusedKernels();
            let o = 0;
            vars.forEach((v, i) => {
              let g = local[v.name];
              // Summed in replica order: the same weights for the same seed, run after run.
              for (const grads of others)
                if (grads !== undefined) g = tf.add(g ?? tf.zerosLike(v), tf.tensor(grads.subarray(o, o + v.size), v.shape));
              o += v.size;
              if (g === undefined) return;
              const m = velocity[i] as tf.Variable;
              if (fused) {
                // One kernel per variable on wasm instead of six; the same arithmetic.
                const attrs: SgdAttrs = { learningRate: lr, momentum, weightDecay };
                const [nv, nm] = tf.engine().runKernel(SGD_MOMENTUM_KERNEL, { v, m, g }, attrs as unknown as tf.NamedAttrMap) as [
                  tf.Tensor,
                  tf.Tensor,
                ];
                m.assign(nm);
                v.assign(nv);
                return;
              }
              m.assign(tf.add(tf.mul(m, momentum), weightDecay > 0 ? tf.add(g, tf.mul(v, weightDecay)) : g));
              v.assign(tf.sub(v, tf.mul(m, lr)));
            });
          });
          tf.dispose(local);
          for (const u of updates) u();
          // Yield so that an abort event or a timer can run between steps.
          await tf.nextFrame();
          const seconds = (performance.now() - start) / 1000;
          const done = step + 1;
          options.onProgress?.({
            fraction: done / totalSteps,
            samplesPerSecond: (done * batchSize) / seconds,
            etaSeconds: (seconds / done) * (totalSteps - done),
            message: `epoch ${String(epoch + 1)}/${String(epochs)}, step ${String(b + 1)}/${String(stepsPerEpoch)}, lr ${String(Number(lr.toPrecision(6)))}`,
          });
        }
      }
    } finally {
      for (const m of velocity) m.dispose();
      await Promise.all(replicas.map((r) => r.close()));
    }
  }

  /** Class probabilities [samples x classes], computed in batches of `batchSize`. */
  async predictProba(x: InputOf[K]): Promise<{ data: Float32Array; rows: number; cols: number }> {
    const fn = `${this.className}.predictProba`;
    const fitted = this.requireFitted('predictProba');
    await useFastestBackend();
    const xs = this.prepare(fn, x, fitted.inputShape);
    try {
      const n = xs.count;
      const out = new Float32Array(n * fitted.numClasses);
      const batch = Math.max(this.train.batchSize, 256);
      for (let s = 0; s < n; s += batch) {
        const count = Math.min(batch, n - s);
        const p = tf.tidy(() => tf.softmax(fitted.net.forward(xs.slice(s, count), false, [], 0)));
        out.set(await p.data(), s * fitted.numClasses);
        p.dispose();
      }
      return { data: out, rows: n, cols: fitted.numClasses };
    } finally {
      xs.dispose();
    }
  }

  async predict(x: InputOf[K]): Promise<Int32Array> {
    const p = await this.predictProba(x);
    const out = new Int32Array(p.rows);
    for (let r = 0; r < p.rows; r++) {
      let best = 0;
      for (let c = 1; c < p.cols; c++) if ((p.data[r * p.cols + c] as number) > (p.data[r * p.cols + best] as number)) best = c;
      out[r] = best;
    }
    return out;
  }

  /**
   * Writes `model.json` (architecture options, shapes, names) and `weights.bin` (float32, in the
   * manifest's order) to `folder`, creating it.
   */
  async save(folder: string): Promise<void> {
    const fitted = this.requireFitted('save');
    const entries = [
      ...[...fitted.net.params.trainable].map(([name, v]) => ({ name, v, trainable: true })),
      ...[...fitted.net.params.state].map(([name, v]) => ({ name, v, trainable: false })),
    ];
    const manifest: ConvNetManifest = {
      format: 'blindspots-convnet',
      version: 1,
      model: this.name,
      options: this.describeOptions(),
      inputShape: fitted.inputShape,
      numClasses: fitted.numClasses,
      weights: entries.map((e) => ({ name: e.name, shape: e.v.shape, trainable: e.trainable })),
    };
    const chunks = await Promise.all(entries.map(async (e) => Buffer.from((await e.v.data()).buffer.slice(0))));
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, 'weights.bin'), Buffer.concat(chunks));
    await writeFile(join(folder, 'model.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  }

  /**
   * Loads weights written by {@link save} into this model (same class and options), replacing
   * any fitted state. Shape or name mismatches are DATA_FORMAT errors naming the weight.
   */
  async load(folder: string): Promise<this> {
    const fn = `${this.className}.load`;
    const manifest = JSON.parse(await readFile(join(folder, 'model.json'), 'utf8')) as ConvNetManifest;
    if (manifest.format !== 'blindspots-convnet' || manifest.model !== this.name) {
      throw fail(
        'DATA_FORMAT',
        fn,
        'folder',
        `a saved ${this.name} (model.json format blindspots-convnet)`,
        `${String(manifest.format)} ${String(manifest.model)}`,
      );
    }
    const bytes = await readFile(join(folder, 'weights.bin'));
    await useFastestBackend();
    const net = this.build(manifest.inputShape, manifest.numClasses, 0);
    try {
      const names = manifest.weights.map((w) => w.name);
      const expected = [...net.params.trainable.keys(), ...net.params.state.keys()];
      if (names.length !== expected.length || expected.some((name) => !names.includes(name))) {
        throw fail(
          'DATA_FORMAT',
          fn,
          'folder',
          `the ${String(expected.length)} weights of this architecture (${JSON.stringify(this.describeOptions())})`,
          `${String(names.length)} weights saved with ${JSON.stringify(manifest.options)}`,
        );
      }
      let offset = 0;
      for (const w of manifest.weights) {
        const v = (w.trainable ? net.params.trainable : net.params.state).get(w.name);
        if (v === undefined || v.shape.join() !== w.shape.join()) {
          throw fail('DATA_FORMAT', fn, 'folder', `weight ${w.name} of shape [${v?.shape.join(', ') ?? '?'}]`, `[${w.shape.join(', ')}]`);
        }
        const size = v.size * 4;
        if (offset + size > bytes.length)
          throw fail(
            'DATA_FORMAT',
            fn,
            'folder',
            `weights.bin of at least ${String(offset + size)} bytes`,
            `${String(bytes.length)} bytes`,
          );
        const values = new Float32Array(bytes.buffer.slice(bytes.byteOffset + offset, bytes.byteOffset + offset + size));
        tf.tidy(() => v.assign(tf.tensor(values, v.shape)));
        offset += size;
      }
      if (offset !== bytes.length)
        throw fail('DATA_FORMAT', fn, 'folder', `weights.bin of ${String(offset)} bytes`, `${String(bytes.length)} bytes`);
    } catch (error) {
      disposeParams(net.params);
      throw error instanceof BlindspotsError ? error : fail('DATA_FORMAT', fn, 'folder', 'a readable saved model', String(error));
    }
    if (this.fitted !== undefined) disposeParams(this.fitted.net.params);
    this.fitted = { net, inputShape: manifest.inputShape, numClasses: manifest.numClasses };
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
 * import { ImageConvNetModel } from 'blindspots/models';
 * const isImageModel = (m: unknown) => m instanceof ImageConvNetModel;
 * ```
 */
export abstract class ImageConvNetModel extends ConvNetModel<'images'> {
  readonly inputKind = 'images' as const;

  protected prepare(fn: string, x: ImageInput, inputShape?: readonly number[]): Batches {
    return tensorBatches(imagesToTensor(fn, x, inputShape));
  }
}

/** The inputShape check shared by subclasses: the shape seen at fit time. */
export function checkInputShape(fn: string, arg: string, shape: readonly number[], expected: readonly number[] | undefined): void {
  if (expected !== undefined && shape.join() !== expected.join()) {
    throw fail('INVALID_SHAPE', fn, arg, `samples of shape [${expected.join(', ')}] (as at fit)`, `[${shape.join(', ')}]`);
  }
}

/** Turns an image batch into a tensor the model owns, checking its sample shape against the fitted one. */
export function imagesToTensor(fn: string, x: ImageInput, inputShape?: readonly number[]): tf.Tensor4D {
  const { data, shape } = readImages(fn, x, 'x');
  checkInputShape(fn, 'x', shape.slice(1), inputShape);
  return tf.tensor4d(data, [...shape] as [number, number, number, number]);
}
