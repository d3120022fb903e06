/**
 * A study's plan: the config checked (every name and option, before any work), expanded into
 * cells with their keys and costs, and split into shards.
 */
import { checkDataset, isTextDataset, type Dataset, type ImageDataset, type TextDataset } from '../../data/dataset.js';
import { domainOf, domainOfInputKind, domainOps, type Domain } from '../../domain.js';
import {
  encoderEntryOf,
  imageEncoderNames,
  textEncoderNames,
  type EncoderEntry,
  type ResolvedSignalOptions,
} from '../../encoders/encoderRegistry.js';
import { BlindspotsError, fail } from '../../errors.js';
import { readImages } from '../../images.js';
import type { FitProgress, ModelEntry, ModelParams, ParamValue } from '../../models/model.js';
import { modelEntryOf, modelNames, models as registry } from '../../models/modelRegistry.js';
import { checkOptions, isPlainObject } from '../../options.js';
import type { ImageArray } from '../../types.js';
import { checkInteger, describe } from '../../validate.js';
import { CLEAN, ONLY, type CellRecord, type DataIdentity } from '../store/cellRecord.js';
import { cellKey } from './cellKey.js';
import { checkStudyConfigSettings, CONFIG_SETTINGS, MIN_DITHER_LEVELS, type SettingsOf } from './schema.js';
import { assignShards } from './shards.js';
import { splitIdentity } from './splitIdentity.js';

/** A study's data: an image dataset (a plain batch or a tensor) or a text dataset. */
export type StudyData = Dataset;

/** Constructor options of a model, as a study config gives them. */
export type ModelOptions = Readonly<Record<string, unknown>>;

/** Options of a signal, as a study config gives them. */
export type StudySignalOptions = Readonly<Record<string, unknown>>;

/** A study: every (signal or clean) x model x seed cell over one train/test split. */
export interface StudyConfig {
  /** Name of the dataset, recorded in every cell and part of its key. */
  readonly dataset: string;
  /** Images or texts; train and test of the same kind. */
  readonly train: StudyData;
  readonly test: StudyData;
  /**
   * How the data was made from its source (dataset spec, subset, split fraction and seed), recorded
   * in every cell's data identity; `prepareStudy` fills it in.
   */
  readonly preparation?: Readonly<Record<string, ParamValue>>;
  /** Signal names of the data's domain, or `'all'` for every registered signal of it; the clean baseline always runs too. */
  readonly signals: readonly string[] | 'all';
  /**
   * Model registry names: feature models (images are flattened, texts become forward
   * `charCodes`) and the models of the data's kind (`resnet`, `perceptron`, `shallowMaxNN` for
   * images; `charCnn` for texts).
   */
  readonly models: readonly string[];
  /** Constructor options per model, e.g. `{ resnet: { depth: 8, epochs: 30 }, decisionTree: { maxDepth: 5 } }`. */
  readonly modelOptions?: Readonly<Record<string, ModelOptions>>;
  /** Options per signal (scale, position…); `numClasses` and `seed` are set by the study. */
  readonly signalOptions?: Readonly<Record<string, StudySignalOptions>>;
  /**
   * Sweeps of signal or model options: `{ orthogonalNoise: { scale: [1e-3, 1e-2] } }` runs the
   * signal once per value, `{ resnet: { init: ['he', 'torch'] } }` the model once per value (over
   * its `modelOptions`); every combination when several options are swept, each cell with its own
   * key.
   */
  readonly sweep?: Readonly<Record<string, Readonly<Record<string, readonly ParamValue[]>>>>;
  /** Seeds of the signal parameters and the models; default [0]. */
  readonly seeds?: readonly number[];
  /**
   * Also run the paper's control for each signal (`true`) or for the signals named: blank inputs (black images; one-space texts)
   * carrying only the signal, recorded as `<signal>:only`. Default false.
   */
  readonly control?: boolean | readonly string[];
  /**
   * The grid control: add seeded uniform noise of +-half a quantisation step (1/(2 levels)) to every
   * image value, train and test, before encoding, so that a signal can no longer be found as an
   * off-grid value. `true` means `{ levels: 255, seed: 0 }`. Images only. Default false.
   */
  readonly dither?: boolean | { readonly levels?: number; readonly seed?: number };
  /**
   * Learning curves of models that train by epochs: test accuracy and shuffled-signal accuracy
   * after every `every` epochs (and the last). `true` (the default) is every epoch; false is off.
   */
  readonly curves?: boolean | { readonly every?: number };
  /**
   * Keep each test image's prediction in the record, with its own signal and with the shuffled
   * one (and the test labels), packed: what the paired test of a report needs. Default: for
   * ConvNet cells only (`true`: every cell; `false`: none). Not part of the cell's key.
   */
  readonly predictions?: boolean;
  /** Threads per cell for the models that can use them; default 1. */
  readonly threads?: number;
  /**
   * Cells run at once, each in a worker thread holding a shared copy of the data; default 1 (in
   * this thread). Results are the same as a sequential run; the file gets cells as they finish.
   */
  readonly parallel?: number;
  /** Run only shard `index` of `count` (cells balanced by expected cost); for batch schedulers. */
  readonly shard?: { readonly index: number; readonly count: number };
  /** A JSONL file: each finished cell is appended; cells already in it are skipped. */
  readonly results?: string;
  /** Called with each record as its cell finishes (after it is written). */
  readonly onCell?: (record: CellRecord, done: number, total: number) => void;
  /** Called during each fit with the model's progress (samples/s, ETA), for a progress bar. */
  readonly onProgress?: (cell: Cell, progress: FitProgress) => void;
  readonly abortSignal?: AbortSignal;
}

