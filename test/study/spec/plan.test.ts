import { describe, expect, it } from 'vitest';
import { splitDataset } from '../../../src/data/index.js';
import { encoderNames, encoders, imageEncoderNames } from '../../../src/encoders/encoderRegistry.js';
import { assignShards, planStudy, runStudy, type StudyConfig } from '../../../src/study/index.js';
import { gridImages, cyclicLabels } from '../../conformance/fixtures.js';
import { thrownBy } from '../../conformance/typedError.js';

const images = gridImages(60, 8, 8, 1);
const labels = cyclicLabels(60, 3);
const { train, test } = splitDataset({ images, labels, classNames: ['a', 'b', 'c'] }, 1 / 3, 0);
const base: StudyConfig = { dataset: 'grid', train, test, signals: ['onePixel'], models: ['decisionTree'] };

describe('planStudy: every mistake before any work', () => {
  it('refuses unknown top-level names with the closest one (result -> results)', () => {
    const e = thrownBy(() => planStudy({ ...base, result: 'x.jsonl' } as StudyConfig));
    expect(e).toMatchObject({ code: 'UNKNOWN_OPTION', details: { fn: 'runStudy', arg: 'config.result' } });
    expect((e as Error).message).toMatch(/did you mean 'results'/);
  });

  it('refuses what is not a config, a signal list or a seed list, with typed errors', () => {
    expect(thrownBy(() => planStudy(null as unknown as StudyConfig))).toMatchObject({
      code: 'INVALID_ARGUMENT',
      details: { arg: 'config' },
    });
    expect(thrownBy(() => planStudy({ ...base, signals: 'x' as unknown as string[] }))).toMatchObject({
      details: { arg: 'config.signals' },
    });
    expect(thrownBy(() => planStudy({ ...base, seeds: '0' as unknown as number[] }))).toMatchObject({ details: { arg: 'config.seeds' } });
    expect(thrownBy(() => planStudy({ ...base, seeds: [0, 0.5] }))).toMatchObject({ details: { arg: 'config.seeds[1]' } });
    expect(thrownBy(() => planStudy({ ...base, control: 'yes' as unknown as boolean }))).toMatchObject({
      details: { arg: 'config.control' },
    });
  });

  it('runs every seed it is given', () => {
    const plan = planStudy({ ...base, seeds: [1, 2] });
    expect([...new Set(plan.cells.map((c) => c.seed))]).toEqual([1, 2]);
  });

  it("checks signal options' names and values, and refuses the ones the study sets", () => {
    expect(thrownBy(() => planStudy({ ...base, signalOptions: { onePixel: { scael: 0.01 } } }))).toMatchObject({
      code: 'UNKNOWN_OPTION',
      details: { arg: 'config.signalOptions.onePixel.scael' },
    });
    expect(thrownBy(() => planStudy({ ...base, signalOptions: { onePixel: { scale: -1 } } }))).toMatchObject({
      code: 'INVALID_ARGUMENT',
      details: { fn: 'runStudy', arg: 'config.signalOptions.onePixel.scale' },
    });
    expect(thrownBy(() => planStudy({ ...base, signalOptions: { onePixel: { seed: 3 } } }))).toMatchObject({
      details: { arg: 'config.signalOptions.onePixel.seed' },
    });
    expect(thrownBy(() => planStudy({ ...base, signalOptions: { meanShift: {} } }))).toMatchObject({
      details: { arg: 'config.signalOptions.meanShift' },
    });
  });

  it("'all' means every signal of the data's domain, from the registry", () => {
    const plan = planStudy({ ...base, signals: 'all' });
    expect(plan.cells.map((c) => c.signal)).toEqual(['clean', ...imageEncoderNames]);
    expect(imageEncoderNames.length).toBe(encoderNames.filter((n) => encoders[n].domain === 'image').length);
  });

  it('records the options each signal takes, resolved, and the model parameters', () => {
    const plan = planStudy({ ...base, signals: 'all', modelOptions: { decisionTree: { maxDepth: 3 } }, seeds: [4] });
    const byName = new Map(plan.cells.map((c) => [c.signal, c]));
    expect(byName.get('onePixel')?.options).toEqual({ numClasses: 3, scale: 1e-3, position: [0, 0] });
    expect(byName.get('orthogonalNoise')?.options).toEqual({ numClasses: 3, scale: 1e-3, seed: 4 });
    expect(byName.get('patternPixels')?.options).toMatchObject({
      positions: [
        [0, 0],
        [0, 7],
        [7, 0],
        [7, 7],
      ],
    });
    expect(byName.get('clean')?.params).toEqual({ maxDepth: 3, minSamplesSplit: 2, minSamplesLeaf: 1, maxFeatures: 'all', seed: 4 });
  });

  it('refuses a dither coarser than the image encoders can take (it failed every cell mid-run)', () => {
    // 15 levels move values up to 1/30 past [0, 1]; the encoders take clean values 0.2% past it.
    for (const levels of [15, 249]) {
      expect(thrownBy(() => planStudy({ ...base, dither: { levels } }))).toMatchObject({
        code: 'INVALID_ARGUMENT',
        details: { arg: 'config.dither.levels', expected: expect.stringContaining('250') as unknown },
      });
    }
    expect(planStudy({ ...base, dither: { levels: 250 } }).data.dither).toEqual({ levels: 250, seed: 0 });
  });

  it('gives each cell a key that changes with anything that changes the result, and only with that', () => {
    const key = (c: Partial<StudyConfig>) => planStudy({ ...base, ...c }).cells[1]?.key;
    const k0 = key({});
    expect(key({})).toBe(k0);
    expect(key({ signalOptions: { onePixel: { scale: 0.002 } } })).not.toBe(k0);
    expect(key({ modelOptions: { decisionTree: { maxDepth: 2 } } })).not.toBe(k0);
    expect(key({ seeds: [1] })).not.toBe(k0);
    expect(key({ dataset: 'grid2' })).not.toBe(k0);
    expect(key({ dither: true })).not.toBe(k0);
    const other = gridImages(60, 8, 8, 1, 'other content');
    expect(key({ train: splitDataset({ images: other, labels, classNames: ['a', 'b', 'c'] }, 1 / 3, 0).train })).not.toBe(k0);
    // Threads do not change a forest (each tree has its own seed), so they are not in its key.
    const forest = (threads: number) => planStudy({ ...base, models: ['randomForest'], threads }).cells[0]?.key;
    expect(forest(2)).toBe(forest(1));
    // They do change a data-parallel ConvNet.
    const resnet = (threads: number) =>
      planStudy({ ...base, models: ['resnet'], modelOptions: { resnet: { depth: 8 } }, threads }).cells[0]?.key;
    expect(resnet(2)).not.toBe(resnet(1));
  });

  it('expands sweeps into one cell per value (every combination), each with its own key', () => {
    const plan = planStudy({
      ...base,
      signals: ['onePixel', 'meanShift'],
      sweep: {
        onePixel: {
          scale: [1e-3, 1e-2, 3e-2],
          position: [
            [0, 0],
            [1, 1],
          ],
        },
      },
    });
    const one = plan.cells.filter((c) => c.signal === 'onePixel');
    expect(one).toHaveLength(6);
    expect(new Set(one.map((c) => c.key)).size).toBe(6);
    expect(one.map((c) => c.sweep)).toContainEqual({ scale: 1e-2, position: [1, 1] });
    expect(one.find((c) => c.sweep?.scale === 3e-2)?.options.scale).toBe(3e-2);
    expect(plan.cells.filter((c) => c.signal === 'meanShift')).toHaveLength(1);
    expect(thrownBy(() => planStudy({ ...base, sweep: { onePixel: { scale: [] } } }))).toMatchObject({
      details: { arg: 'config.sweep.onePixel.scale' },
    });
    expect(thrownBy(() => planStudy({ ...base, sweep: { onePixel: { scale: [0.01, -1] } } }))).toMatchObject({
      details: { arg: 'config.sweep.onePixel.scale' },
    });
    expect(thrownBy(() => planStudy({ ...base, sweep: { onePixel: { sclae: [1] } } }))).toMatchObject({ code: 'UNKNOWN_OPTION' });
    expect(thrownBy(() => planStudy({ ...base, sweep: { onePixel: { scale: [0.01, 0.01] } } }))).toMatchObject({
      details: { arg: 'config' },
    });
  });

  it('curves default to every epoch for models that train by epochs, none for the others', () => {
    const plan = planStudy({ ...base, models: ['resnet', 'decisionTree'], curves: { every: 2 } });
    expect(plan.cells.filter((c) => c.model === 'resnet').every((c) => c.curveEvery === 2)).toBe(true);
    expect(plan.cells.filter((c) => c.model === 'decisionTree').every((c) => c.curveEvery === 0)).toBe(true);
    expect(planStudy({ ...base, models: ['resnet'] }).cells[0]?.curveEvery).toBe(1);
    expect(planStudy({ ...base, models: ['resnet'], curves: false }).cells[0]?.curveEvery).toBe(0);
  });

  it('shards partition the cells, balanced by cost, the same way in every process', () => {
    const config: StudyConfig = { ...base, signals: 'all', models: ['decisionTree', 'gaussianNB', 'resnet'], seeds: [0, 1] };
    const all = planStudy(config).cells.map((c) => c.key);
    const shards = [0, 1, 2].map((index) => planStudy({ ...config, shard: { index, count: 3 } }).cells.map((c) => c.key));
    expect(shards.flat().sort()).toEqual([...all].sort());
    expect(new Set(shards.flat()).size).toBe(all.length);
    // The fourteen ResNet cells (the costly ones) are spread evenly.
    const resnetKeys = new Set(planStudy({ ...config, models: ['resnet'] }).cells.map((c) => c.key));
    expect(shards.map((s) => s.filter((k) => resnetKeys.has(k)).length).sort()).toEqual([4, 5, 5]);
    expect(
      assignShards(
        [
          { key: 'a', cost: 3 },
          { key: 'b', cost: 1 },
          { key: 'c', cost: 1 },
          { key: 'd', cost: 1 },
        ],
        2,
      ),
    ).toEqual([0, 1, 1, 1]);
    expect(thrownBy(() => planStudy({ ...config, shard: { index: 3, count: 3 } }))).toMatchObject({
      details: { arg: 'config.shard.index' },
    });
  });
});

