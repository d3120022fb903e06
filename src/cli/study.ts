import { readFileSync, writeFileSync } from 'node:fs';
import { loadCifar10 } from '../data/cifar10.js';
import { loadFashionMnist } from '../data/fashionMnist.js';
import { splitDataset, subsample } from '../data/transforms.js';
import { loadSpamAssassin } from '../data/spamAssassin.js';
import { loadZhangCsv } from '../data/zhangCsv.js';
import { stratifiedSplit } from '../data/split.js';
import { fail } from '../errors.js';
import { formatPaperTable, formatStudyCsv, formatStudyTable, studyHeatmapSvg } from '../study/report.js';
import { readResults, runStudy, type StudyData } from '../study/runStudy.js';
import type { ImageSignalOptions } from '../encoders/registry.js';
import type { FitProgress } from '../models/model.js';
type ModelOptions = Readonly<Record<string, unknown>>;
import { parseArgs } from './args.js';

/** Ready-made studies (`blindspots study --preset NAME`). */
export const PRESETS: Readonly<Record<string, StudyFile & { about: string }>> = {
  quick: {
    about:
      'Fashion-MNIST, 100 images per class (800 train / 200 test), every image signal x a small ResNet and four classical models; a few minutes',
    dataset: 'fashion-mnist',
    perClass: 100,
    signals: ['onePixel', 'patternPixels', 'randomPixel', 'multipleLocations', 'orthogonalNoise', 'meanShift'],
    models: ['resnet', 'decisionTree', 'randomForest', 'gaussianNB', 'logisticRegression'],
    modelOptions: { resnet: { depth: 8, width: 16, epochs: 15, batchSize: 64 } },
    results: 'blindspots-quick.jsonl',
  },
  table1: {
    about:
      "the paper's Table 1 on Fashion-MNIST at 1/4 scale: 17,500 images (14,000 train / 3,500 test), every image signal x a ResNet (depth 8, 5 epochs), the perceptron and shallow max network and seven classical models; about an hour on 2 cores",
    dataset: 'fashion-mnist',
    size: 0.25,
    signals: ['onePixel', 'patternPixels', 'randomPixel', 'multipleLocations', 'orthogonalNoise', 'meanShift'],
    models: [
      'resnet',
      'decisionTree',
      'randomForest',
      'extraTrees',
      'gaussianNB',
      'logisticRegression',
      'lda',
      'qda',
      'perceptron',
      'shallowMaxNN',
    ],
    modelOptions: { resnet: { depth: 8, width: 16, epochs: 5, batchSize: 128 }, perceptron: { epochs: 5 }, shallowMaxNN: { epochs: 5 } },
    // No control cells here: forests on blank images holding one random pixel grow trees thousands
    // of nodes deep (each split isolates a few images) — one such cell took 270 s.
    results: 'blindspots-table1.jsonl',
  },
  table2: {
    about:
      "the paper's Table 2 (classical side) on the SpamAssassin corpus: 6,046 mails (80/20 split), the three text signals and their control x four classical models on character codes",
    dataset: 'spam-assassin',
    signals: ['mnemonic', 'lengthEncoding', 'patternChar'],
    models: ['decisionTree', 'randomForest', 'gaussianNB', 'logisticRegression'],
    control: true,
    // No char-CNN here: one epoch of the small char-CNN on these 4,837 mails takes ~97 s on this
    // machine (2 threads), so its 7 cells at ~10 epochs would take about two hours. Add "charCnn"
    // to a config to run it.
    results: 'blindspots-table2.jsonl',
  },
};

export const STUDY_HELP = `blindspots study — run a study, appending cells to its results file

Usage:
  blindspots study <config.json> [--jobs N] [--parallel N]
  blindspots study --preset quick|table1|table2 [--data <cifar-10 folder | Zhang CSV>] [--results file] [--jobs N] [--parallel N]

  --jobs N      threads per forest;  --parallel N  cells at once, each in a worker thread

Presets:
${Object.entries(PRESETS)
  .map(([k, v]) => `  ${k.padEnd(7)} ${v.about}`)
  .join('\n')}
  --data points quick/table1 at CIFAR-10's binary files instead of Fashion-MNIST, and table2 at a
  Yelp/Amazon Review Full CSV (Zhang et al.'s format: "label","title","text", labels 1..5)
  instead of SpamAssassin.

config.json:
  {
    "dataset": "fashion-mnist" | "spam-assassin" | { "cifar10": "<folder of the binary files>" }
               | { "zhangCsv": "<file.csv>", "numClasses": 5 },
    "perClass": 200,            optional: images per class taken (Fashion-MNIST), or
    "size": 0.25,               optional: a stratified fraction or count of the data
    "testFraction": 0.2,        stratified, seeded split (default 0.2)
    "signals": ["onePixel", "orthogonalNoise"],
    "models": ["resnet", "decisionTree", "randomForest"],   resnet/perceptron/shallowMaxNN on images, charCnn on texts
    "modelOptions": { "resnet": { "depth": 8, "epochs": 5 } },   tfjs models' constructor options
    "seeds": [0],
    "control": false,           also run each signal on blank inputs (the paper's control)
    "signalOptions": { "onePixel": { "position": [0, 0] } },
    "results": "study.jsonl"    cells are appended; a rerun skips finished ones
  }
Prints the study table when done. See also: blindspots report.`;