/** What a {@link StudyConfig} holds besides its settings: the data, the hooks, the abort signal. */
const CONFIG_EXTRAS = ['dataset', 'train', 'test', 'preparation', 'onCell', 'onProgress', 'abortSignal'] as const;

/** The top-level names of a {@link StudyConfig}: its settings (spec/schema.ts) and its data and hooks. */
export const STUDY_CONFIG_KEYS: readonly string[] = [...CONFIG_SETTINGS, ...CONFIG_EXTRAS];

// The interface and the declaration name the same settings (a compile error otherwise).
type ConfigNames = SettingsOf<'config'> | (typeof CONFIG_EXTRAS)[number];
const _configKeysMatch: [Exclude<keyof StudyConfig, ConfigNames>, Exclude<ConfigNames, keyof StudyConfig>] extends [never, never]
  ? true
  : never = true;
void _configKeysMatch;

/** One cell of a study: everything needed to run it anywhere (plain JSON). */
export interface Cell {
  readonly key: string;
  /** `clean`, a signal name, or `<signal>:only`. */
  readonly signal: string;
  /** What the encoder is given (the study's options, the swept values, numClasses and, where taken, the seed). */
  readonly inject: { readonly [name: string]: ParamValue };
  /** Every option of the signal, resolved: what the record stores. */
  readonly options: ResolvedSignalOptions;
  readonly sweep?: { readonly [name: string]: ParamValue };
  readonly model: string;
  /** The swept options of the model and their values in this cell, when the study swept them. */
  readonly modelSweep?: { readonly [name: string]: ParamValue };
  /** The constructor options given (what `create` gets). */
  readonly modelOptions: { readonly [name: string]: unknown };
  /** The parameters the model reported for them. */
  readonly params: ModelParams;
  readonly seed: number;
  readonly threads: number;
  /** Learning-curve interval in epochs (0: none). */
  readonly curveEvery: number;
  /** Whether the record keeps the per-image predictions. */
  readonly predictions: boolean;
  /** Expected seconds on one core (only ratios matter): shards are balanced with it. */
  readonly cost: number;
}

