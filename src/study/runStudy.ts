import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { flatten } from '../data/transforms.js';
import type { ImageDataset } from '../data/fashionMnist.js';
import type { TextDataset } from '../data/zhangCsv.js';
import { charCodes } from '../encoders/text/quantize.js';
import {
  getImageEncoder,
  getTextEncoder,
  type ImageSignalOptions,
  type SignalOptions,
  type TextSignalOptions,
} from '../encoders/registry.js';
import { fail } from '../errors.js';
import * as tf from '@tensorflow/tfjs';
import type { FitProgress, InputKind } from '../models/model.js';
/** Constructor options of a model, as a study config gives them. */
export type ModelOptions = Readonly<Record<string, unknown>>;
import { getModel, modelNames, models as registry } from '../models/registry.js';
import { permutation } from '../random.js';
import type { FeatureMatrix, ImageArray } from '../types.js';
import { checkInteger } from '../validate.js';
import { spawnWorker } from '../workers.js';
import { VERSION } from '../version.js';

/** The signal name of the clean baseline cells. */
export const CLEAN = 'clean';

/** The suffix of the "signal only" control cells: blank inputs that carry just the signal. */
export const ONLY = ':only';

/** A study's data: an image dataset (plain batches) or a text dataset. */
export type StudyData = ImageDataset<ImageArray> | TextDataset;

/** A study: every (signal or clean) x model x seed cell over one train/test split. */
export interface StudyConfig {
  /** Name of the dataset, recorded in every cell. */
  readonly dataset: string;
  /** Images (plain batches) or texts; train and test of the same kind. */
  readonly train: StudyData;
  readonly test: StudyData;
  /** Signal names of the data's domain; the clean baseline is always run too. */
  readonly signals: readonly string[];
  /**
   * Model registry names: feature models (images are flattened, texts become forward
   * `charCodes`) and the models of the data's kind (`resnet`, `perceptron`, `shallowMaxNN` for
   * images; `charCnn` for texts).
   */
  readonly models: readonly string[];
  /**
   * Constructor options per tfjs model name (epochs, batchSize, learningRate…, depth, width,
   * size…), e.g. `{ resnet: { depth: 8, epochs: 30 } }`. They are part of a cell's identity in the results file.
   */
  readonly modelOptions?: Readonly<Record<string, ModelOptions>>;
  /** Called during each fit with the model's progress (samples/s, ETA), for a progress bar. */
  readonly onProgress?: (cell: Cell, progress: FitProgress) => void;
  /**
   * Also run the paper's control for each signal: blank inputs (black images; one-space texts)
   * carrying only the signal, recorded as `<signal>:only`. Default false.
   */
  readonly control?: boolean;
  /** Seeds of the signal parameters and the models; default [0]. */
  readonly seeds?: readonly number[];
  /** Options per signal (scale, position…); `numClasses` and `seed` are set by the study. */
  readonly signalOptions?: Readonly<Record<string, SignalOptions>>;
  /** A JSONL file: each finished cell is appended; cells already in it are skipped. */
  readonly results?: string;
  /** Called with each record as its cell finishes (after it is written). */
  readonly onCell?: (record: CellRecord, done: number, total: number) => void;
  readonly abortSignal?: AbortSignal;
  /** Threads for models that have them (forests); default 1. Results do not depend on it. */
  readonly jobs?: number;
  /**
   * Cells run at once, each in a worker thread holding a shared copy of the data; default 1 (in
   * this thread). Results are the same as a sequential run; the JSONL gets cells as they finish.
   * Multiply with `jobs` for the threads in use.
   */
  readonly parallel?: number;
}

/** One finished cell, as written to the JSONL file. */
export interface CellRecord {
  readonly key: string;
  readonly dataset: string;
  readonly signal: string;
  readonly options: SignalOptions;
  readonly model: string;
  readonly seed: number;
  /** Test accuracy with the signal in train and test (clean cells: without). */
  readonly accuracy: number;
  /**
   * Reliance: test accuracy when each test image carries the signal of another, randomly chosen
   * label (a seeded shuffle). Far below `accuracy` means the model reads the signal. Null for
   * clean cells.
   */
  readonly shuffledAccuracy: number | null;
  readonly nTrain: number;
  readonly nTest: number;
  readonly fitSeconds: number;
  /** Training options of a tfjs model, as given in `modelOptions` (absent for classical models). */
  readonly modelOptions?: ModelOptions;
  /** Where the model ran: the tfjs backend (`wasm`, `tensorflow`, `cpu`) or `js` for the classical models. */
  readonly backend: string;
  readonly version: string;
}

