import * as tf from '@tensorflow/tfjs';
import { deriveSeed, seedInt } from '../../random.js';
import { fail } from '../../errors.js';
import { charCodes } from '../../data/quantize.js';
import { ZHANG_ALPHABET, ZHANG_INPUT_LENGTH } from '../../data/alphabet.js';
import { checkTexts } from '../../encoders/text/textCodec.js';
import type { Texts } from '../../types.js';
import { optionNames } from '../../options.js';
import { type Batches, ConvNetModel, TRAIN_OPTIONS, type Network, type TrainOptions } from './convNet.js';
import { Init, biasRelu, newParams, oneHotConv1d } from './layers.js';
import { INIT_SCHEMES } from './trainOptions.js';

/** Options of {@link CharCNN}. */
export interface CharCNNOptions extends TrainOptions {
  /** Zhang et al.'s small (256 features, 1,024 hidden units) or large (1,024 / 2,048) network (default small). */
  readonly size?: 'small' | 'large';
  /** Characters per text (default 1014, as Zhang et al.). Must leave at least one position after the last pooling. */
  readonly length?: number;
  /** Dropout probability between the fully connected layers (default 0.5). */
  readonly dropout?: number;
}

/** The option names of {@link CharCNN}. */
export const CHAR_CNN_OPTIONS = optionNames<CharCNNOptions>()(...TRAIN_OPTIONS, 'size', 'length', 'dropout');

const KERNELS = [7, 7, 3, 3, 3, 3] as const;
const POOLED = new Set([0, 1, 5]);

/** The shortest input with one position left at the end: 123 characters. */
const MIN_LENGTH = 123;

/** Positions left after the six convolutions and three max-poolings of width 3. */
export function charCnnOutputLength(length: number): number {
  let out = length;
  KERNELS.forEach((k, i) => {
    out = out - k + 1;
    if (POOLED.has(i)) out = Math.floor(out / 3);
  });
  return out;
}

/**
 * Zhang, Zhao & LeCun's (2015) character-level ConvNet: texts quantised one-hot over the
 * 70-character alphabet (backward order, 1,014 positions), six 1-D convolutions (kernels 7, 7, 3,
 * 3, 3, 3; max-pooling 3 after the 1st, 2nd and 6th; ReLU), three fully connected layers with
 * dropout 0.5 between them. Gaussian initialisation with std 0.05 (small) or 0.02 (large), as the
 * paper. Training defaults follow the paper: SGD with momentum 0.9, learning rate 0.01 halved at
 * one and two thirds of the training, batch 128, no weight decay.
 *
 * @example
 * ```ts
 * import { CharCNN } from 'blindspots/models';
 * const [trainTexts, trainLabels] = [['great food', 'awful', 'loved it', 'cold and slow'], [1, 0, 1, 0]];
 * const net = new CharCNN({ size: 'small', epochs: 1, seed: 1 }); // 1 epoch on 4 texts: a demonstration
 * await net.fit(trainTexts, trainLabels);
 * const predicted = await net.predict(['nice', 'bad']); // Int32Array of 2 labels
 * net.dispose();
 * ```
 */
export class CharCNN extends ConvNetModel<'texts'> {
  readonly name: string = 'charCnn';
  readonly inputKind = 'texts' as const;
  readonly size: 'small' | 'large';
  readonly length: number;
  readonly dropout: number;

  constructor(readonly options: CharCNNOptions = {}) {
    super(
      options,
      { learningRate: 0.01, weightDecay: 0, lrSteps: [1 / 3, 2 / 3], lrDecay: 0.5, init: 'zhang' },
      'CharCNN',
      CHAR_CNN_OPTIONS,
      INIT_SCHEMES,
    );
    const size = options.size ?? 'small';
    if (size !== 'small' && size !== 'large')
      throw fail('INVALID_ARGUMENT', 'CharCNN', 'options.size', "'small' or 'large'", JSON.stringify(size));
    this.size = size;
    this.length = options.length ?? ZHANG_INPUT_LENGTH;
    if (!Number.isInteger(this.length) || charCnnOutputLength(this.length) < 1) {
      throw fail(
        'INVALID_ARGUMENT',
        'CharCNN',
        'options.length',
        `an integer >= ${String(MIN_LENGTH)} (one position left after the convolutions and poolings)`,
        String(options.length),
      );
    }
    const dropout = options.dropout ?? 0.5;
    if (typeof dropout !== 'number' || !(dropout >= 0 && dropout < 1))
      throw fail('INVALID_ARGUMENT', 'CharCNN', 'options.dropout', 'a number in [0, 1)', String(dropout));
    this.dropout = dropout;
  }

