import * as tf from '@tensorflow/tfjs';
import { fail } from '../../errors.js';
import { readImages } from '../../images.js';
import type { ImageInput } from '../../types.js';
import { GATHER_ROWS_KERNEL, hasFusedKernels } from '../../kernels/tfjs/index.js';

/**
 * A validated input, cut into batches on demand: images stay one tensor, texts are one-hot
 * encoded a batch at a time (a quantised SpamAssassin would take 1.7 GB).
 */
export interface Batches {
  readonly count: number;
  /** The shape of one sample as the network sees it. */
  readonly sampleShape: readonly number[];
  /** The samples at `index`, as a new tensor (call inside tf.tidy). */
  gather(index: Int32Array): tf.Tensor;
  /** `count` samples from `start`, as a new tensor (call inside tf.tidy). */
  slice(start: number, count: number): tf.Tensor;
  dispose(): void;
}

/** Batches over one tensor holding every sample. */
export function tensorBatches(x: tf.Tensor): Batches {
  return {
    count: x.shape[0] as number,
    sampleShape: x.shape.slice(1),
    gather: (index) => {
      const indices = tf.tensor1d(index, 'int32');
      // tfjs-wasm's GatherV2 takes ~17 ms for a 128-image batch; a row copy well under 1 ms.
      if (hasFusedKernels() && x.dtype === 'float32') return tf.engine().runKernel(GATHER_ROWS_KERNEL, { x, indices }) as tf.Tensor;
      return tf.gather(x, indices);
    },
    // The same row copy: tfjs-wasm's Slice of 256 images from [1024, 32, 32, 3] took 32-48 ms
    // (tf.profile of predict, 2026-12-07), a fifth of ResNet-20's predict time.
    slice: (start, count) =>
      hasFusedKernels() && x.dtype === 'float32'
        ? (tf.engine().runKernel(GATHER_ROWS_KERNEL, {
            x,
            indices: tf.tensor1d(
              Int32Array.from({ length: count }, (_, i) => start + i),
              'int32',
            ),
          }) as tf.Tensor)
        : tf.slice(x, start, count),
    dispose: () => x.dispose(),
  };
}

/** The inputShape check shared by subclasses: the shape seen at fit time. */
export function checkInputShape(fn: string, arg: string, shape: readonly number[], expected: readonly number[] | undefined): void {
  if (expected !== undefined && shape.join() !== expected.join()) {
    throw fail('INVALID_SHAPE', fn, arg, `samples of shape [${expected.join(', ')}] (as at fit)`, `[${shape.join(', ')}]`);
  }
}

/** Turns an image batch into a tensor the model owns, checking its sample shape against the fitted one. */
export function imagesToTensor(fn: string, x: ImageInput, inputShape?: readonly number[]): tf.Tensor4D {
  const { data, shape } = readImages(fn, x, 'x');
  checkInputShape(fn, 'x', shape.slice(1), inputShape);
  return tf.tensor4d(data, [...shape] as [number, number, number, number]);
}