/** A checked and expanded study: its cells, the data's identity, and what the runner needs. */
export interface StudyPlan {
  readonly domain: Domain;
  readonly numClasses: number;
  readonly data: DataIdentity;
  /** Every cell, in order (seed, model, then clean and the signals). */
  readonly cells: readonly Cell[];
  readonly threads: number;
  readonly parallel: number;
  readonly train: ImageDataset<ImageArray> | TextDataset;
  readonly test: ImageDataset<ImageArray> | TextDataset;
}

/** The options a study sets itself; a config naming them in signalOptions is refused. */
const SET_BY_STUDY = ['numClasses', 'seed'];

/**
 * Checks a study config completely — top-level keys, signal and model names of the data's
 * domain, every option name and value (each model is built once to check its options), seeds,
 * sweeps, shard — and expands it into cells. Nothing is trained; every mistake is a typed error
 * here, before the first cell runs. The errors name `runStudy`, whose first step this is: the
 * same mistake reads the same whether the plan was asked for or the study was run.
 *
 * @example
 * ```ts
 * import { planStudy } from 'blindspots/study';
 * const images = { data: new Float32Array(8 * 8 * 8), shape: [8, 8, 8, 1] as const }; // 8 blank 8x8 images
 * const train = { images, labels: Int32Array.of(0, 1, 0, 1, 0, 1, 0, 1), classNames: ['a', 'b'] };
 * const plan = planStudy({ dataset: 'toy', train, test: train, signals: 'all', models: ['decisionTree'] });
 * plan.cells.length; //=> 7
 * // clean + the six image signals, for one seed
 * ```
 */
export function planStudy(config: StudyConfig): StudyPlan {
  return planStudyOf(config, 'runStudy');
}

/**
 * {@link planStudy} on behalf of `fn`, the function the user called, which its errors name.
 *
 * @example
 * ```ts
 * import { planStudyOf } from './plan.js'; // internal
 * const images = { data: new Float32Array(8 * 8 * 8), shape: [8, 8, 8, 1] as const };
 * const train = { images, labels: Int32Array.of(0, 1, 0, 1, 0, 1, 0, 1), classNames: ['a', 'b'] };
 * planStudyOf({ dataset: 'toy', train, test: train, signals: 'all', models: ['svm'] }, 'blindspots study');
 * //=> throws UNKNOWN_NAME blindspots study: argument 'name'
 * ```
 */