describe('options reach the model', () => {
  it('a decision tree of depth 1 records depth 1 and cannot read a one-pixel signal of three classes perfectly', async () => {
    const [stump] = (await runStudy({ ...base, modelOptions: { decisionTree: { maxDepth: 1 } } })).filter((r) => r.signal === 'onePixel');
    const [full] = (await runStudy(base)).filter((r) => r.signal === 'onePixel');
    expect(stump?.params.maxDepth).toBe(1);
    expect(full?.params.maxDepth).toBeNull();
    expect(full?.accuracy).toBe(1);
    // One split separates one class from two: at most 2/3 right.
    expect(stump?.accuracy).toBeLessThanOrEqual(2 / 3 + 1e-9);
  });
});

describe('planStudy: sweeps of model options', () => {
  const resnet = { depth: 8, width: 4, epochs: 1 };

  it('runs the model once per swept value, each its own key, the value in params and modelSweep', () => {
    const plan = planStudy({ ...base, models: ['resnet'], modelOptions: { resnet }, sweep: { resnet: { init: ['he', 'torch'] } } });
    const onePixel = plan.cells.filter((c) => c.signal === 'onePixel');
    expect(onePixel.map((c) => c.params.init)).toEqual(['he', 'torch']);
    expect(onePixel.map((c) => c.modelSweep)).toEqual([{ init: 'he' }, { init: 'torch' }]);
    expect(new Set(plan.cells.map((c) => c.key)).size).toBe(plan.cells.length);
    // The swept options go over the study's: depth stays 8 in every variant.
    expect(plan.cells.every((c) => c.params.depth === 8)).toBe(true);
  });

  it("gives a swept variant equal to the unswept model the unswept model's key (records merge)", () => {
    const swept = planStudy({ ...base, models: ['resnet'], modelOptions: { resnet }, sweep: { resnet: { init: ['he', 'torch'] } } });
    const plain = planStudy({ ...base, models: ['resnet'], modelOptions: { resnet } });
    const keys = new Set(swept.cells.map((c) => c.key));
    expect(plain.cells.every((c) => keys.has(c.key))).toBe(true);
  });

  it('sweeps every combination of several options, signals and models together', () => {
    const plan = planStudy({
      ...base,
      models: ['resnet'],
      signals: ['orthogonalNoise'],
      modelOptions: { resnet },
      sweep: { resnet: { init: ['he', 'torch'], initScale: [0.5, 1, 2] }, orthogonalNoise: { scale: [1e-3, 1e-2] } },
    });
    // (clean + 2 scales) x 6 model variants
    expect(plan.cells).toHaveLength(18);
    expect(new Set(plan.cells.map((c) => JSON.stringify([c.params.init, c.params.initScale]))).size).toBe(6);
  });

  it('names the swept option in errors: unknown option, bad value, empty list, a model not in the study', () => {
    const study = { ...base, models: ['resnet'], modelOptions: { resnet } };
    expect(thrownBy(() => planStudy({ ...study, sweep: { resnet: { inti: ['he'] } } }))).toMatchObject({
      code: 'UNKNOWN_OPTION',
      details: { arg: 'config.sweep.resnet.inti' },
    });
    expect(thrownBy(() => planStudy({ ...study, sweep: { resnet: { init: ['he', 'Torch'] } } }))).toMatchObject({
      code: 'INVALID_ARGUMENT',
      details: { fn: 'runStudy', arg: 'config.sweep.resnet.init' },
    });
    expect(thrownBy(() => planStudy({ ...study, sweep: { resnet: { init: [] } } }))).toMatchObject({
      details: { arg: 'config.sweep.resnet.init' },
    });
    expect(thrownBy(() => planStudy({ ...study, sweep: { perceptron: { init: ['he'] } } }))).toMatchObject({
      details: { arg: 'config.sweep.perceptron' },
    });
    // A bad value of an unswept option is still named where it was given.
    expect(
      thrownBy(() => planStudy({ ...study, modelOptions: { resnet: { ...resnet, depth: 9 } }, sweep: { resnet: { init: ['he'] } } })),
    ).toMatchObject({ details: { arg: 'config.modelOptions.resnet.depth' } });
    expect(thrownBy(() => planStudy({ ...study, sweep: { resnet: { init: ['he', 'he'] } } }))).toMatchObject({
      details: { arg: 'config' },
    });
  });

  it('keeps predictions for ConvNet cells by default, for all or none when asked', () => {
    const models = ['resnet', 'decisionTree'];
    const byModel = (config: StudyConfig) => Object.fromEntries(planStudy(config).cells.map((c) => [c.model, c.predictions]));
    expect(byModel({ ...base, models, modelOptions: { resnet } })).toEqual({ resnet: true, decisionTree: false });
    expect(byModel({ ...base, models, modelOptions: { resnet }, predictions: true })).toEqual({ resnet: true, decisionTree: true });
    expect(byModel({ ...base, models, modelOptions: { resnet }, predictions: false })).toEqual({ resnet: false, decisionTree: false });
    expect(thrownBy(() => planStudy({ ...base, predictions: 'yes' as unknown as boolean }))).toMatchObject({
      details: { arg: 'config.predictions' },
    });
  });
});
