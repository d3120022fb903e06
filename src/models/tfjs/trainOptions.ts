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
   * deterministic for a seed and thread count). Ignored on other backends.
   */
  readonly threads?: number;
}

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
);

/** The options only the step schedule uses: one-cycle sets them itself, so they are refused with it. */
export const STEP_SCHEDULE_OPTIONS = ['momentum', 'lrSteps', 'lrDecay'] as const;

/** Resolved training options. */
export type ResolvedTrainOptions = { readonly [K in keyof TrainOptions]-?: NonNullable<TrainOptions[K]> };

/** Resolves and validates training options over the model's `defaults` (and the library's). */
export function resolveTrain(fn: string, o: TrainOptions, defaults: Partial<ResolvedTrainOptions>): ResolvedTrainOptions {
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