export function planStudyOf(config: StudyConfig, fn: string): StudyPlan {
  if (config === null || typeof config !== 'object' || Array.isArray(config))
    throw fail('INVALID_ARGUMENT', fn, 'config', 'a study config object', describe(config));
  checkStudyConfigSettings(fn, config as unknown as Record<string, unknown>, CONFIG_EXTRAS);
  const c = config;
  if (typeof c.dataset !== 'string' || c.dataset.length === 0)
    throw fail('INVALID_ARGUMENT', fn, 'config.dataset', "the dataset's name", describe(c.dataset));
  checkDataset(fn, c.train, 'config.train');
  checkDataset(fn, c.test, 'config.test');
  const domain = domainOf(c.train);
  if (domain !== domainOf(c.test))
    throw fail(
      'INVALID_ARGUMENT',
      fn,
      'config.test',
      `the same kind of data as train (${domain === 'text' ? 'texts' : 'images'})`,
      domain === 'text' ? 'images' : 'texts',
    );
  const train = plainDataset(fn, c.train);
  const test = plainDataset(fn, c.test);
  const valid = domain === 'text' ? textEncoderNames : imageEncoderNames;

  const signals = c.signals === 'all' ? valid : c.signals;
  if (!Array.isArray(signals))
    throw fail('INVALID_ARGUMENT', fn, 'config.signals', "an array of signal names or 'all'", describe(c.signals));
  const encoders = signals.map((s: unknown, i) => {
    const entry = encoderEntryOf(s as string, fn);
    if (entry.domain !== domain)
      throw fail(
        'INVALID_ARGUMENT',
        fn,
        `config.signals[${String(i)}]`,
        `${domain === 'image' ? 'an image' : 'a text'} signal (${valid.join(', ')})`,
        `the ${entry.domain} signal '${String(s)}'`,
      );
    return entry;
  });
  if (!Array.isArray(c.models) || c.models.length === 0)
    throw fail('INVALID_ARGUMENT', fn, 'config.models', 'a non-empty array of model names', describe(c.models));
  const usable = modelNames.filter((m) => {
    const d = domainOfInputKind(registry[m].inputKind);
    return d === undefined || d === domain;
  });
  const models = c.models.map((m: unknown, i) => {
    const entry = modelEntryOf(m as string, fn);
    const d = domainOfInputKind(entry.inputKind);
    if (d !== undefined && d !== domain)
      throw fail(
        'INVALID_ARGUMENT',
        fn,
        `config.models[${String(i)}]`,
        `models for ${domain === 'text' ? 'texts' : 'images'}: ${usable.join(', ')}`,
        `${String(m)}, which takes ${entry.inputKind}`,
      );
    return entry;
  });
  checkNamesIn(fn, 'config.modelOptions', c.modelOptions, c.models, 'models of the study');
  checkNamesIn(
    fn,
    'config.signalOptions',
    c.signalOptions,
    encoders.map((e) => e.name),
    'signals of the study',
  );
  checkNamesIn(
    fn,
    'config.sweep',
    c.sweep,
    [...encoders.map((e) => e.name), ...models.map((m) => m.name)],
    'signals and models of the study',
  );

  const seedsGiven: unknown = c.seeds ?? [0];
  if (!Array.isArray(seedsGiven) || seedsGiven.length === 0)
    throw fail('INVALID_ARGUMENT', fn, 'config.seeds', 'a non-empty array of integer seeds', describe(seedsGiven));
  const seeds = seedsGiven.map((s, i) => checkInteger(fn, `config.seeds[${String(i)}]`, s, 0, 2 ** 31 - 1));
  if (new Set(seeds).size !== seeds.length) throw fail('INVALID_ARGUMENT', fn, 'config.seeds', 'distinct seeds', seeds.join(', '));
  const control = resolveControl(
    fn,
    c.control,
    encoders.map((e) => e.name),
  );
  const threads = checkInteger(fn, 'config.threads', c.threads ?? 1, 1, 1024);
  const parallel = checkInteger(fn, 'config.parallel', c.parallel ?? 1, 1, 1024);
  const curveEvery = resolveCurves(fn, c.curves);
  if (c.predictions !== undefined && typeof c.predictions !== 'boolean')
    throw fail('INVALID_ARGUMENT', fn, 'config.predictions', 'true or false (default: ConvNet cells only)', describe(c.predictions));
  const dither = resolveDither(fn, c.dither, domain);
  if (c.results !== undefined && (typeof c.results !== 'string' || c.results.length === 0))
    throw fail('INVALID_ARGUMENT', fn, 'config.results', 'a file path', describe(c.results));
  if (c.preparation !== undefined && !isPlainObject(c.preparation))
    throw fail('INVALID_ARGUMENT', fn, 'config.preparation', 'an object', describe(c.preparation));
  for (const hook of ['onCell', 'onProgress'] as const) {
    if (c[hook] !== undefined && typeof c[hook] !== 'function')
      throw fail('INVALID_ARGUMENT', fn, `config.${hook}`, 'a function', describe(c[hook]));
  }

  let numClasses = train.classNames.length;
  for (const y of [train.labels, test.labels]) for (const v of y) if (v + 1 > numClasses) numClasses = v + 1;
  const shape = isTextDataset(train) ? undefined : train.images.shape;
  const features = isTextDataset(train) ? 1014 : (shape as ImageArray['shape']).slice(1).reduce((a, b) => a * b, 1);
  const data: DataIdentity = {
    name: c.dataset,
    preparation: { ...(c.preparation ?? {}) },
    dither,
    train: splitIdentity(train),
    test: splitIdentity(test),
  };

  // Signal variants: the study's options, each swept combination, checked now.
  const variants = new Map<string, { inject: Record<string, ParamValue>; sweep?: Record<string, ParamValue> }[]>();
  const probe = probeBatch(train);
  for (const e of encoders) {
    const given = checkOptions(
      fn,
      c.signalOptions?.[e.name] as Record<string, unknown> | undefined,
      [...e.options, ...SET_BY_STUDY],
      `config.signalOptions.${e.name}`,
    );
    for (const key of SET_BY_STUDY) {
      if (given[key] !== undefined)
        throw fail(
          'INVALID_ARGUMENT',
          fn,
          `config.signalOptions.${e.name}.${key}`,
          `no '${key}': the study sets it (from the data and config.seeds)`,
          describe(given[key]),
        );
    }
    const combos = sweepCombinations(fn, e, c.sweep?.[e.name]);
    variants.set(
      e.name,
      combos.map((sweep) => {
        const inject = { ...(given as Record<string, ParamValue>), ...(sweep ?? {}), numClasses };
        // Encoding one sample checks every value now, not when the signal's first cell runs.
        const arg = sweep === undefined ? `config.signalOptions.${e.name}` : `config.sweep.${e.name}`;
        try {
          domainOps(domain).encode(e.name, probe.x, probe.y, e.options.includes('seed') ? { ...inject, seed: 0 } : inject);
        } catch (error) {
          if (!(error instanceof BlindspotsError)) throw error;
          throw fail(
            error.code,
            fn,
            `${arg}${error.details.arg?.startsWith('options') === true ? error.details.arg.slice('options'.length) : ''}`,
            error.details.expected,
            error.details.received,
          );
        }
        return { inject, ...(sweep === undefined ? {} : { sweep }) };
      }),
    );
  }

  const cells: Cell[] = [];
  for (const seed of seeds) {
    for (const model of models) {
      for (const modelVariant of modelVariants(fn, model, c.modelOptions?.[model.name], c.sweep?.[model.name])) {
        const { modelOptions, modelSweep } = modelVariant;
        const params = paramsOf(
          fn,
          model,
          seed,
          threads,
          modelOptions,
          modelSweep === undefined ? undefined : { arg: `config.sweep.${model.name}`, values: modelSweep },
        );
        const cost = model.cost({ nTrain: train.labels.length, nTest: test.labels.length, features }, params);
        const cell = (
          signal: string,
          inject: Record<string, ParamValue>,
          options: ResolvedSignalOptions,
          sweep?: Record<string, ParamValue>,
        ): Cell => {
          const key = cellKey({ data, signal, options, model, params, seed });
          return {
            key,
            signal,
            inject,
            options,
            ...(sweep === undefined ? {} : { sweep }),
            model: model.name,
            ...(modelSweep === undefined ? {} : { modelSweep }),
            modelOptions,
            params,
            seed,
            threads: model.threads === 'none' ? 1 : threads,
            curveEvery: model.trainsByEpoch ? curveEvery : 0,
            predictions: c.predictions ?? model.convnet,
            cost,
          };
        };
        cells.push(cell(CLEAN, {}, {}));
        for (const e of encoders) {
          for (const v of variants.get(e.name) ?? []) {
            const inject = e.options.includes('seed') ? { ...v.inject, seed } : v.inject;
            const options = resolveSignal(fn, e, inject, numClasses, shape);
            cells.push(cell(e.name, inject, options, v.sweep));
            if (control.has(e.name)) cells.push(cell(`${e.name}${ONLY}`, inject, options, v.sweep));
          }
        }
      }
    }
  }
  const keys = new Set<string>();
  for (const cell of cells) {
    if (keys.has(cell.key))
      throw fail('INVALID_ARGUMENT', fn, 'config', 'cells that differ (a sweep value given twice?)', `two cells with key ${cell.key}`);
    keys.add(cell.key);
  }
  let planned = cells;
  if (c.shard !== undefined) {
    const shard = checkShard(fn, c.shard);
    const owner = assignShards(cells, shard.count);
    planned = cells.filter((_, i) => owner[i] === shard.index);
  }
  return { domain, numClasses, data, cells: planned, threads, parallel, train, test };
}

