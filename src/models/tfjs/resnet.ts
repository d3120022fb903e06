import * as tf from '@tensorflow/tfjs';
import { fail } from '../../errors.js';
import { checkInteger } from '../../validate.js';
import { checkChoice, optionNames } from '../../options.js';
import { ImageConvNetModel, TRAIN_OPTIONS, type Network, type TrainOptions } from './convNet.js';
import { type BatchNormVars, type FeatureSteps, Init, batchNormVars, newParams, runFeatureSteps } from './layers.js';
import type { InferenceStep } from '../../kernels/tfjs/index.js';

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
    // The feature extractor as steps (runFeatureSteps): value 0 is the input, step i's output value i + 1.
    const filters = new Map<string, tf.Variable>();
    const batchNorms = new Map<string, BatchNormVars>();
    const steps: InferenceStep[] = [];
    const convBn = (conv: string, bn: string, input: number, cin: number, cout: number, stride: number, residual?: number): number => {
      filters.set(conv, init.kernel(conv, [3, 3, cin, cout], 9 * cin));
      batchNorms.set(bn, batchNormVars(init, bn, cout));
      // A number is a symmetric padding to tfjs; 'same' puts an odd total after. Stride-1 convolutions pad symmetrically either way.
      const pad = stride === 1 ? 'same' : this.stridePadding === 'symmetric' ? 1 : 'same';
      const step = { op: 'convBatchNorm', input, filter: conv, bn, stride, pad, relu: true } as const;
      steps.push(residual === undefined ? step : { ...step, residual });
      return steps.length;
    };
    let h = convBn('stem/conv', 'stem/bn', 0, channels, w0, 1);
    const n = (this.depth - 2) / 6;
    let cin = w0;
    for (let stage = 0; stage < 3; stage++) {
      const cout = w0 * 2 ** stage;
      for (let j = 0; j < n; j++) {
        const name = `stage${String(stage + 1)}/block${String(j + 1)}`;
        const stride = stage > 0 && j === 0 ? 2 : 1;
        // Variables in the order of the checkpoints: conv1, bn1, conv2, bn2.
        const y = convBn(`${name}/conv1`, `${name}/bn1`, h, cin, cout, stride);
        let shortcut = h;
        if (stride !== 1 || cout !== cin) {
          steps.push({ op: 'shortcut', input: h, stride, channels: cout });
          shortcut = steps.length;
        }
        // relu(bn2(conv2(y)) + shortcut) in one kernel where the backend has it.
        h = convBn(`${name}/conv2`, `${name}/bn2`, y, cout, cout, 1, shortcut);
        cin = cout;
      }
    }
    steps.push({ op: 'mean', input: h });
    const features: FeatureSteps = { steps, filters, batchNorms };
    const fcW = init.dense('fc/kernel', [cin, numClasses], cin);
    const fcB = init.denseBias('fc/bias', [numClasses], cin);
    return {
      params,
      forward: (x, training, updates) => {
        const pooled = runFeatureSteps(x as tf.Tensor4D, features, training, updates);
        return tf.add(tf.matMul(pooled, fcW as tf.Tensor2D), fcB) as tf.Tensor2D;
      },
    };
  }
}
