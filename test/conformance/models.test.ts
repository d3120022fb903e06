import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useFastestBackend } from '../../src/models/tfjs/backend.js';
import { NotFittedError } from '../../src/errors.js';
import type { FeatureMatrix, LabelsInput } from '../../src/types.js';
import { modelNames, models, type ModelName } from '../../src/models/modelRegistry.js';
import type { ModelEntry } from '../../src/models/model.js';
import { missingCases } from './encoderHarness.js';
import { checkModel, featureCase, type ModelCase } from './modelHarness.js';
import { ToyNearestCentroid, toyEntry } from './toyModels.js';
import { cyclicLabels } from './fixtures.js';
import { createRandom } from '../../src/random.js';

function blobs(n: number, cols: number, k: number): ModelCase<'features'> {
  const random = createRandom('blobs');
  const y = cyclicLabels(n, k);
  const data = new Float32Array(n * cols);
  for (let i = 0; i < n; i++) for (let j = 0; j < cols; j++) data[i * cols + j] = random() + (j === (y[i] as number) ? 3 : 0);
  return featureCase({ data, rows: n, cols }, y, k);
}

/** 24 images of 8 x 8 x 3 whose class is the brightness of one corner. */
function imageCase(options: Record<string, unknown>): ModelCase<'images'> {
  const random = createRandom('images');
  const n = 24;
  const shape = [n, 8, 8, 3] as const;
  const y = cyclicLabels(n, 3);
  const data = Float32Array.from({ length: n * 192 }, () => random() * 0.5);
  for (let i = 0; i < n; i++) data[i * 192] = (y[i] as number) / 2;
  const bad = data.slice();
  bad[5] = Number.NaN;
  return {
    x: { data, shape },
    y,
    rows: n,
    numClasses: 3,
    empty: { data: new Float32Array(0), shape: [0, 8, 8, 3] },
    corrupt: { x: { data: bad, shape }, code: 'NON_FINITE', arg: 'x' },
    otherShape: { data: new Float32Array(n * 9 * 8 * 3), shape: [n, 9, 8, 3] },
    options,
  };
}

const texts = Array.from({ length: 16 }, (_, i) => (i % 2 === 0 ? 'buy cheap pills now ' : 'meeting notes attached ').repeat(1 + (i % 3)));
const textCase: ModelCase<'texts'> = {
  x: texts,
  y: cyclicLabels(16, 2),
  rows: 16,
  numClasses: 2,
  empty: [],
  corrupt: { x: ['fine', 3 as unknown as string], code: 'INVALID_ARGUMENT', arg: 'x' },
  options: { length: 128, epochs: 2, batchSize: 8 },
};

const small = blobs(60, 6, 3);
const withOptions = (options: Record<string, unknown>): ModelCase<'features'> => ({ ...small, options });
/** One conformance case per registered model: a record over every name, so a new model without one is a type error. */
const modelCases: { [N in ModelName]: ModelCase<(typeof models)[N]['inputKind']> } = {
  decisionTree: withOptions({ maxDepth: 4, minSamplesLeaf: 2 }),
  randomForest: withOptions({ nEstimators: 7, maxDepth: 5, bootstrap: false }),
  extraTrees: withOptions({ nEstimators: 6, maxFeatures: 2 }),
  gaussianNB: withOptions({ varSmoothing: 1e-8 }),
  logisticRegression: withOptions({ C: 0.5, maxIter: 30 }),
  lda: withOptions({ shrinkage: 0.1 }),
  qda: withOptions({ regParam: 0.2 }),
  mlDecisionTree: withOptions({ maxDepth: 4 }),
  mlRandomForest: withOptions({ nEstimators: 5 }),
  mlGaussianNB: withOptions({ varSmoothing: 1e-8 }),
  mlLogisticRegression: withOptions({ numSteps: 60 }),
  resnet: imageCase({ depth: 8, width: 4, epochs: 2, batchSize: 16 }),
  perceptron: imageCase({ epochs: 3, batchSize: 16 }),
  shallowMaxNN: imageCase({ filters: 8, epochs: 2, batchSize: 16 }),
  charCnn: textCase,
};