/** The record's identity: what makes two runs of a cell the same cell. */
function cellKey(dataset: string, cell: Cell): string {
  const base = [dataset, cell.signal, cell.options, cell.model, cell.seed];
  return JSON.stringify(cell.modelOptions === undefined ? base : [...base, cell.modelOptions]);
}

/**
 * Reads a results file: the records of its complete lines. A line cut short by an interrupted
 * write is dropped from the file, so appending goes on from a clean line.
 */
export function readResults(path: string): CellRecord[] {
  if (!existsSync(path)) return [];
  const text = readFileSync(path, 'utf8');
  const complete = text.endsWith('\n') ? text : text.slice(0, text.lastIndexOf('\n') + 1);
  if (complete !== text) writeFileSync(path, complete);
  return complete
    .split('\n')
    .filter((l) => l.trim().length > 0)
    .map((l, i) => {
      try {
        return JSON.parse(l) as CellRecord;
      } catch {
        throw fail('DATA_FORMAT', 'readResults', 'path', `${path} line ${String(i + 1)}: a JSON cell record`, l.slice(0, 40));
      }
    });
}

/**
 * Runs a study cell by cell (seed, then model, then signal — the clean baseline first), appending
 * each finished cell to `results` and skipping cells already there, so an interrupted run loses at
 * most the running cell and a rerun finishes it. Every name is checked before any training.
 * Returns every record (old and new), in cell order.
 *
 * @example
 * ```ts
 * import { runStudy, formatStudyTable } from 'blindspots/study';
 * const records = await runStudy({ dataset: 'fashion-mnist', train, test, signals: ['onePixel'], models: ['decisionTree'], results: 'study.jsonl' });
 * console.log(formatStudyTable(records));
 * ```
 */
export async function runStudy(config: StudyConfig): Promise<CellRecord[]> {
  const fn = 'runStudy';
  // Validate everything first: a bad name fails before any training.
  const text = isTextData(config.train);
  if (text !== isTextData(config.test))
    throw fail('INVALID_ARGUMENT', fn, 'test', `the same kind of data as train (${text ? 'texts' : 'images'})`, text ? 'images' : 'texts');
  const encoders = config.signals.map((s) => (text ? getTextEncoder(s, fn) : getImageEncoder(s, fn)));
  const kind: InputKind = text ? 'texts' : 'images';
  const valid = modelNames.filter((m) => registry[m].inputKind === 'features' || registry[m].inputKind === kind);
  const models = config.models.map((m) => {
    const entry = getModel(m, fn);
    if (entry.inputKind !== 'features' && entry.inputKind !== kind)
      throw fail('INVALID_ARGUMENT', fn, 'models', `models for ${kind}: ${valid.join(', ')}`, `${m}, which takes ${entry.inputKind}`);
    return entry;
  });
  for (const [name, options] of Object.entries(config.modelOptions ?? {})) {
    if (!config.models.includes(name))
      throw fail('INVALID_ARGUMENT', fn, 'modelOptions', `options for models of the study (${config.models.join(', ')})`, name);
    // Building the model checks its options (names and ranges) before any cell trains.
    getModel(name, fn).create({ options }).dispose();
  }
  const seeds = config.seeds ?? [0];
  seeds.forEach((s, i) => checkInteger(fn, `seeds[${String(i)}]`, s, 0, 2 ** 31 - 1));
  let numClasses = config.train.classNames.length;
  for (const y of [config.train.labels, config.test.labels]) for (const v of y) if (v + 1 > numClasses) numClasses = v + 1;
  const done = new Map<string, CellRecord>();
  if (config.results !== undefined) for (const r of readResults(config.results)) done.set(r.key, r);

  const cells: Cell[] = [];
  for (const seed of seeds) {
    for (const model of models) {
      const train = config.modelOptions?.[model.name];
      const m = train === undefined ? { model: model.name, seed } : { model: model.name, seed, modelOptions: train };
      cells.push({ signal: CLEAN, options: {}, ...m });
      for (const e of encoders) {
        const options = { ...(config.signalOptions?.[e.name] ?? {}), numClasses, ...(text ? {} : { seed }) };
        cells.push({ signal: e.name, options, ...m });
        if (config.control === true) cells.push({ signal: `${e.name}${ONLY}`, options, ...m });
      }
    }
  }
  const pending: { index: number; cell: Cell; key: string }[] = [];
  const out: CellRecord[] = new Array<CellRecord>(cells.length);
  let finished = 0;
  cells.forEach((cell, index) => {
    const key = cellKey(config.dataset, cell);
    const previous = done.get(key);
    if (previous === undefined) pending.push({ index, cell, key });
    else {
      out[index] = previous;
      finished++;
    }
  });
  const record = (index: number, r: CellRecord): void => {
    if (config.results !== undefined) appendFileSync(config.results, `${JSON.stringify(r)}\n`);
    out[index] = r;
    config.onCell?.(r, ++finished, cells.length);
  };
  const parallel = checkInteger(fn, 'parallel', config.parallel ?? 1, 1, 1024);
  if (parallel > 1 && pending.length > 1) {
    await runParallel(config, pending, parallel, record);
    return out;
  }
  for (const { index, cell, key } of pending) {
    if (config.abortSignal?.aborted === true) throw new DOMException('the study was aborted', 'AbortError');
    const onProgress = config.onProgress;
    record(index, await runCell(config, cell, key, onProgress === undefined ? undefined : (p) => onProgress(cell, p)));
  }
  return out;
}

