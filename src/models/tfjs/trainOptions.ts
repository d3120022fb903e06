import { fail } from '../../errors.js';
import { checkChoice, optionNames } from '../../options.js';
import { checkInteger, checkNumber, describe } from '../../validate.js';

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
  /**
   * The learning-rate schedule, stepped once per batch (default 'step'). 'step': `learningRate`
   * multiplied by `lrDecay` at each of `lrSteps`, momentum constant. 'onecycle': PyTorch's
   * `OneCycleLR` with its defaults, `learningRate` as `max_lr` — cosine from `learningRate / 25`
   * up to `learningRate` over the first 30% of the steps, then down to `learningRate / 25e4`, while
   * the momentum cycles 0.95 -> 0.85 -> 0.95 (`momentum` and `lrSteps`/`lrDecay` are then unused).
   */
  readonly schedule?: 'step' | 'onecycle';
  /** Seed of the initialisation, batch order and dropout (default 0). */
  readonly seed?: number;
  /**
   * Threads to train on (default 1). Above 1, on the wasm backend, each step's batch is split
   * across data-parallel replicas in worker threads (tfjs-wasm uses one core per instance) and
   * their gradients summed. Batch-norm statistics are then per share of the batch, as PyTorch's
   * DataParallel without SyncBatchNorm, so the model differs from the one-thread model (it is
   * deterministic for a seed and thread count). Above 1 on another backend, or where there are
   * no worker threads (a browser), `fit` throws INVALID_ARGUMENT naming this option. `predict`
   * runs on the threads too where the native kernels run (split inside them, under either
   * `threading`): inference computes each sample on its own, so its bits do not depend on the
   * thread count.
   */
  readonly threads?: number;
  /**
   * How `threads` above 1 are used (default 'data-parallel'):
   * - 'data-parallel': replicas in worker threads, each on its share of the batch, batch norm per
   *   share (see `threads`).
   * - 'intra-op': one replica; each convolution, batch norm and gradient sum is split over the
   *   threads inside the native kernels, so batch norm stays over the whole batch — the
   *   one-thread model, up to float rounding (the filter gradients add the threads' partial sums,
   *   so the bits depend on the thread count; same seed and threads, same bits). `predict` and the
   *   learning curves run on the threads too. Needs the native kernels (Node on linux-x64, see
   *   docs/performance.md); elsewhere `fit` throws INVALID_ARGUMENT naming this option.
   */
  readonly threading?: Threading;
  /**
   * How the weights that read the input are drawn: the convolutions' kernels (and their biases),
   * or the perceptron's one linear layer. A ConvNet's verdict on a weak signal can depend on it
   * (docs/results.md). With `fanIn` the kernel's inputs (kernel height x width x input channels):
   * - 'he': normal, std sqrt(2 / fanIn) (He et al. 2015, as the ResNet paper); biases 0. The
   *   default of ResNet and ShallowMaxNN.
   * - 'he-uniform': uniform in +-sqrt(6 / fanIn), the same std; biases 0.
   * - 'torch': PyTorch 1.13's default for Conv1d/Conv2d/Linear, uniform in +-1/sqrt(fanIn)
   *   (`kaiming_uniform_(a=sqrt(5))`), biases uniform in +-1/sqrt(fanIn). The perceptron's default.
   * - 'torch-normal': normal with PyTorch's std 1/sqrt(3 fanIn); biases as 'torch'.
   * - 'zhang' (CharCNN only, its default): every weight and bias normal, std 0.05 (small) or 0.02
   *   (large), as Zhang et al.
   * Fully connected layers after the convolutions are PyTorch's default under every choice but
   * 'zhang'; batch norm starts at gamma 1, beta 0.
   */
  readonly init?: InitScheme;
  /** A factor on the weights `init` draws (not their biases, not the other layers); default 1. */
  readonly initScale?: number;
}

/** The ways of {@link TrainOptions.threading}. */
export type Threading = 'data-parallel' | 'intra-op';

/** Every {@link Threading}, the default first. */
export const THREADINGS = ['data-parallel', 'intra-op'] as const satisfies readonly Threading[];

/** The initialisations of {@link TrainOptions.init}. */
export type InitScheme = 'he' | 'he-uniform' | 'torch' | 'torch-normal' | 'zhang';

/** Every {@link InitScheme}, in the order the docs give them. */
export const INIT_SCHEMES = ['he', 'he-uniform', 'torch', 'torch-normal', 'zhang'] as const satisfies readonly InitScheme[];

/** The names of {@link TrainOptions}, for the constructors' unknown-option check. */
export const TRAIN_OPTIONS = optionNames<TrainOptions>()(
  'epochs',
  'batchSize',
  'learningRate',
  'momentum',
  'weightDecay',
  'lrSteps',
  'lrDecay',
  'schedule',
  'seed',
  'threads',
  'threading',
  'init',
  'initScale',
);

/** The options only the step schedule uses: one-cycle sets them itself, so they are refused with it. */
export const STEP_SCHEDULE_OPTIONS = ['momentum', 'lrSteps', 'lrDecay'] as const;