export const REPORT_HELP = `blindspots report — tables from a study's results file

Usage:
  blindspots report <results.jsonl> [--format md|paper|csv|json|svg] [--out file]

  md (default): signal x model accuracy (shuffled-signal accuracy in brackets)
  paper: the paper's shape — signal, ConvNet, best competing model, which
  csv, json: one row per cell; svg: heatmap of the accuracy gain over clean`;

interface StudyFile {
  dataset?: unknown;
  perClass?: number;
  size?: number;
  testFraction?: number;
  signals?: string[];
  models?: string[];
  seeds?: number[];
  signalOptions?: Record<string, ImageSignalOptions>;
  modelOptions?: Record<string, ModelOptions>;
  results?: string;
  control?: boolean;
}

/** `blindspots study <config.json>`: returns the exit code. */
export async function studyCommand(argv: readonly string[]): Promise<number> {
  const cmd = 'blindspots study';
  const args = parseArgs('study', argv, ['help', 'preset', 'data', 'results', 'jobs', 'parallel']);
  const preset = args.flags.get('preset');
  if (args.flags.has('help') || (args.positional.length === 0 && preset === undefined)) {
    console.log(STUDY_HELP);
    return args.flags.has('help') ? 0 : 2;
  }
  let config: StudyFile;
  if (preset !== undefined) {
    const p = PRESETS[preset];
    if (p === undefined || !Object.hasOwn(PRESETS, preset))
      throw fail('UNKNOWN_NAME', cmd, '--preset', `one of ${Object.keys(PRESETS).join(', ')}`, JSON.stringify(preset));
    config = { ...p };
    const data = args.flags.get('data');
    // Text presets read a Zhang et al. CSV (Yelp/Amazon Review Full); image presets CIFAR-10.
    if (data !== undefined) config = { ...config, dataset: config.dataset === 'spam-assassin' ? { zhangCsv: data } : { cifar10: data } };
  } else {
    const path = args.positional[0] as string;
    try {
      config = JSON.parse(readFileSync(path, 'utf8')) as StudyFile;
    } catch (e) {
      throw fail('INVALID_ARGUMENT', cmd, 'config', 'a readable JSON file', `${path}: ${(e as Error).message}`);
    }
  }
  const results = args.flags.get('results');
  if (results !== undefined) config = { ...config, results };
  const jobs = args.flags.get('jobs') === undefined ? 1 : Number(args.flags.get('jobs'));
  if (!Number.isInteger(jobs) || jobs < 1) throw fail('INVALID_ARGUMENT', cmd, '--jobs', 'an integer >= 1', String(args.flags.get('jobs')));
  const parallel = args.flags.get('parallel') === undefined ? 1 : Number(args.flags.get('parallel'));
  if (!Number.isInteger(parallel) || parallel < 1)
    throw fail('INVALID_ARGUMENT', cmd, '--parallel', 'an integer >= 1', String(args.flags.get('parallel')));
  if (!Array.isArray(config.signals) || !Array.isArray(config.models))
    throw fail('INVALID_ARGUMENT', cmd, 'config', '"signals" and "models" arrays', JSON.stringify(Object.keys(config)));
  const testFraction = config.testFraction ?? 0.2;
  if (!(typeof testFraction === 'number' && testFraction > 0 && testFraction < 1))
    throw fail('INVALID_ARGUMENT', cmd, 'config.testFraction', 'a fraction in (0, 1)', String(testFraction));
  let name: string;
  let data: StudyData;
  if (config.dataset === 'fashion-mnist') {
    name = `fashion-mnist${config.perClass === undefined ? '' : `/${String(config.perClass)}-per-class`}`;
    data = config.perClass === undefined ? loadFashionMnist({ as: 'array' }) : loadFashionMnist({ as: 'array', perClass: config.perClass });
  } else if (config.dataset === 'spam-assassin') {
    name = 'spam-assassin';
    data = loadSpamAssassin();
  } else if (
    typeof config.dataset === 'object' &&
    config.dataset !== null &&
    typeof (config.dataset as { zhangCsv?: unknown }).zhangCsv === 'string'
  ) {
    const file = (config.dataset as { zhangCsv: string }).zhangCsv;
    const numClasses = (config.dataset as { numClasses?: number }).numClasses ?? 5;
    name = `zhang-csv:${file}`;
    data = loadZhangCsv(file, { numClasses });
  } else if (
    typeof config.dataset === 'object' &&
    config.dataset !== null &&
    typeof (config.dataset as { cifar10?: unknown }).cifar10 === 'string'
  ) {
    const dir = (config.dataset as { cifar10: string }).cifar10;
    name = `cifar10:${dir}`;
    data = loadCifar10(dir, { split: 'all', as: 'array' });
  } else {
    throw fail(
      'INVALID_ARGUMENT',
      cmd,
      'config.dataset',
      '"fashion-mnist", "spam-assassin", { "cifar10": "<folder>" } or { "zhangCsv": "<file>", "numClasses": 5 }',
      JSON.stringify(config.dataset),
    );
  }
  let train: StudyData;
  let test: StudyData;
  if ('texts' in data) {
    const texts = data;
    let idx: Int32Array = Int32Array.from(texts.labels, (_, i) => i);
    if (config.size !== undefined) {
      idx = stratifiedSplit(texts.labels, config.size > 1 ? config.size / texts.labels.length : config.size, 0).test;
      name += `/size-${String(config.size)}`;
    }
    const subsetLabels = Int32Array.from(idx, (i) => texts.labels[i] as number);
    const split = stratifiedSplit(subsetLabels, testFraction, 0);
    const pick = (part: Int32Array) => ({
      texts: Array.from(part, (k) => texts.texts[idx[k] as number] as string),
      labels: Int32Array.from(part, (k) => subsetLabels[k] as number),
      classNames: texts.classNames,
    });
    train = pick(split.train);
    test = pick(split.test);
  } else {
    if (config.size !== undefined) {
      data = subsample(data, config.size, 0);
      name += `/size-${String(config.size)}`;
    }
    ({ train, test } = splitDataset(data, testFraction, 0));
  }
  const t0 = performance.now();
  const records = await runStudy({
    dataset: name,
    train,
    test,
    signals: config.signals,
    models: config.models,
    ...(config.seeds === undefined ? {} : { seeds: config.seeds }),
    ...(config.signalOptions === undefined ? {} : { signalOptions: config.signalOptions }),
    ...(config.results === undefined ? {} : { results: config.results }),
    ...(config.control === undefined ? {} : { control: config.control }),
    ...(config.modelOptions === undefined ? {} : { modelOptions: config.modelOptions }),
    jobs,
    parallel,
    onProgress: (cell, p) => progressLine(`${cell.model} on ${cell.signal}`, p),
    onCell: (r, done, total) => {
      const elapsed = (performance.now() - t0) / 1000;
      progressLine(undefined);
      process.stderr.write(
        `[${String(done)}/${String(total)}] ${r.model} on ${r.signal} (seed ${String(r.seed)}): ${(100 * r.accuracy).toFixed(1)}% in ${r.fitSeconds.toFixed(1)} s; elapsed ${elapsed.toFixed(0)} s\n`,
      );
    },
  });
  console.log(formatStudyTable(records));
  console.log(`\n${formatPaperTable(records)}`);
  return 0;
}

