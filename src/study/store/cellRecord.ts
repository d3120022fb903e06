/**
 * What a results file holds: one record per finished cell — what ran, on which data, and what it
 * measured — in the format readers check (`RECORD_SCHEMA`).
 */
import type { ModelParams, ParamValue } from '../../models/model.js';
import type { PackedPredictions } from './predictions.js';

/** The record format written by this version; readers refuse others with a DATA_FORMAT error. */
export const RECORD_SCHEMA = 2;

/** The signal name of the clean baseline cells. */
export const CLEAN = 'clean';

/** The suffix of the "signal only" control cells: blank inputs that carry just the signal. */
export const ONLY = ':only';

/** A split's content: sample count and a SHA-256 of its inputs and labels. */
export interface SplitIdentity {
  readonly n: number;
  readonly sha256: string;
}

/**
 * What data a cell ran on: its name, how the study made it (source, subset, split and their
 * seeds, dither) and a content hash of each split, so two machines with different files cannot
 * merge their records silently.
 */
export interface DataIdentity {
  readonly name: string;
  /** How the data was made from its source (dataset spec, subset size, split fraction and seed), when the study made it. */
  readonly preparation: { readonly [key: string]: ParamValue };
  /** The grid control: uniform noise of +-half a quantisation step added to every value, or null. */
  readonly dither: { readonly levels: number; readonly seed: number } | null;
  readonly train: SplitIdentity;
  readonly test: SplitIdentity;
}

/** One point of a learning curve: test accuracy, and with a shuffled label's signal, after an epoch. */
export interface CurvePoint {
  readonly epoch: number;
  readonly accuracy: number;
  /** Null for clean cells (no signal to shuffle). */
  readonly shuffledAccuracy: number | null;
  /** The L2 norm of the first kernel after the epoch (the layer that reads the input; tfjs ConvNets). */
  readonly firstKernelNorm?: number;
  /** The mean of the kernels' L2 norms. */
  readonly meanKernelNorm?: number;
  /** The learning rate of the epoch's last step. */
  readonly learningRate?: number;
  /**
   * The effective learning rate of the first kernel: learningRate / (firstKernelNorm² / its
   * output channels), the rate divided by one filter's mean squared norm (batch norm removes
   * each filter's scale, so a step turns it by about this much).
   */
  readonly effectiveLr?: number;
  /** The mean over kernels of their effective learning rates. */
  readonly meanEffectiveLr?: number;
}

/** One finished cell, as written to the results file: exactly what ran, and what it measured. */
export interface CellRecord {
  readonly schema: typeof RECORD_SCHEMA;
  /** SHA-256 (hex, 32 characters) of the canonical description: equal keys, same cell. */
  readonly key: string;
  /** The data's name (`data.name`), for tables. */
  readonly dataset: string;
  readonly data: DataIdentity;
  /** `clean`, a signal name, or `<signal>:only` for the control on blank inputs. */
  readonly signal: string;
  /** Every option the signal's encoder took, given or defaulted (`numClasses` and `seed` included); empty for clean cells. */
  readonly options: { readonly [name: string]: ParamValue };
  /** The swept options of this cell and their values, when the study swept the signal's options. */
  readonly sweep?: { readonly [name: string]: ParamValue };
  readonly model: string;
  /** The swept model options of this cell and their values, when the study swept the model's options. */
  readonly modelSweep?: { readonly [name: string]: ParamValue };
  /** The parameters the model reported it used (`model.params`). */
  readonly params: ModelParams;
  /** The cell's seed: the signal's parameters and the model's randomness. */
  readonly seed: number;
  /** Threads the model trained on. */
  readonly threads: number;
  /** Test accuracy with the signal in train and test (clean cells: without). */
  readonly accuracy: number;
  /**
   * Reliance: test accuracy when each test input carries the signal of another, randomly chosen
   * label (a seeded shuffle). Far below `accuracy` means the model reads the signal. Null for
   * clean cells.
   */
  readonly shuffledAccuracy: number | null;
  /** Per-epoch accuracies of models that train by epochs, when the study records curves. */
  readonly curve?: readonly CurvePoint[];
  /**
   * The test labels and each test image's prediction with its own signal and with the shuffled
   * one, packed (`unpackPredictions`), when the study keeps them (ConvNet cells by default).
   */
  readonly predictions?: PackedPredictions;
  readonly nTrain: number;
  readonly nTest: number;
  /**
   * Seconds spent training (`fit`), without the learning-curve evaluations between epochs and the
   * final predictions: a ResNet-20 cell of the `table1-resnet20` preset spent ~40% of its wall
   * time on those when they ran on one thread (0.2.0-dev; they now share the training threads).
   */
  readonly fitSeconds: number;
  /**
   * Where the model ran: the tfjs backend and, on wasm, which build of the library's kernels
   * (`wasm`, `wasm+native-avx512`, `wasm+native-avx2`, `wasm+native-baseline`), another backend's
   * name (`tensorflow`, `cpu`), or `js` for the classical models.
   */
  readonly backend: string;
  readonly version: string;
  /** When the cell finished (ISO 8601) and on which host. */
  readonly finishedAt: string;
  readonly host: string;
}
