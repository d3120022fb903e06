import * as tf from '@tensorflow/tfjs';
import { checkInteger } from '../../validate.js';
import { optionNames } from '../../options.js';
import { ImageConvNetModel, TRAIN_OPTIONS, type Network, type TrainOptions } from './convNet.js';
import { Init, newParams } from './layers.js';

/**
 * The maximum of each channel over all positions, [n, h, w, c] -> [n, c], with the gradient sent
 * to the first position holding the maximum. Written out because tfjs's own gradients are slow
 * on wasm for this shape: tf.max's is an Equal and a Multiply over broadcast shapes, and the
 * whole-image MaxPoolGrad is a scalar loop (each over a second for two ResNet-sized batches);
 * this one is an ArgMax, a one-hot and a transpose.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { globalMax } from './shallowMax.js'; // internal
 * const pooled = globalMax(tf.zeros([2, 5, 5, 8]) as tf.Tensor4D);
 * pooled.shape; //=> [2, 8]
 * ```
 */
export function globalMax(h: tf.Tensor4D): tf.Tensor2D {
  const [n, height, width, c] = h.shape;
  const positions = height * width;
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [x, save] = args as [tf.Tensor, tf.GradSaveFunc];
    const flat = tf.reshape(x, [n, positions, c]);
    const where = tf.argMax(flat, 1);
    save([where]);
    return {
      value: tf.max(flat, 1),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        // The wasm OneHot writes int32 whatever its dtype: cast explicitly.
        const mask = tf.cast(tf.oneHot(saved[0] as tf.Tensor, positions), 'float32'); // [n, c, positions]
        const grad = tf.mul(mask, tf.reshape(dy, [n, c, 1]));
        return tf.reshape(tf.transpose(grad, [0, 2, 1]), [n, height, width, c]);
      },
    };
  });
  return op(h) as tf.Tensor2D;
}

/** Options of {@link ShallowMaxNN}. */
export interface ShallowMaxNNOptions extends TrainOptions {
  /** Convolution filters (default 64). */
  readonly filters?: number;
  /** Square kernel size of the convolution (default 3). */
  readonly kernelSize?: number;
}

/** The option names of {@link ShallowMaxNN}. */
export const SHALLOW_MAX_OPTIONS = optionNames<ShallowMaxNNOptions>()(...TRAIN_OPTIONS, 'filters', 'kernelSize');

/**
 * A shallow network with a global max over positions — this library's definition of the paper's
 * "shallow NN with max": one convolution (`filters` kernels of `kernelSize` x `kernelSize`, stride
 * 1, same padding, with bias), ReLU, the maximum of each filter over all positions, and a linear
 * layer to the class logits. The max makes it a detector of local patterns wherever they occur;
 * it cannot tell where a pattern is. Defaults: 64 filters of 3 x 3, learning rate 0.01, momentum
 * 0.9, weight decay 1e-4, batch 128, 10 epochs.
 *
 * @example
 * ```ts
 * import { injectOnePixel } from 'blindspots';
 * import { ShallowMaxNN } from 'blindspots/models';
 * const labels = [0, 1, 2, 3, 0, 1, 2, 3];
 * const images = injectOnePixel({ data: new Float32Array(8 * 8 * 8), shape: [8, 8, 8, 1] }, labels); // blank but for the signal
 * const net = await new ShallowMaxNN({ filters: 32, epochs: 3 }).fit(images, labels);
 * ```
 */
export class ShallowMaxNN extends ImageConvNetModel {
  readonly name: string = 'shallowMaxNN';
  readonly filters: number;
  readonly kernelSize: number;

  constructor(readonly options: ShallowMaxNNOptions = {}) {
    super(options, { learningRate: 0.01 }, 'ShallowMaxNN', SHALLOW_MAX_OPTIONS);
    this.filters = checkInteger('ShallowMaxNN', 'options.filters', options.filters ?? 64, 1, 65536);
    this.kernelSize = checkInteger('ShallowMaxNN', 'options.kernelSize', options.kernelSize ?? 3, 1, 1024);
  }

  protected describeOptions(): Record<string, unknown> {
    return { ...this.options, filters: this.filters, kernelSize: this.kernelSize };
  }

  protected build(inputShape: readonly number[], numClasses: number, seed: number): Network {
    const params = newParams();
    const init = new Init(params, seed, this.train);
    const c = inputShape[2] as number;
    const k = this.kernelSize;
    const w = init.kernel('conv/kernel', [k, k, c, this.filters], k * k * c);
    const bias = init.kernelBias('conv/bias', [this.filters], k * k * c);
    const fcW = init.dense('fc/kernel', [this.filters, numClasses], this.filters);
    const fcB = init.denseBias('fc/bias', [numClasses], this.filters);
    return {
      params,
      forward: (x) => {
        const h = tf.relu(tf.add(tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same'), bias)) as tf.Tensor4D;
        return tf.add(tf.matMul(globalMax(h), fcW as tf.Tensor2D), fcB) as tf.Tensor2D;
      },
    };
  }
}
