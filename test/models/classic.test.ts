import { describe, expect, it } from 'vitest';
import { flatten, loadFashionMnist, padTo, splitDataset } from '../../src/data/index.js';
import { injectOnePixel, injectPatternPixels } from '../../src/encoders/index.js';
import {
  DecisionTree,
  ExtraTrees,
  GaussianNB,
  LogisticRegression,
  MlGaussianNB,
  MlLogisticRegression,
  MlRandomForest,
  RandomForest,
} from '../../src/models/index.js';
import { createRandom } from '../../src/random.js';
import { accuracy, test, train } from './classicData.js';

describe("the decision tree on the paper's low-dimensional signals", () => {
  // 200 images per class: with 60, a content pixel can beat a bit pixel at some greedy split and
  // one test image in 200 goes astray — scikit-learn's tree does exactly the same (0.995, checked).
  const more = loadFashionMnist({ perClass: 200, as: 'array' });
  const { train, test } = splitDataset({ ...more, images: padTo(more.images, 32, 32) }, 1 / 3, 0);
  for (const [name, inject] of [
    ['one pixel', injectOnePixel],
    ['pattern pixels', injectPatternPixels],
  ] as const) {
    it(`reaches 100% test accuracy on ${name} (as in the paper), far above the clean baseline`, async () => {
      const xTrain = flatten(inject(train.images, train.labels, { numClasses: 10 }));
      const xTest = flatten(inject(test.images, test.labels, { numClasses: 10 }));
      expect(await accuracy(await new DecisionTree().fit(xTrain, train.labels), xTest, test.labels)).toBe(1);
      const clean = await accuracy(await new DecisionTree().fit(flatten(train.images), train.labels), flatten(test.images), test.labels);
      expect(clean).toBeLessThan(0.9);
    });
  }
});

describe('CART splits', () => {
  it('a depth-1 tree picks the split with the lowest weighted Gini impurity (checked by brute force)', async () => {
    const random = createRandom('stump');
    const rows = 80;
    const cols = 5;
    const data = Float32Array.from({ length: rows * cols }, () => Math.floor(random() * 12) / 4);
    const y = Int32Array.from({ length: rows }, (_, i) =>
      data[i * cols + 2]! + data[i * cols + 4]! + random() > 3 ? 1 : i % 3 === 0 ? 2 : 0,
    );
    const gini = (labels: number[]) => 1 - [0, 1, 2].reduce((s, k) => s + (labels.filter((v) => v === k).length / labels.length) ** 2, 0);
    let best = Number.POSITIVE_INFINITY;
    for (let f = 0; f < cols; f++) {
      const vals = [...new Set(Array.from({ length: rows }, (_, i) => data[i * cols + f]!))].sort((a, b) => a - b);
      for (let t = 0; t < vals.length - 1; t++) {
        const thr = (vals[t]! + vals[t + 1]!) / 2;
        const l: number[] = [];
        const r: number[] = [];
        for (let i = 0; i < rows; i++) (data[i * cols + f]! <= thr ? l : r).push(y[i]!);
        best = Math.min(best, (l.length * gini(l) + r.length * gini(r)) / rows);
      }
    }
    const stump = (await new DecisionTree({ maxDepth: 1 }).fit({ data, rows, cols }, y)).toJSON().trees[0]!;
    const f = stump.feature[0]!;
    const thr = stump.threshold[0]!;
    const l: number[] = [];
    const r: number[] = [];
    for (let i = 0; i < rows; i++) (data[i * cols + f]! <= thr ? l : r).push(y[i]!);
    expect((l.length * gini(l) + r.length * gini(r)) / rows).toBeCloseTo(best, 12);
  });

  it('a fully grown tree fits distinct training points exactly', async () => {
    const x = flatten(train.images);
    expect(await accuracy(await new DecisionTree().fit(x, train.labels), x, train.labels)).toBe(1);
  });
});