/** Keys of `value` (an object of per-name settings) must be among `names`. */
function checkNamesIn(fn: string, arg: string, value: unknown, names: readonly unknown[], what: string): void {
  if (value === undefined) return;
  if (!isPlainObject(value)) throw fail('INVALID_ARGUMENT', fn, arg, 'an object keyed by name', describe(value));
  for (const key of Object.keys(value)) {
    if (!names.includes(key))
      throw fail('INVALID_ARGUMENT', fn, `${arg}.${key}`, `one of the ${what} (${names.join(', ')})`, JSON.stringify(key));
  }
}

/**
 * The model's option sets: its `modelOptions`, once, or once per combination of the swept values
 * over them.
 */
function modelVariants(
  fn: string,
  entry: ModelEntry,
  given: unknown,
  sweep: unknown,
): { modelOptions: Record<string, unknown>; modelSweep?: Record<string, ParamValue> }[] {
  const modelOptions = (given ?? {}) as Record<string, unknown>;
  if (sweep === undefined) return [{ modelOptions }];
  const arg = `config.sweep.${entry.name}`;
  const s = checkOptions(fn, sweep as Record<string, unknown>, entry.options, arg);
  return combinations(fn, arg, s).map((modelSweep) => ({ modelOptions: { ...modelOptions, ...modelSweep }, modelSweep }));
}

