import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from '../../helpers/cli.js';
import { writeIdxFolder } from '../../conformance/fixtures.js';
import {
  formatPaperTable,
  formatStudyTable,
  PRESETS,
  readResults,
  runStudy,
  type CellRecord,
  type StudyConfig,
} from '../../../src/study/index.js';

import { base } from './studyData.js';
const dir = mkdtempSync(join(tmpdir(), 'study-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('runStudy', () => {
  it('runs every clean/signal x model cell and measures reliance', async () => {
    const records = await runStudy(base);
    expect(records.map((r) => `${r.model}/${r.signal}`)).toEqual([
      'decisionTree/clean',
      'decisionTree/onePixel',
      'decisionTree/meanShift',
      'gaussianNB/clean',
      'gaussianNB/onePixel',
      'gaussianNB/meanShift',
    ]);
    const tree = records.find((r) => r.model === 'decisionTree' && r.signal === 'onePixel') as CellRecord;
    // 200 training images: greedy splits on content can precede the pixel, as in scikit-learn.
    expect(tree.accuracy).toBeGreaterThan(0.95);
    // Shuffled signal: the tree follows the pixel, so it now mostly names the wrong class.
    expect(tree.shuffledAccuracy).toBeLessThan(0.3);
    expect(records.find((r) => r.signal === 'clean')?.shuffledAccuracy).toBeNull();
    const table = formatStudyTable(records);
    expect(table).toMatch(/\| onePixel \| \d+\.\d% \(\d+\.\d%\) \|/);
    expect(table.split('\n')[2]).toMatch(/^\| clean \|/);
  });

  it('fails before any training on an unknown signal or model, listing the valid names', async () => {
    await expect(runStudy({ ...base, signals: ['twoPixels'] })).rejects.toThrow(/one of onePixel, patternPixels/);
    await expect(runStudy({ ...base, models: ['svm'] })).rejects.toThrow(/one of decisionTree, randomForest/);
    await expect(runStudy({ ...base, signals: ['mnemonic'] })).rejects.toThrow(/an image signal/);
  });

  it("trains a tfjs model on the images with its options, records the backend, and fills the paper table's ConvNet column", async () => {
    const progress: number[] = [];
    const config: StudyConfig = {
      ...base,
      signals: ['onePixel'],
      models: ['resnet', 'decisionTree'],
      modelOptions: { resnet: { depth: 8, width: 4, epochs: 2, batchSize: 32 } },
      onProgress: (cell, p) => progress.push(p.fraction),
    };
    const records = await runStudy(config);
    const resnet = records.filter((r) => r.model === 'resnet');
    expect(resnet.map((r) => r.signal)).toEqual(['clean', 'onePixel']);
    expect(resnet.every((r) => r.backend.startsWith('wasm') && r.params.depth === 8 && r.params.width === 4 && r.params.epochs === 2)).toBe(
      true,
    );
    // The parameters the model used, defaults included.
    expect(resnet[0]?.params).toMatchObject({ batchSize: 32, learningRate: 0.1, momentum: 0.9, seed: 0, threads: 1 });
    expect(records.find((r) => r.model === 'decisionTree')?.backend).toBe('js');
    expect(progress.at(-1)).toBe(1);
    const paper = formatPaperTable(records).split('\n');
    expect(paper[0]).toBe('| signal | ConvNet | best competing model | which |');
    expect(paper[3]).toMatch(/^\| onePixel \| \d+\.\d% \| \d+\.\d% \| decisionTree \|$/);
  }, 60_000);

  it('fails before any training on a model of the other domain or a bad model option, listing what is valid', async () => {
    let trained = 0;
    const onCell = () => trained++;
    await expect(runStudy({ ...base, models: ['charCnn'], onCell })).rejects.toThrow(/models for images: .*resnet.*perceptron/);
    await expect(runStudy({ ...base, models: ['resnet'], modelOptions: { resnet: { epoch: 3 } }, onCell })).rejects.toMatchObject({
      code: 'UNKNOWN_OPTION',
      details: { fn: 'runStudy', arg: 'config.modelOptions.resnet.epoch' },
    });
    await expect(runStudy({ ...base, models: ['resnet'], modelOptions: { resnet: { depth: 9 } }, onCell })).rejects.toMatchObject({
      details: { fn: 'runStudy', arg: 'config.modelOptions.resnet.depth' },
    });
    await expect(runStudy({ ...base, models: ['resnet'], modelOptions: { perceptron: {} }, onCell })).rejects.toMatchObject({
      details: { fn: 'runStudy', arg: 'config.modelOptions.perceptron' },
    });
    expect(trained).toBe(0);
  });

  it('appends cells to JSONL and a rerun skips the finished ones', async () => {
    const path = join(dir, 'rerun.jsonl');
    const first = await runStudy({ ...base, results: path });
    let ran = 0;
    const second = await runStudy({ ...base, results: path, onCell: () => ran++ });
    expect(ran).toBe(0);
    expect(second).toEqual(first);
    expect(readResults(path)).toHaveLength(6);
  });
});