  protected prepare(fn: string, x: Texts): Batches {
    checkTexts(fn, x, 'x', { allowEmptyTexts: true });
    // Codes (entry + 1, 0 for none) are 1/70 of the one-hot size. A batch is its letters' indices
    // [n, L] (-1 for none), int32: the first layer convolves them as one-hot vectors (oneHotConv1d)
    // without building them. The network's sample shape stays the one-hot [1, L, 70].
    const codes = charCodes(x, { length: this.length, order: 'backward' });
    const L = this.length;
    const letters = (rows: Int32Array) => {
      const idx = new Int32Array(rows.length * L);
      rows.forEach((r, i) => {
        for (let p = 0; p < L; p++) idx[i * L + p] = (codes.data[r * L + p] as number) - 1;
      });
      return tf.tensor2d(idx, [rows.length, L], 'int32');
    };
    return {
      count: codes.rows,
      sampleShape: [1, L, ZHANG_ALPHABET.length],
      gather: letters,
      slice: (start, count) => letters(Int32Array.from({ length: count }, (_, i) => start + i)),
      dispose: () => undefined,
    };
  }

  protected describeOptions(): Record<string, unknown> {
    return { ...this.options, size: this.size, length: this.length, dropout: this.dropout };
  }

  protected build(inputShape: readonly number[], numClasses: number, seed: number): Network {
    const params = newParams();
    const std = this.size === 'small' ? 0.05 : 0.02;
    const init = new Init(params, seed, { ...this.train, zhangStd: std });
    const features = this.size === 'small' ? 256 : 1024;
    const hidden = this.size === 'small' ? 1024 : 2048;
    let cin = inputShape[2] as number;
    const convs = KERNELS.map((k, i) => {
      const layer = {
        w: init.kernel(`conv${String(i + 1)}/kernel`, [1, k, cin, features], k * cin),
        b: init.kernelBias(`conv${String(i + 1)}/bias`, [features], k * cin),
      };
      cin = features;
      return layer;
    });
    const flat = charCnnOutputLength(inputShape[1] as number) * features;
    const fc = [
      [flat, hidden],
      [hidden, hidden],
      [hidden, numClasses],
    ].map(([a, b], i) => ({
      w: init.dense(`fc${String(i + 1)}/kernel`, [a as number, b as number], a as number),
      b: init.denseBias(`fc${String(i + 1)}/bias`, [b as number], a as number),
    }));
    const dropout = this.dropout;
    return {
      params,
      forward: (x, training, _updates, step) => {
        // x: letter indices [N, L] (see prepare).
        let h = x as tf.Tensor4D;
        convs.forEach((c, i) => {
          const z = i === 0 ? oneHotConv1d(x as tf.Tensor2D, c.w as tf.Tensor4D) : tf.conv2d(h, c.w as tf.Tensor4D, 1, 'valid');
          h = biasRelu(z, c.b) as tf.Tensor4D;
          if (POOLED.has(i)) h = tf.maxPool(h, [1, 3], [1, 3], 'valid');
        });
        let z = tf.reshape(h, [h.shape[0], -1]) as tf.Tensor2D;
        fc.forEach((l, i) => {
          z = tf.add(tf.matMul(z, l.w as tf.Tensor2D), l.b) as tf.Tensor2D;
          if (i < 2) {
            z = tf.relu(z);
            if (training && dropout > 0)
              z = tf.dropout(z, dropout, undefined, seedInt(deriveSeed(seed, 'dropout', step, i))) as tf.Tensor2D;
          }
        });
        return z;
      },
    };
  }
}