/** Every combination of the values of each option (`{ a: [1, 2], b: [3] }` → `{a:1,b:3}`, `{a:2,b:3}`). */
function combinations(fn: string, arg: string, sweep: Record<string, unknown>): Record<string, ParamValue>[] {
  let combos: Record<string, ParamValue>[] = [{}];
  for (const [option, values] of Object.entries(sweep)) {
    if (!Array.isArray(values) || values.length === 0)
      throw fail('INVALID_ARGUMENT', fn, `${arg}.${option}`, 'a non-empty array of values', describe(values));
    combos = combos.flatMap((combo) => (values as ParamValue[]).map((v) => ({ ...combo, [option]: v })));
  }
  return combos;
}

/** The model's resolved parameters for these options (the model is built to check them, then dropped). */
function paramsOf(
  fn: string,
  entry: ModelEntry,
  seed: number,
  threads: number,
  options: Record<string, unknown>,
  sweep?: { readonly arg: string; readonly values: Record<string, ParamValue> },
): ModelParams {
  let model;
  try {
    model = entry.create({ seed, threads, options });
  } catch (error) {
    // Named as the study's option, for the function the user called.
    if (!(error instanceof BlindspotsError)) throw error;
    const arg = error.details.arg ?? '';
    const option = arg.slice('options.'.length).split(/[.[]/)[0] ?? '';
    const swept = sweep !== undefined && arg.startsWith('options.') && Object.hasOwn(sweep.values, option);
    const where = arg.startsWith('options')
      ? `${swept ? sweep.arg : `config.modelOptions.${entry.name}`}${arg.slice('options'.length)}`
      : `config.${arg}`;
    throw new BlindspotsError(error.code, { ...error.details, fn, arg: where }, `${fn}: ${error.message}`);
  }
  try {
    return JSON.parse(JSON.stringify(model.params)) as ModelParams;
  } finally {
    model.dispose();
  }
}

/** Every option of the signal for the record; the encoder itself checks the values when it runs, and `resolve` here. */
function resolveSignal(
  fn: string,
  e: EncoderEntry,
  inject: Record<string, ParamValue>,
  numClasses: number,
  shape: ImageArray['shape'] | undefined,
): ResolvedSignalOptions {
  try {
    return JSON.parse(
      JSON.stringify(e.resolve(inject, shape === undefined ? { numClasses } : { numClasses, shape })),
    ) as ResolvedSignalOptions;
  } catch (error) {
    throw fail('INVALID_ARGUMENT', fn, `config.signalOptions.${e.name}`, `options ${e.name} can use`, (error as Error).message);
  }
}

/** The swept combinations of a signal's options (undefined: no sweep, one variant). */
function sweepCombinations(fn: string, e: EncoderEntry, sweep: unknown): (Record<string, ParamValue> | undefined)[] {
  if (sweep === undefined) return [undefined];
  const arg = `config.sweep.${e.name}`;
  const s = checkOptions(
    fn,
    sweep as Record<string, unknown>,
    e.options.filter((o) => !SET_BY_STUDY.includes(o)),
    arg,
  );
  return combinations(fn, arg, s);
}

/** The signals whose signal-only control runs: all (`true`), none, or the ones named. */
function resolveControl(fn: string, control: unknown, signals: readonly string[]): Set<string> {
  if (control === undefined || control === false) return new Set();
  if (control === true) return new Set(signals);
  if (!Array.isArray(control))
    throw fail('INVALID_ARGUMENT', fn, 'config.control', 'true, false or an array of signal names of the study', describe(control));
  control.forEach((name: unknown, i) => {
    if (typeof name !== 'string' || !signals.includes(name)) {
      throw fail('INVALID_ARGUMENT', fn, `config.control[${String(i)}]`, `a signal of the study (${signals.join(', ')})`, describe(name));
    }
  });
  return new Set(control as string[]);
}

function resolveCurves(fn: string, curves: StudyConfig['curves']): number {
  if (curves === undefined || curves === true) return 1;
  if (curves === false) return 0;
  if (!isPlainObject(curves)) throw fail('INVALID_ARGUMENT', fn, 'config.curves', 'true, false or { every: n }', describe(curves));
  const o = checkOptions(fn, curves, ['every'], 'config.curves');
  return checkInteger(fn, 'config.curves.every', o.every ?? 1, 1, 1e6);
}

function resolveDither(fn: string, dither: StudyConfig['dither'], domain: Domain): DataIdentity['dither'] {
  if (dither === undefined || dither === false) return null;
  if (domain === 'text')
    throw fail('INVALID_ARGUMENT', fn, 'config.dither', 'no dither on texts (it is a control for 8-bit images)', describe(dither));
  if (dither === true) return { levels: 255, seed: 0 };
  if (!isPlainObject(dither)) throw fail('INVALID_ARGUMENT', fn, 'config.dither', 'true, false or { levels, seed }', describe(dither));
  const o = checkOptions(fn, dither, ['levels', 'seed'], 'config.dither');
  return {
    levels: checkInteger(fn, 'config.dither.levels', o.levels ?? 255, MIN_DITHER_LEVELS, 2 ** 24),
    seed: checkInteger(fn, 'config.dither.seed', o.seed ?? 0, 0, 2 ** 31 - 1),
  };
}

function checkShard(fn: string, shard: unknown): { index: number; count: number } {
  if (!isPlainObject(shard)) throw fail('INVALID_ARGUMENT', fn, 'config.shard', '{ index, count }', describe(shard));
  const o = checkOptions(fn, shard as { index?: number; count?: number }, ['index', 'count'], 'config.shard');
  const count = checkInteger(fn, 'config.shard.count', o.count, 1, 1_000_000);
  return { index: checkInteger(fn, 'config.shard.index', o.index, 0, count - 1), count };
}

/** One sample of the training data, to check a signal's options on. */
function probeBatch(ds: ImageDataset<ImageArray> | TextDataset): { x: ImageArray | readonly string[]; y: Int32Array } {
  const y = ds.labels.slice(0, 1);
  if (isTextDataset(ds)) return { x: ds.texts.slice(0, 1), y };
  const [, h, w, ch] = ds.images.shape;
  return { x: { data: ds.images.data.slice(0, h * w * ch), shape: [1, h, w, ch] }, y };
}

/** The data as plain batches (a tensor's values are copied out once). */
function plainDataset(fn: string, ds: Dataset): ImageDataset<ImageArray> | TextDataset {
  if (isTextDataset(ds)) return ds;
  const read = readImages(fn, ds.images, 'images');
  return { ...ds, images: { data: read.data, shape: read.shape } };
}
