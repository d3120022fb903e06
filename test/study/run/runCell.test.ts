import { describe, expect, it } from 'vitest';
import { loadFashionMnist, splitDataset } from '../../../src/data/index.js';
import { getImageEncoder } from '../../../src/encoders/encoderRegistry.js';
import { DecisionTree } from '../../../src/models/index.js';
import { domainOps } from '../../../src/domain.js';
import { deriveSeed, permutation } from '../../../src/random.js';
import { encodeCell, planStudy, recordPairedTest, runCell, unpackPredictions, type Cell } from '../../../src/study/index.js';
import type { ImageArray } from '../../../src/types.js';

const fashion = loadFashionMnist({ perClass: 12, as: 'array' });
const { train, test } = splitDataset(fashion, 1 / 3, 0);
const plan = planStudy({
  dataset: 'fashion-mnist/12',
  train,
  test,
  signals: ['onePixel', 'orthogonalNoise'],
  control: ['onePixel'],
  models: ['decisionTree'],
});
const cellOf = (signal: string): Cell => {
  const cell = plan.cells.find((c) => c.signal === signal);
  if (cell === undefined) throw new Error(`no ${signal} cell`);
  return cell;
};
const images = (x: unknown): ImageArray => x as ImageArray;

describe('encodeCell', () => {
  it('gives the clean cell its inputs unchanged and no shuffled inputs', () => {
    const x = encodeCell(plan, cellOf('clean'));
    expect(images(x.train).data).toEqual(train.images.data);
    expect(images(x.test).data).toEqual(test.images.data);
    expect(x.shuffled).toBeUndefined();
  });

  it("encodes train and test with their labels, and the shuffled test with the seed's permutation of them", () => {
    const cell = cellOf('orthogonalNoise');
    const encoder = getImageEncoder('orthogonalNoise');
    const x = encodeCell(plan, cell);
    expect(images(x.train).data).toEqual(encoder.inject(train.images, train.labels, cell.inject).data);
    expect(images(x.test).data).toEqual(encoder.inject(test.images, test.labels, cell.inject).data);
    const perm = permutation(test.labels.length, deriveSeed(cell.seed, 'shuffle'));
    const shuffledLabels = Int32Array.from(perm, (i) => test.labels[i] as number);
    expect(shuffledLabels).not.toEqual(test.labels);
    expect(images(x.shuffled).data).toEqual(encoder.inject(test.images, shuffledLabels, cell.inject).data);
    expect(images(x.shuffled).data).not.toEqual(images(x.test).data);
  });

  it('puts the signal of a :only control on blank inputs', () => {
    const x = encodeCell(plan, cellOf('onePixel:only'));
    const pixels = images(x.train);
    // Only pixel (0, 0) of each image can be non-zero.
    const size = pixels.data.length / train.labels.length;
    pixels.data.forEach((v, i) => {
      if (i % size !== 0) expect(v).toBe(0);
    });
    expect(pixels.data.some((v) => v !== 0)).toBe(true);
  });

  it('gives the arrays runCell fits and scores', async () => {
    const cell = cellOf('onePixel');
    const record = await runCell(plan, cell);
    const x = encodeCell(plan, cell);
    // The features runCell gives a tree: one row of pixels per image.
    const flat = (a: unknown) => domainOps('image').features(a);
    const tree = new DecisionTree({ seed: cell.seed });
    await tree.fit(flat(x.train), train.labels);
    const accuracy = async (a: unknown): Promise<number> => {
      const p = await tree.predict(flat(a));
      return p.filter((v, i) => v === test.labels[i]).length / p.length;
    };
    expect(record.accuracy).toBe(await accuracy(x.test));
    expect(record.shuffledAccuracy).toBe(await accuracy(x.shuffled));
    tree.dispose();
  });
});

describe('runCell: what a ConvNet record keeps', () => {
  it('keeps the test labels and both predictions, which give back its accuracies and the paired test', async () => {
    const small = planStudy({
      dataset: 'fashion-mnist/12',
      train,
      test,
      signals: ['onePixel'],
      models: ['resnet', 'decisionTree'],
      modelOptions: { resnet: { depth: 8, width: 4, epochs: 2, batchSize: 16 } },
    });
    const resnetCell = small.cells.find((c) => c.model === 'resnet' && c.signal === 'onePixel');
    const treeCell = small.cells.find((c) => c.model === 'decisionTree' && c.signal === 'onePixel');
    if (resnetCell === undefined || treeCell === undefined) throw new Error('the plan has both cells');
    const record = await runCell(small, resnetCell);
    if (record.predictions === undefined) throw new Error('a ConvNet record keeps its predictions');
    const unpacked = unpackPredictions(record.predictions);
    expect([...unpacked.labels]).toEqual([...test.labels]);
    const right = (p: Int32Array | null): number =>
      (p ?? new Int32Array()).filter((v, i) => v === test.labels[i]).length / test.labels.length;
    expect(right(unpacked.signal)).toBe(record.accuracy);
    expect(right(unpacked.shuffled)).toBe(record.shuffledAccuracy);
    const paired = recordPairedTest(record);
    expect(paired?.accuracy).toBe(record.accuracy);
    expect(paired?.shuffledAccuracy).toBe(record.shuffledAccuracy);
    // The tree's record does not keep them by default.
    expect((await runCell(small, treeCell)).predictions).toBeUndefined();
  });

  it("gives each curve point the kernels' norms and the effective learning rates, which follow the init's scale", async () => {
    const curveOf = async (initScale: number) => {
      const p = planStudy({
        dataset: 'fashion-mnist/12',
        train,
        test,
        signals: [],
        models: ['resnet'],
        modelOptions: { resnet: { depth: 8, width: 4, epochs: 2, batchSize: 16, initScale } },
      });
      const cell = p.cells[0];
      if (cell === undefined) throw new Error('a clean cell');
      const record = await runCell(p, cell);
      return record.curve ?? [];
    };
    const [one, two] = [await curveOf(1), await curveOf(2)];
    expect(one).toHaveLength(2);
    for (const point of one) {
      expect(point.firstKernelNorm).toBeGreaterThan(0);
      expect(point.learningRate).toBeGreaterThan(0);
      // The first kernel has 4 filters: effective rate = lr / (norm² / 4).
      expect(point.effectiveLr).toBeCloseTo((point.learningRate as number) / ((point.firstKernelNorm as number) ** 2 / 4), 12);
    }
    // Twice the initial kernels: about twice the norms, about a quarter of the effective rates, after two short epochs.
    const ratio = (two[0]?.firstKernelNorm as number) / (one[0]?.firstKernelNorm as number);
    expect(ratio).toBeGreaterThan(1.6);
    expect(ratio).toBeLessThan(2.4);
    expect((two[0]?.meanEffectiveLr as number) / (one[0]?.meanEffectiveLr as number)).toBeLessThan(0.4);
  });
});