describe('forests', () => {
  const x = flatten(train.images);
  const xt = flatten(test.images);

  it('report progress per tree, beat a single tree, and are reproducible from the seed', async () => {
    const messages: string[] = [];
    const rf = await new RandomForest({ nEstimators: 20, seed: 3 }).fit(x, train.labels, {
      onProgress: (p) => messages.push(p.message ?? ''),
    });
    expect(messages.filter((m) => m.startsWith('tree')).length).toBe(20);
    const again = await new RandomForest({ nEstimators: 20, seed: 3 }).fit(x, train.labels);
    expect(Array.from(await again.predict(xt))).toEqual(Array.from(await rf.predict(xt)));
    const other = await new RandomForest({ nEstimators: 20, seed: 4 }).fit(x, train.labels);
    expect(Array.from((await other.predictProba(xt)).data)).not.toEqual(Array.from((await rf.predictProba(xt)).data));
    const tree = await accuracy(await new DecisionTree().fit(x, train.labels), xt, test.labels);
    expect(await accuracy(rf, xt, test.labels)).toBeGreaterThan(tree);
    expect(await accuracy(await new ExtraTrees({ nEstimators: 20 }).fit(x, train.labels), xt, test.labels)).toBeGreaterThan(tree);
  });

  it('abort mid-fit rejects with AbortError and leaves the model unfitted', async () => {
    const ctl = new AbortController();
    const rf = new RandomForest({ nEstimators: 50 });
    await expect(rf.fit(x, train.labels, { signal: ctl.signal, onProgress: (p) => p.fraction > 0.1 && ctl.abort() })).rejects.toMatchObject(
      { name: 'AbortError' },
    );
    await expect(rf.predict(xt)).rejects.toMatchObject({ code: 'NOT_FITTED' });
  });

  it('toJSON / fromJSON round-trip every tree model and GaussianNB', async () => {
    for (const [Model, make] of [
      [DecisionTree, () => new DecisionTree()],
      [RandomForest, () => new RandomForest({ nEstimators: 5 })],
      [ExtraTrees, () => new ExtraTrees({ nEstimators: 5 })],
    ] as const) {
      const m = await make().fit(x, train.labels);
      const restored = Model.fromJSON(JSON.parse(JSON.stringify(m.toJSON())) as ReturnType<typeof m.toJSON>);
      expect(Array.from((await restored.predictProba(xt)).data)).toEqual(Array.from((await m.predictProba(xt)).data));
    }
    const nb = await new GaussianNB().fit(x, train.labels);
    const nb2 = GaussianNB.fromJSON(JSON.parse(JSON.stringify(nb.toJSON())) as ReturnType<typeof nb.toJSON>);
    expect(Array.from(await nb2.predict(xt))).toEqual(Array.from(await nb.predict(xt)));
    expect(() => RandomForest.fromJSON(m0 as never)).toThrow(/a saved randomForest model/);
  });
});

const m0 = { model: 'decisionTree', options: {}, numClasses: 2, cols: 1, trees: [] };

describe('GaussianNB', () => {
  it('works with zero-variance features (an injected pixel) thanks to variance smoothing', async () => {
    const xTrain = flatten(injectOnePixel(train.images, train.labels, { numClasses: 10 }));
    const xTest = flatten(injectOnePixel(test.images, test.labels, { numClasses: 10 }));
    const acc = await accuracy(await new GaussianNB().fit(xTrain, train.labels), xTest, test.labels);
    const clean = await accuracy(await new GaussianNB().fit(flatten(train.images), train.labels), flatten(test.images), test.labels);
    // Not 100%: other pixels constant within a class (0 in every training trouser, say) get the
    // same tiny variance, and a test image that differs there outweighs the signal — as in
    // scikit-learn, whose formula this is.
    expect(acc).toBeGreaterThan(clean + 0.2);
    const proba = await (await new GaussianNB().fit(xTrain, train.labels)).predictProba(xTest);
    for (let r = 0; r < proba.rows; r++) {
      const sum = Array.from(proba.data.subarray(r * 10, r * 10 + 10)).reduce((a, b) => a + b, 0);
      expect(sum).toBeCloseTo(1, 5);
    }
  });
});