/** The data a cell worker needs: the config's serialisable part, images in shared memory. */
export type CellData = Pick<StudyConfig, 'dataset' | 'train' | 'test' | 'jobs'>;

function shareImages(d: StudyData): StudyData {
  if (isTextData(d)) return d;
  const data = new Float32Array(new SharedArrayBuffer(d.images.data.byteLength));
  data.set(d.images.data);
  return { ...d, images: { data, shape: d.images.shape } };
}

/** Runs cells on `parallel` worker threads, each cell a self-contained job (cell in, record out). */
async function runParallel(
  config: StudyConfig,
  pending: { index: number; cell: Cell; key: string }[],
  parallel: number,
  record: (index: number, r: CellRecord) => void,
): Promise<void> {
  const data: CellData = {
    dataset: config.dataset,
    train: shareImages(config.train),
    test: shareImages(config.test),
    ...(config.jobs === undefined ? {} : { jobs: config.jobs }),
  };
  const queue = [...pending];
  const workers = Array.from({ length: Math.min(parallel, pending.length) }, () => spawnWorker(import.meta.url, 'cellWorker'));
  try {
    await Promise.all(
      workers.map(
        (worker) =>
          new Promise<void>((resolve, reject) => {
            const next = (): void => {
              if (config.abortSignal?.aborted === true) {
                reject(new DOMException('the study was aborted', 'AbortError'));
                return;
              }
              const job = queue.shift();
              if (job === undefined) {
                resolve();
                return;
              }
              const onMessage = (msg: { record?: CellRecord; error?: string; progress?: FitProgress }): void => {
                if (msg.progress !== undefined) {
                  config.onProgress?.(job.cell, msg.progress);
                  return;
                }
                worker.off('message', onMessage);
                if (msg.record === undefined) {
                  reject(new Error(`study cell ${job.key} failed: ${String(msg.error)}`));
                  return;
                }
                record(job.index, msg.record);
                next();
              };
              worker.on('message', onMessage);
              worker.postMessage({ cell: job.cell, key: job.key, progress: config.onProgress !== undefined });
            };
            worker.once('error', reject);
            worker.postMessage({ data });
            next();
          }),
      ),
    );
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

/** One cell of a study. */
export type Cell = { signal: string; options: SignalOptions; model: string; seed: number; modelOptions?: ModelOptions };

function isTextData(d: StudyData): d is TextDataset {
  return Array.isArray((d as TextDataset).texts);
}

/** The study's view of one split: raw inputs, blank inputs, encoding and features by domain. */
function view(d: StudyData): {
  raw: ImageArray | string[];
  blank: () => ImageArray | string[];
  encode: (signal: string, x: ImageArray | string[], y: Int32Array, options: SignalOptions) => ImageArray | string[];
  features: (x: ImageArray | string[]) => FeatureMatrix;
} {
  if (isTextData(d)) {
    return {
      raw: d.texts,
      blank: () => d.texts.map(() => ' '),
      encode: (signal, x, y, options) => getTextEncoder(signal).inject(x as string[], y, options as TextSignalOptions),
      // Forward order: a column is the same character index in every text, as classical models at
      // the character level need (backward order would move the first character with the length).
      features: (x) => charCodes(x as string[], { order: 'forward' }),
    };
  }
  return {
    raw: d.images,
    blank: () => ({ data: new Float32Array(d.images.data.length), shape: d.images.shape }),
    encode: (signal, x, y, options) => getImageEncoder(signal).inject(x as ImageArray, y, options as ImageSignalOptions),
    features: (x) => flatten(x as ImageArray),
  };
}

/** Runs one cell: a self-contained job (the cell and the data in, the record out). */
export async function runCell(
  config: CellData & Pick<StudyConfig, 'abortSignal'>,
  cell: Cell,
  key: string,
  onProgress?: (p: FitProgress) => void,
): Promise<CellRecord> {
  const train = view(config.train);
  const test = view(config.test);
  const yTrain = config.train.labels;
  const yTest = config.test.labels;
  const entry = getModel(cell.model);
  const model = entry.create({
    seed: cell.seed,
    threads: config.jobs ?? 1,
    ...(cell.modelOptions === undefined ? {} : { options: cell.modelOptions }),
  });
  // Feature models get flattened pixels or character codes; the others their own kind as is.
  const input = entry.inputKind === 'features' ? (x: ImageArray | string[]) => train.features(x) : (x: ImageArray | string[]) => x;
  try {
    let xTrain = train.raw;
    let xTest = test.raw;
    let xShuffled: ImageArray | string[] | undefined;
    if (cell.signal !== CLEAN) {
      const only = cell.signal.endsWith(ONLY);
      const signal = only ? cell.signal.slice(0, -ONLY.length) : cell.signal;
      const trainInput = only ? train.blank() : train.raw;
      const testInput = only ? test.blank() : test.raw;
      xTrain = train.encode(signal, trainInput, yTrain, cell.options);
      xTest = test.encode(signal, testInput, yTest, cell.options);
      // The signal of a shuffled label: same inputs, same code, wrong class.
      const perm = permutation(yTest.length, `${String(cell.seed)}/shuffle`);
      xShuffled = test.encode(
        signal,
        testInput,
        Int32Array.from(perm, (i) => yTest[i] as number),
        cell.options,
      );
    }
    const t0 = performance.now();
    await model.fit(input(xTrain) as never, yTrain, {
      ...(config.abortSignal === undefined ? {} : { signal: config.abortSignal }),
      ...(onProgress === undefined ? {} : { onProgress }),
    });
    const fitSeconds = (performance.now() - t0) / 1000;
    const accuracyOf = async (x: ImageArray | string[]): Promise<number> => {
      const p = await model.predict(input(x) as never);
      let ok = 0;
      for (let i = 0; i < p.length; i++) if (p[i] === yTest[i]) ok++;
      return ok / p.length;
    };
    return {
      key,
      dataset: config.dataset,
      signal: cell.signal,
      options: cell.options,
      model: cell.model,
      seed: cell.seed,
      accuracy: await accuracyOf(xTest),
      shuffledAccuracy: xShuffled === undefined ? null : await accuracyOf(xShuffled),
      nTrain: yTrain.length,
      nTest: yTest.length,
      fitSeconds,
      ...(cell.modelOptions === undefined ? {} : { modelOptions: cell.modelOptions }),
      backend: entry.inputKind === 'features' ? 'js' : tf.getBackend(),
      version: VERSION,
    };
  } finally {
    model.dispose();
  }
}