let lastProgress = 0;
/**
 * A one-line progress bar on stderr with samples/s and ETA, redrawn at most 4 times a second;
 * `undefined` clears it. Only on a terminal: a log file gets the per-cell lines alone.
 */
function progressLine(label: string | undefined, p?: FitProgress): void {
  if (!process.stderr.isTTY) return;
  if (label === undefined || p === undefined) {
    process.stderr.write('\r\x1b[K');
    return;
  }
  const now = performance.now();
  if (now - lastProgress < 250 && p.fraction < 1) return;
  lastProgress = now;
  const width = 24;
  const filled = Math.round(p.fraction * width);
  const rate = p.samplesPerSecond === undefined ? '' : ` ${p.samplesPerSecond.toFixed(0)} samples/s`;
  const eta = p.etaSeconds === undefined ? '' : ` ETA ${p.etaSeconds.toFixed(0)} s`;
  process.stderr.write(
    `\r\x1b[K${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(100 * p.fraction).toFixed(0)}%${rate}${eta}`,
  );
}

/** `blindspots report <results.jsonl>`: returns the exit code. */
export function reportCommand(argv: readonly string[]): number {
  const cmd = 'blindspots report';
  const args = parseArgs('report', argv, ['format', 'out', 'help']);
  if (args.flags.has('help') || args.positional.length === 0) {
    console.log(REPORT_HELP);
    return args.flags.has('help') ? 0 : 2;
  }
  const records = readResults(args.positional[0] as string);
  if (records.length === 0)
    throw fail('EMPTY_INPUT', cmd, 'results', 'a results file with at least one cell', args.positional[0] as string);
  const format = args.flags.get('format') ?? 'md';
  const text =
    format === 'md'
      ? `${formatStudyTable(records)}\n`
      : format === 'paper'
        ? `${formatPaperTable(records)}\n`
        : format === 'csv'
          ? formatStudyCsv(records)
          : format === 'json'
            ? `${JSON.stringify(records, null, 2)}\n`
            : format === 'svg'
              ? studyHeatmapSvg(records)
              : undefined;
  if (text === undefined) throw fail('INVALID_ARGUMENT', cmd, '--format', 'md, paper, csv, json or svg', format);
  const out = args.flags.get('out');
  if (out === undefined) process.stdout.write(text);
  else writeFileSync(out, text);
  return 0;
}