describe('study reports and CLI', () => {
  it("CSV has one row per cell; the SVG heatmap shows each model's gain over clean", async () => {
    const records = await runStudy(base);
    const { formatStudyCsv, studyHeatmapSvg } = await import('../../../src/study/index.js');
    const csv = formatStudyCsv(records).trim().split('\n');
    expect(csv[0]).toBe('dataset,signal,model,seed,accuracy,shuffled_accuracy,fit_seconds,n_train,n_test,backend,row,column,key');
    expect(csv).toHaveLength(7);
    const svg = studyHeatmapSvg(records);
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    const tree = records.find((r) => r.model === 'decisionTree' && r.signal === 'onePixel') as CellRecord;
    const clean = records.find((r) => r.model === 'decisionTree' && r.signal === 'clean') as CellRecord;
    expect(svg).toContain(`>+${(100 * (tree.accuracy - clean.accuracy)).toFixed(1)}<`);
  });

  it('blindspots study runs a config and blindspots report renders its results', async () => {
    const results = join(dir, 'cli.jsonl');
    const config = join(dir, 'study.json');
    const idx = writeIdxFolder(join(dir, 'idx'), { train: 60, test: 30, side: 8, classes: 3 });
    writeFileSync(config, JSON.stringify({ dataset: { idx }, signals: ['onePixel'], models: ['decisionTree'], results }));
    const run = await cli(['study', config]);
    expect(run.code, run.err).toBe(0);
    expect(run.out).toMatch(/\| onePixel \| \d+\.\d% \(\d+\.\d%\) \| decisionTree/);
    expect(run.err).toContain(`results: ${results}`);
    const csv = await cli(['report', results, '--format', 'csv']);
    expect(csv.out.trim().split('\n')).toHaveLength(3);
    const svgPath = join(dir, 'h.svg');
    expect((await cli(['report', results, '--format', 'svg', '--out', svgPath])).code).toBe(0);
    expect(readFileSync(svgPath, 'utf8')).toMatch(/<svg/);
    writeFileSync(config, JSON.stringify({ dataset: { idx }, signals: ['onePixel'], models: ['svm'] }));
    const bad = await cli(['study', config]);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/^blindspots study: .*one of decisionTree/m);
    const preset = await cli(['study', '--preset', 'table9']);
    expect(preset.code).toBe(2);
    expect(preset.err).toContain(`one of ${Object.keys(PRESETS).join(', ')}`);
    const help = await cli(['study', '--help']);
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/table1 +the paper's Table 1/);
    const missing = await cli(['report', join(dir, 'absent.jsonl')]);
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/absent\.jsonl: not found/);
  }, 120_000);

  it('the table2 preset reads a Yelp/Amazon-style CSV given with --data', async () => {
    const words = ['good', 'bad', 'food', 'service', 'slow', 'great', 'price', 'staff'];
    const rows: string[] = [];
    for (let i = 0; i < 60; i++) {
      const text = Array.from({ length: 30 + (i % 7) * 10 }, (_, j) => words[(i * 3 + j * 5) % words.length]).join(' ');
      rows.push(`"${String((i % 5) + 1)}","title ${String(i)}","${text}"`);
    }
    const csv = join(dir, 'reviews.csv');
    writeFileSync(csv, `${rows.join('\n')}\n`);
    const results = join(dir, 'table2-csv.jsonl');
    const { out } = await cli(['study', '--preset', 'table2', '--data', csv, '--results', results]);
    expect(out).toMatch(/\| mnemonic \| \d+\.\d% \(\d+\.\d%\) \|/);
    const records = readResults(results);
    expect(records[0]?.dataset).toBe('zhang-csv:reviews.csv');
    expect(records.reduce((n, r) => n + r.nTrain + r.nTest, 0) / records.length).toBe(60);
  }, 120_000);
});

describe('text studies and the signal-only control', () => {
  it('runs text signals on SpamAssassin character codes, and the control on blank inputs', async () => {
    const { loadSpamAssassin, stratifiedSplit } = await import('../../../src/data/index.js');
    const mail = loadSpamAssassin();
    const keep = stratifiedSplit(mail.labels, 0.1, 0).test; // ~600 mails
    const labels = Int32Array.from(keep, (i) => mail.labels[i]!);
    const texts = Array.from(keep, (i) => mail.texts[i]!);
    const split = stratifiedSplit(labels, 0.25, 0);
    const pick = (idx: Int32Array) => ({
      texts: Array.from(idx, (i) => texts[i]!),
      labels: Int32Array.from(idx, (i) => labels[i]!),
      classNames: mail.classNames,
    });
    const records = await runStudy({
      dataset: 'spam',
      train: pick(split.train),
      test: pick(split.test),
      signals: ['mnemonic', 'lengthEncoding'],
      models: ['decisionTree'],
      control: true,
    });
    const acc = (signal: string) => records.find((r) => r.signal === signal)!.accuracy;
    expect(records.map((r) => r.signal)).toEqual(['clean', 'mnemonic', 'mnemonic:only', 'lengthEncoding', 'lengthEncoding:only']);
    expect(acc('mnemonic')).toBe(1); // the paper: 100% with a decision tree
    expect(acc('mnemonic:only')).toBe(1);
    // Blank texts padded with spaces: a space is outside Zhang's alphabet, so the length is invisible
    // in the character codes — the documented blind spot of the quantiser — and the tree cannot
    // beat the majority class.
    expect(acc('lengthEncoding:only')).toBeLessThan(0.6);
    expect(acc('clean')).toBeLessThan(1);
  }, 120_000);

  it('the image control: black images carrying only the signal', async () => {
    const records = await runStudy({ ...base, signals: ['onePixel'], models: ['decisionTree'], control: true });
    expect(records.find((r) => r.signal === 'onePixel:only')?.accuracy).toBe(1);
  });

  it('refuses texts mixed with images', async () => {
    await expect(runStudy({ ...base, test: { texts: ['a'], labels: Int32Array.of(0), classNames: ['x'] } })).rejects.toThrow(
      /the same kind of data as train/,
    );
  });
});
