import * as tf from '@tensorflow/tfjs';
import { ImageConvNetModel, type Network, type TrainOptions } from './convNet.js';
import { Init, newParams } from './layers.js';

/**
 * The paper's "shallow linear network": one fully connected layer from the flattened pixels to
 * the class logits (softmax regression trained by SGD). Defaults: learning rate 0.01, momentum
 * 0.9, weight decay 1e-4, batch 128, 10 epochs, rate divided by 10 at 50% and 75%.
 *
 * @example
 * ```ts
 * import { injectOnePixel } from 'blindspots';
 * import { Perceptron } from 'blindspots/models';
 * const labels = [0, 1, 2, 3, 0, 1, 2, 3];
 * const images = injectOnePixel({ data: new Float32Array(8 * 8 * 8), shape: [8, 8, 8, 1] }, labels); // blank but for the signal
 * const linear = await new Perceptron({ epochs: 5 }).fit(images, labels);
 * ```
 */
export class Perceptron extends ImageConvNetModel {
  readonly name: string = 'perceptron';

  constructor(readonly options: TrainOptions = {}) {
    super(options, { learningRate: 0.01, init: 'torch' }, 'Perceptron');
  }

  protected describeOptions(): Record<string, unknown> {
    return { ...this.options };
  }

  protected build(inputShape: readonly number[], numClasses: number, seed: number): Network {
    const params = newParams();
    const init = new Init(params, seed, this.train);
    const d = tf.util.sizeFromShape([...inputShape]);
    const w = init.kernel('fc/kernel', [d, numClasses], d);
    const b = init.kernelBias('fc/bias', [numClasses], d);
    return {
      params,
      forward: (x) => tf.add(tf.matMul(tf.reshape(x, [x.shape[0], d]), w as tf.Tensor2D), b) as tf.Tensor2D,
    };
  }
}
