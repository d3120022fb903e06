import * as tf from '@tensorflow/tfjs';
import { NotFittedError, fail } from '../../src/errors.js';
import type { FitOptions, Model, ModelEntry } from '../../src/models/model.js';
import type { FeatureMatrix, LabelsInput } from '../../src/types.js';
import { checkFitData } from '../../src/models/features.js';
import { checkOptions } from '../../src/options.js';

/** A small conformant model (nearest centroid, computed with tfjs) to test the harness with. */
export class ToyNearestCentroid implements Model<'features'> {
  readonly name: string = 'toyNearestCentroid';
  readonly inputKind = 'features' as const;
  readonly params = {};
  protected centroids: tf.Tensor2D | undefined;

  private disposed = false;

  async fit(x: FeatureMatrix, y: LabelsInput, options: FitOptions = {}): Promise<this> {
    const fn = `${this.name}.fit`;
    if (this.disposed) throw fail('INVALID_ARGUMENT', fn, 'this', 'a live model', 'a disposed one');
    const { y: labels } = checkFitData(fn, x, y);
    this.centroids?.dispose();
    this.centroids = undefined;
    if (options.signal?.aborted) throw new DOMException('fit aborted', 'AbortError');
    await Promise.resolve();
    const k = Math.max(...labels) + 1;
    this.centroids = tf.tidy(() => {
      const xs = tf.tensor2d(x.data, [x.rows, x.cols]);
      const oneHot = tf.oneHot(tf.tensor1d(labels, 'int32'), k).toFloat();
      const sums = tf.matMul(oneHot, xs, true, false);
      return tf.div(sums, tf.maximum(oneHot.sum(0).expandDims(1), 1)) as tf.Tensor2D;
    });
    return this;
  }

  async predict(x: FeatureMatrix): Promise<Int32Array> {
    const fn = `${this.name}.predict`;
    const c = this.centroids;
    if (c === undefined) throw new NotFittedError(fn);
    if (x.cols !== c.shape[1]) throw fail('INVALID_SHAPE', fn, 'x', `${String(c.shape[1])} features`, String(x.cols));
    const p = tf.tidy(() => {
      const xs = tf.tensor2d(x.data, [x.rows, x.cols]);
      const d = tf.sub(tf.sum(tf.square(c), 1), tf.mul(2, tf.matMul(xs, c, false, true)));
      return tf.argMin(d, 1);
    });
    const out = Int32Array.from(await p.data());
    p.dispose();
    return out;
  }

  dispose(): void {
    this.centroids?.dispose();
    this.centroids = undefined;
    this.disposed = true;
  }
}

export const toyEntry: ModelEntry<'features'> = {
  title: 'Toy nearest centroid',
  options: [],
  trainsByEpoch: false,
  threads: 'none',
  convnet: false,
  cost: () => 0,
  name: 'toyNearestCentroid',
  inputKind: 'features',
  create: (o = {}) => {
    checkOptions('toy.create', o, ['seed', 'threads', 'options']);
    checkOptions('toy.create', o.options, [], 'options');
    return new ToyNearestCentroid();
  },
};