describe('LogisticRegression', () => {
  it('its gradient matches finite differences of its objective (checked through the fitted loss)', async () => {
    // Two fits from zero: one iteration with a tiny C-scaled problem must reduce the loss, and the
    // L-BFGS result must be a stationary point: refitting from it makes no further progress.
    const random = createRandom('lr');
    const rows = 60;
    const cols = 7;
    const data = Float32Array.from({ length: rows * cols }, () => random() * 2 - 1);
    const y = Int32Array.from({ length: rows }, (_, i) => (data[i * cols]! + 0.5 * data[i * cols + 1]! > 0 ? (i % 2) + 1 : 0));
    const m = await new LogisticRegression({ maxIter: 500, tol: 1e-7 }).fit({ data, rows, cols }, y);
    const { weights, bias } = m.toJSON();
    const K = 3;
    // The objective, written out independently, and its numerical gradient at the fitted point.
    const objective = (w: number[], b: number[]) => {
      let loss = 0;
      for (let r = 0; r < rows; r++) {
        const z = [0, 1, 2].map(
          (k) => b[k]! + Array.from({ length: cols }, (_, j) => data[r * cols + j]! * w[k * cols + j]!).reduce((a, v) => a + v, 0),
        );
        const max = Math.max(...z);
        const lse = max + Math.log(z.reduce((a, v) => a + Math.exp(v - max), 0));
        loss += lse - z[y[r]!]!;
      }
      return loss / rows + (0.5 / rows) * w.reduce((a, v) => a + v * v, 0);
    };
    const h = 1e-5;
    let maxGrad = 0;
    for (let i = 0; i < K * cols; i++) {
      const up = [...weights];
      const down = [...weights];
      up[i]! += h;
      down[i]! -= h;
      maxGrad = Math.max(maxGrad, Math.abs((objective(up, bias) - objective(down, bias)) / (2 * h)));
    }
    expect(maxGrad).toBeLessThan(1e-3);
    expect(m.iterations).toBeGreaterThan(5);
  });

  it("learns orthogonal class noise at the paper's scale from images holding only the signal (the control)", async () => {
    const { injectOrthogonalNoise } = await import('../../src/encoders/index.js');
    const blank = (n: number) => ({ data: new Float32Array(n * 16 * 16 * 3).fill(128 / 255), shape: [n, 16, 16, 3] as const });
    const yTrain = Int32Array.from({ length: 200 }, (_, i) => i % 10);
    const yTest = Int32Array.from({ length: 100 }, (_, i) => (i * 3) % 10);
    const x = flatten(injectOrthogonalNoise(blank(200), yTrain, { numClasses: 10 }));
    const xt = flatten(injectOrthogonalNoise(blank(100), yTest, { numClasses: 10 }));
    expect(await accuracy(await new LogisticRegression({ C: 1e6 }).fit(x, yTrain), xt, yTest)).toBe(1);
  });
});

describe('decision tree progress', () => {
  it('reports the growing share of samples in leaves, ending at 1', async () => {
    const x = flatten(train.images);
    const fractions: number[] = [];
    await new DecisionTree().fit(x, train.labels, { onProgress: (p) => fractions.push(p.fraction) });
    expect(fractions.length).toBeGreaterThan(1);
    expect(fractions.at(-1)).toBe(1);
    for (let i = 1; i < fractions.length; i++) expect(fractions[i]!).toBeGreaterThanOrEqual(fractions[i - 1]!);
  });
});

describe('the ml.js adapters on data the packages mishandle', () => {
  // Two well separated blobs of 60 x 16 (the shape for the forest).
  const rows = 60;
  const cols = 16;
  const data = Float32Array.from({ length: rows * cols }, (_, i) => ((i * 37) % 11) / 11 + (Math.floor(i / cols) % 2) * 3);
  const x = { data, rows, cols };

  it("MlRandomForest fits a small set (the package's out-of-bag vote failed on it; noOOB is the default here)", async () => {
    const y = Int32Array.from({ length: rows }, (_, i) => i % 2);
    const forest = await new MlRandomForest({ nEstimators: 5 }).fit(x, y);
    expect(forest.params.noOOB).toBe(true);
    const p = await forest.predict(x);
    expect(p.filter((v, i) => v === y[i]).length / rows).toBeGreaterThan(0.9);
  });

  it('MlGaussianNB and MlLogisticRegression fit labels with a class missing (0 and 2, no 1) and predict only those labels', async () => {
    const y = Int32Array.from({ length: rows }, (_, i) => (i % 2) * 2);
    const nb = await new MlGaussianNB().fit(x, y);
    const p = await nb.predict(x);
    expect(p.filter((v, i) => v === y[i]).length / rows).toBeGreaterThan(0.9);
    // ml-logistic-regression fits no intercept, so on these all-positive features it may not
    // separate the classes; what matters here is that it fits and names real classes.
    const lr = await new MlLogisticRegression({ numSteps: 50 }).fit(x, y);
    for (const model of [nb, lr]) {
      const predicted = [...new Set(await model.predict(x))];
      expect(predicted.every((v) => v === 0 || v === 2)).toBe(true);
      const proba = await model.predictProba(x);
      expect(proba.cols).toBe(3);
      expect(proba.data[1]).toBe(0); // the absent class gets no probability
    }
  });
});
