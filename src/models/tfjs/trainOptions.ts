import { checkInteger, checkNumber } from '../../validate.js';

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
   * deterministic for a seed and thread count). Ignored on other backends.
   */
  readonly threads?: number;
}

/** The names of {@link TrainOptions}, for the constructors' unknown-option check. */
export const TRAIN_OPTIONS = [
  'epochs',
  'batchSize',
  'learningRate',
  'momentum',
  'weightDecay',
  'lrSteps',
  'lrDecay',
  'seed',
  'threads',
] as const;

/** Resolved training options. */
export type ResolvedTrainOptions = { readonly [K in keyof TrainOptions]-?: NonNullable<TrainOptions[K]> };

/** Resolves and validates training options over the model's `defaults` (and the library's). */
export function resolveTrain(fn: string, o: TrainOptions, defaults: Partial<ResolvedTrainOptions>): ResolvedTrainOptions {
  const steps = o.lrSteps ?? defaults.lrSteps ?? [0.5, 0.75];
  steps.forEach((s, i) => checkNumber(fn, `options.lrSteps[${String(i)}]`, s, { min: 0, max: 1 }));
  return {
    epochs: checkInteger(fn, 'options.epochs', o.epochs ?? defaults.epochs ?? 10, 1, 1e6),
    batchSize: checkInteger(fn, 'options.batchSize', o.batchSize ?? defaults.batchSize ?? 128, 1, 1 << 20),
    learningRate: checkNumber(fn, 'options.learningRate', o.learningRate ?? defaults.learningRate ?? 0.1, { positive: true }),
    momentum: checkNumber(fn, 'options.momentum', o.momentum ?? defaults.momentum ?? 0.9, { min: 0, max: 1 }),
    weightDecay: checkNumber(fn, 'options.weightDecay', o.weightDecay ?? defaults.weightDecay ?? 1e-4, { min: 0 }),
    lrSteps: steps,
    lrDecay: checkNumber(fn, 'options.lrDecay', o.lrDecay ?? defaults.lrDecay ?? 0.1, { positive: true, max: 1 }),
    seed: checkInteger(fn, 'options.seed', o.seed ?? 0, 0, 2 ** 31 - 1),
    threads: checkInteger(fn, 'options.threads', o.threads ?? defaults.threads ?? 1, 1, 64),
  };
}