describe('model conformance', () => {
  // The harness's leak checks call tf.memory(), which starts tfjs's synchronous default (cpu)
  // when no backend is active yet; the library's models then keep the program's backend
  // (docs/models.md, Backends). Choose the fast one first, as the docs tell a program to.
  beforeAll(async () => {
    await useFastestBackend();
  });

  it('has a conformance case for every registered model', () => {
    expect(missingCases(modelNames, modelCases)).toEqual([]);
  });

  for (const name of modelNames) {
    it(`${name} passes every contract check`, async () => {
      expect(await checkModel(models[name] as ModelEntry, modelCases[name] as ModelCase)).toEqual([]);
    });
  }
});

describe('the model conformance harness', () => {
  const c = blobs(40, 5, 4);

  it('passes a conformant toy model', async () => {
    expect(await checkModel(toyEntry, c)).toEqual([]);
  });

  it('catches predict without NotFittedError', async () => {
    class Bad extends ToyNearestCentroid {
      override readonly name = 'noNotFitted';
      override async predict(x: FeatureMatrix): Promise<Int32Array> {
        return this.centroids === undefined ? new Int32Array(x.rows) : super.predict(x);
      }
    }
    expect((await checkModel({ ...toyEntry, create: () => new Bad() }, c)).join('\n')).toMatch(/NotFittedError/);
  });

  it('catches a leaking model', async () => {
    class Leaky extends ToyNearestCentroid {
      override async predict(x: FeatureMatrix): Promise<Int32Array> {
        tf.ones([2]);
        return super.predict(x);
      }
    }
    expect((await checkModel({ ...toyEntry, create: () => new Leaky() }, c)).join('\n')).toMatch(/leaked/);
  });

  it('catches a model whose refit changes its predictions', async () => {
    class Drifting extends ToyNearestCentroid {
      private fits = 0;
      override async fit(x: FeatureMatrix, y: LabelsInput): Promise<this> {
        await super.fit(x, y);
        if (this.fits++ % 2 === 1) {
          const c = this.centroids as tf.Tensor2D;
          this.centroids = tf.reverse(c, 0) as tf.Tensor2D;
          c.dispose();
        }
        return this;
      }
    }
    expect((await checkModel({ ...toyEntry, create: () => new Drifting() }, c)).join('\n')).toMatch(/refit changed/);
  });

  it('catches a model that ignores AbortSignal', async () => {
    class Deaf extends ToyNearestCentroid {
      override async fit(x: FeatureMatrix, y: LabelsInput): Promise<this> {
        return super.fit(x, y);
      }
    }
    expect((await checkModel({ ...toyEntry, create: () => new Deaf() }, c)).join('\n')).toMatch(/AbortError/);
  });

  it('catches a registry entry whose options do not reach the model', async () => {
    class Forgetful extends ToyNearestCentroid {
      override readonly params = { shrink: 0 };
    }
    const entry = { ...toyEntry, options: ['shrink'], create: () => new Forgetful() };
    expect((await checkModel(entry, { ...c, options: { shrink: 0.5 } })).join('\n')).toMatch(
      /options\.shrink = 0\.5 but params\.shrink = 0/,
    );
  });

  it('catches a model that keeps its old fit when a re-fit is aborted', async () => {
    class Sticky extends ToyNearestCentroid {
      override async fit(x: FeatureMatrix, y: LabelsInput, options: { signal?: AbortSignal } = {}): Promise<this> {
        if (options.signal?.aborted === true && this.centroids !== undefined) throw new DOMException('aborted', 'AbortError');
        return super.fit(x, y, options);
      }
    }
    expect((await checkModel({ ...toyEntry, create: () => new Sticky() }, c)).join('\n')).toMatch(/aborted re-fit/);
  });

  it('NotFittedError is a typed error', () => {
    const e = new NotFittedError('x.predict');
    expect(e.code).toBe('NOT_FITTED');
    expect(e.details.fn).toBe('x.predict');
  });
});