/** Resolved training options. */
export type ResolvedTrainOptions = { readonly [K in keyof TrainOptions]-?: NonNullable<TrainOptions[K]> };

/** Resolves and validates training options over the model's `defaults` (and the library's). */
export function resolveTrain(
  fn: string,
  o: TrainOptions,
  defaults: Partial<ResolvedTrainOptions>,
  inits: readonly InitScheme[] = ['he', 'he-uniform', 'torch', 'torch-normal'],
): ResolvedTrainOptions {
  const steps: unknown = o.lrSteps ?? defaults.lrSteps ?? [0.5, 0.75];
  if (!Array.isArray(steps)) throw fail('INVALID_ARGUMENT', fn, 'options.lrSteps', 'an array of fractions in [0, 1]', describe(steps));
  steps.forEach((s, i) => checkNumber(fn, `options.lrSteps[${String(i)}]`, s, { min: 0, max: 1 }));
  const schedule = checkChoice(fn, 'options.schedule', o.schedule ?? defaults.schedule, ['step', 'onecycle'] as const, 'step');
  if (schedule === 'onecycle') {
    // The cycle sets the momentum and the rate at every step: these would be recorded but unused.
    for (const key of STEP_SCHEDULE_OPTIONS) {
      if (o[key] !== undefined)
        throw fail('INVALID_ARGUMENT', fn, `options.${key}`, `no ${key} with schedule 'onecycle' (the cycle sets it)`, describe(o[key]));
    }
  }
  return {
    epochs: checkInteger(fn, 'options.epochs', o.epochs ?? defaults.epochs ?? 10, 1, 1e6),
    batchSize: checkInteger(fn, 'options.batchSize', o.batchSize ?? defaults.batchSize ?? 128, 1, 1 << 20),
    learningRate: checkNumber(fn, 'options.learningRate', o.learningRate ?? defaults.learningRate ?? 0.1, { positive: true }),
    momentum: checkNumber(fn, 'options.momentum', o.momentum ?? defaults.momentum ?? 0.9, { min: 0, max: 1 }),
    weightDecay: checkNumber(fn, 'options.weightDecay', o.weightDecay ?? defaults.weightDecay ?? 1e-4, { min: 0 }),
    lrSteps: steps as number[],
    lrDecay: checkNumber(fn, 'options.lrDecay', o.lrDecay ?? defaults.lrDecay ?? 0.1, { positive: true, max: 1 }),
    schedule,
    seed: checkInteger(fn, 'options.seed', o.seed ?? 0, 0, 2 ** 31 - 1),
    threads: checkInteger(fn, 'options.threads', o.threads ?? defaults.threads ?? 1, 1, 64),
    threading: checkChoice(fn, 'options.threading', o.threading, THREADINGS, 'data-parallel'),
    init: checkChoice(fn, 'options.init', o.init, inits, defaults.init ?? 'he'),
    initScale: checkNumber(fn, 'options.initScale', o.initScale ?? 1, { positive: true }),
  };
}

/** PyTorch OneCycleLR's defaults (pct_start, div_factor, final_div_factor, base and max momentum). */
export const ONE_CYCLE = { pctStart: 0.3, divFactor: 25, finalDivFactor: 1e4, baseMomentum: 0.85, maxMomentum: 0.95 } as const;

/**
 * The learning rate and momentum of step `step` (0-based, one per batch) of `totalSteps`, under
 * `train.schedule`. 'onecycle' follows PyTorch 1.13's OneCycleLR (anneal_strategy 'cos',
 * three_phase False) step for step, including its phase boundary at `pct_start * total - 1`.
 */
export function scheduleAt(
  train: Pick<ResolvedTrainOptions, 'schedule' | 'learningRate' | 'momentum' | 'lrSteps' | 'lrDecay'>,
  step: number,
  totalSteps: number,
): { readonly learningRate: number; readonly momentum: number } {
  if (train.schedule === 'step') {
    const passed = train.lrSteps.filter((s) => step >= s * totalSteps).length;
    return { learningRate: train.learningRate * train.lrDecay ** passed, momentum: train.momentum };
  }
  const { pctStart, divFactor, finalDivFactor, baseMomentum, maxMomentum } = ONE_CYCLE;
  const maxLr = train.learningRate;
  const initialLr = maxLr / divFactor;
  const minLr = initialLr / finalDivFactor;
  const cos = (start: number, end: number, pct: number): number => end + ((start - end) / 2) * (Math.cos(Math.PI * pct) + 1);
  const warmEnd = pctStart * totalSteps - 1;
  if (step <= warmEnd) {
    const pct = step / warmEnd;
    return { learningRate: cos(initialLr, maxLr, pct), momentum: cos(maxMomentum, baseMomentum, pct) };
  }
  const pct = (step - warmEnd) / (totalSteps - 1 - warmEnd);
  return { learningRate: cos(maxLr, minLr, pct), momentum: cos(baseMomentum, maxMomentum, pct) };
}
