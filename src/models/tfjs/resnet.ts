import * as tf from '@tensorflow/tfjs';
import { fail } from '../../errors.js';
import { checkInteger } from '../../validate.js';
import { checkChoice, optionNames } from '../../options.js';
import { ImageConvNetModel, TRAIN_OPTIONS, type Network, type TrainOptions } from './convNet.js';
import { type BatchNormVars, Init, batchNormVars, convBatchNorm, globalAveragePool, newParams, optionAShortcut } from './layers.js';

/** Options of {@link ResNet}. */
export interface ResNetOptions extends TrainOptions {
  /** 6n + 2 layers with n >= 1: 8, 20, 32, 44, 56 (the paper's CIFAR-10 network, ~855K parameters), 110 … (default 20). */
  readonly depth?: number;
  /** Channels of the first stage; the next two stages double it (default 16, as He et al.). */
  readonly width?: number;
  /**
   * How the stride-2 convolutions (the first of the second and third stages) pad. 'same' (the
   * default, TensorFlow's): a total padding of 1, all of it after, so output i's window is centred
   * on input 2i + 1 — one pixel off the option-A shortcut's sample at 2i. 'symmetric' (PyTorch's
   * `padding=1`, He et al.'s): one before and one after, the window centred on 2i as the
   * shortcut. Stride-1 convolutions pad symmetrically either way. On the same weights and data the
   * two are different functions (scripts/step-parity.ts measures it against PyTorch).
   */
  readonly stridePadding?: StridePadding;
}

/** The {@link ResNetOptions.stridePadding} choices. */
export const STRIDE_PADDINGS = ['same', 'symmetric'] as const;
/** How a ResNet's stride-2 convolutions pad: TensorFlow's 'same' or PyTorch's 'symmetric'. */
export type StridePadding = (typeof STRIDE_PADDINGS)[number];

/** The architecture's own option names (the constructor adds the training options once). */
const ARCHITECTURE_OPTIONS = optionNames<Omit<ResNetOptions, keyof TrainOptions>>()('depth', 'width', 'stridePadding');

/** The option names of {@link ResNet}. */
export const RESNET_OPTIONS = optionNames<ResNetOptions>()(...TRAIN_OPTIONS, ...ARCHITECTURE_OPTIONS);

interface Block {
  readonly w1: tf.Variable;
  readonly bn1: BatchNormVars;
  readonly w2: tf.Variable;
  readonly bn2: BatchNormVars;
  readonly stride: number;
  readonly padChannels: number;
}

/**
 * The CIFAR-10 residual network of He et al. (2016, section 4.2): a 3x3 convolution, three stages
 * of n basic blocks (two 3x3 convolutions with batch norm and ReLU) at `width`, 2`width` and
 * 4`width` channels, the second and third starting with stride 2, identity shortcuts with
 * zero-padded channels where the shape changes (option A), global average pooling and a linear
 * layer. Depth 6n + 2; depth 56 has 853,018 parameters at 10 classes (the paper's "0.85M").
 * Trained as He et al.: SGD, momentum 0.9, weight decay 1e-4, learning rate 0.1 divided by 10 at
 * 50% and 75% of training, batch 128, no data augmentation.
 *
 * @example
 * ```ts
 * import { injectOnePixel } from 'blindspots';
 * import { ResNet } from 'blindspots/models';
 * const labels = [0, 1, 2, 3, 0, 1, 2, 3];
 * const images = injectOnePixel({ data: new Float32Array(8 * 8 * 8), shape: [8, 8, 8, 1] }, labels); // blank but for the signal
 * const net = new ResNet({ depth: 20, epochs: 2, seed: 1 });
 * await net.fit(images, labels, { onProgress: (p) => console.log(p.message, p.samplesPerSecond) });
 * const predicted = await net.predict(images); // Int32Array of 8 labels
 * net.dispose();
 * ```
 */
export class ResNet extends ImageConvNetModel {
  readonly name: string = 'resnet';
  readonly depth: number;
  readonly width: number;
  readonly stridePadding: StridePadding;

  constructor(readonly options: ResNetOptions = {}) {
    // Not RESNET_OPTIONS: the training options would be listed twice in an UNKNOWN_OPTION message.
    super(options, {}, 'ResNet', ARCHITECTURE_OPTIONS);
    const depth = checkInteger('ResNet', 'options.depth', options.depth ?? 20, 8, 10_000);
    if ((depth - 2) % 6 !== 0)
      throw fail('INVALID_ARGUMENT', 'ResNet', 'options.depth', '6n + 2 with n >= 1 (8, 20, 32, 44, 56, 110, …)', String(depth));
    this.depth = depth;
    this.width = checkInteger('ResNet', 'options.width', options.width ?? 16, 1, 4096);
    this.stridePadding = checkChoice('ResNet', 'options.stridePadding', options.stridePadding, STRIDE_PADDINGS, 'same');
  }

  protected describeOptions(): Record<string, unknown> {
    return { ...this.options, depth: this.depth, width: this.width, stridePadding: this.stridePadding };
  }

  protected override weightlessOptions(): Record<string, { readonly value: unknown; readonly before: unknown }> {
    // Checkpoints from before the option ran 'same'.
    return { stridePadding: { value: this.stridePadding, before: 'same' } };
  }

  protected build(inputShape: readonly number[], numClasses: number, seed: number): Network {
    const params = newParams();
    const init = new Init(params, seed, this.train);
    const channels = inputShape[2] as number;
    const w0 = this.width;
    const stem = init.kernel('stem/conv', [3, 3, channels, w0], 9 * channels);
    const stemBn = batchNormVars(init, 'stem/bn', w0);
    const blocks: Block[] = [];
    const n = (this.depth - 2) / 6;
    let cin = w0;
    for (let stage = 0; stage < 3; stage++) {
      const cout = w0 * 2 ** stage;
      for (let j = 0; j < n; j++) {
        const name = `stage${String(stage + 1)}/block${String(j + 1)}`;
        blocks.push({
          w1: init.kernel(`${name}/conv1`, [3, 3, cin, cout], 9 * cin),
          bn1: batchNormVars(init, `${name}/bn1`, cout),
          w2: init.kernel(`${name}/conv2`, [3, 3, cout, cout], 9 * cout),
          bn2: batchNormVars(init, `${name}/bn2`, cout),
          stride: stage > 0 && j === 0 ? 2 : 1,
          padChannels: cout - cin,
        });
        cin = cout;
      }
    }
    // A number is a symmetric padding to tfjs; 'same' puts an odd total after.
    const stridePad = this.stridePadding === 'symmetric' ? 1 : 'same';
    const fcW = init.dense('fc/kernel', [cin, numClasses], cin);
    const fcB = init.denseBias('fc/bias', [numClasses], cin);
    return {
      params,
      forward: (x, training, updates) => {
        let h = convBatchNorm(x as tf.Tensor4D, stem as tf.Tensor4D, 1, 'same', stemBn, training, updates, { relu: true });
        for (const b of blocks) {
          const pad = b.stride === 1 ? 'same' : stridePad;
          const y = convBatchNorm(h, b.w1 as tf.Tensor4D, b.stride, pad, b.bn1, training, updates, { relu: true });
          const shortcut = optionAShortcut(h, b.stride, h.shape[3] + b.padChannels);
          // relu(bn2(conv2(y)) + shortcut) in one kernel where the backend has it.
          h = convBatchNorm(y, b.w2 as tf.Tensor4D, 1, 'same', b.bn2, training, updates, { residual: shortcut, relu: true });
        }
        const pooled = globalAveragePool(h);
        return tf.add(tf.matMul(pooled, fcW as tf.Tensor2D), fcB) as tf.Tensor2D;
      },
    };
  }
}
