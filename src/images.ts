import * as tf from '@tensorflow/tfjs';
// For its effect in Node: tfjs's CPU backend stays quiet (see src/platform/node.ts). Every entry
// point that makes tensors (encoders, data, models, study) comes through this module.
import '#platform';
import { fail } from './errors.js';
import { copyChecked } from './kernels/simd.js';
import { checkFinite, describe } from './validate.js';
import type { ImageArray, ImageInput, ImageShape } from './types.js';

/** An image batch read for computing: its values (never to be written) and shape. */
export interface ReadImages {
  readonly data: Float32Array;
  readonly shape: ImageShape;
  readonly isTensor: boolean;
}

/**
 * True when `x` is a tfjs tensor (duck-typed, so tensors from another copy of tfjs count too).
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { isTensor } from './images.js'; // internal
 * isTensor(tf.zeros([1, 2, 2, 1])); //=> true
 * isTensor({ data: new Float32Array(4), shape: [1, 2, 2, 1] }); //=> false
 * ```
 */
export function isTensor(x: unknown): x is tf.Tensor {
  return (
    typeof x === 'object' &&
    x !== null &&
    typeof (x as tf.Tensor).dataSync === 'function' &&
    Array.isArray((x as tf.Tensor).shape) &&
    typeof (x as tf.Tensor).dtype === 'string'
  );
}

/**
 * Validates an image batch at a public boundary and returns a read-only view of its values:
 * rank 4 (NHWC), float32, at least one sample and one pixel, every value finite.
 *
 * The values of a tensor are the backend's own buffer on the cpu backend: callers must copy
 * before writing.
 *
 * @example
 * ```ts
 * import { readImages } from './images.js'; // internal
 * const images = { data: new Float32Array(2 * 4 * 4), shape: [2, 4, 4, 1] as const };
 * const { data, shape, isTensor } = readImages('injectOnePixel', images);
 * shape; //=> [2, 4, 4, 1]
 * readImages('injectOnePixel', { data: new Float32Array(3), shape: [1, 2, 2, 1] }); //=> throws INVALID_SHAPE
 * ```
 */
export function readImages(fn: string, images: ImageInput, arg = 'images', finite = true): ReadImages {
  let data: unknown;
  let shape: readonly number[];
  let tensor = false;
  if (isTensor(images)) {
    tensor = true;
    if (images.isDisposed) throw fail('INVALID_ARGUMENT', fn, arg, 'a live tensor', 'a disposed tensor');
    if (images.dtype !== 'float32') {
      throw fail('INVALID_DTYPE', fn, arg, 'a float32 tensor', `dtype ${images.dtype}`);
    }
    shape = images.shape;
    if (shape.length !== 4) {
      throw fail('INVALID_SHAPE', fn, arg, 'a rank-4 NHWC tensor [n, height, width, channels]', `shape [${shape.join(', ')}]`);
    }
    data = images.dataSync();
  } else {
    if (typeof images !== 'object' || images === null || !('shape' in images) || !('data' in images)) {
      throw fail('INVALID_ARGUMENT', fn, arg, 'a tf.Tensor4D or { data: Float32Array, shape: [n, h, w, c] }', describe(images));
    }
    const raw = images as { data: unknown; shape: unknown };
    if (!Array.isArray(raw.shape) || raw.shape.length !== 4 || !raw.shape.every((d) => Number.isInteger(d) && d >= 0)) {
      throw fail('INVALID_SHAPE', fn, `${arg}.shape`, '[n, height, width, channels] of non-negative integers', describe(raw.shape));
    }
    shape = raw.shape as number[];
    data = raw.data;
    if (!(data instanceof Float32Array)) {
      throw fail('INVALID_DTYPE', fn, `${arg}.data`, 'a Float32Array', describe(data));
    }
    const expectedLength = shape.reduce((a, b) => a * b, 1);
    if (data.length !== expectedLength) {
      throw fail(
        'INVALID_SHAPE',
        fn,
        `${arg}.data`,
        `${String(expectedLength)} values for shape [${shape.join(', ')}]`,
        `${String(data.length)}`,
      );
    }
  }
  const [n, h, w, c] = shape as [number, number, number, number];
  if (n === 0) throw fail('EMPTY_INPUT', fn, arg, 'at least one image', 'an empty batch');
  if (h === 0 || w === 0 || c === 0) {
    throw fail('INVALID_SHAPE', fn, arg, 'height, width and channels >= 1', `shape [${shape.join(', ')}]`);
  }
  if (finite) checkFinite(fn, arg, data as Float32Array);
  return { data: data as Float32Array, shape: [n, h, w, c], isTensor: tensor };
}

/**
 * Wraps computed values in the same kind of batch the caller passed: a new float32 tensor for a
 * tensor input, a plain `{ data, shape }` otherwise. The values are not copied.
 *
 * @example
 * ```ts
 * import { readImages, wrapImages } from './images.js'; // internal
 * const read = readImages('injectOnePixel', { data: new Float32Array(4), shape: [1, 2, 2, 1] });
 * const out = wrapImages(read, Float32Array.of(0.001, 0, 0, 0)); // a plain batch, as the input was
 * out; //=> { data: Float32Array [0.0010000000474974513, 0, 0, 0], shape: [1, 2, 2, 1] }
 * ```
 */
export function wrapImages(like: { readonly isTensor: boolean; readonly shape: ImageShape }, data: Float32Array): ImageInput {
  const shape: ImageShape = [...like.shape];
  if (like.isTensor) return tf.tensor4d(data, shape as [number, number, number, number], 'float32');
  const out: ImageArray = { data, shape };
  return out;
}

/**
 * A copy of `src` that also checks every value is finite, in one pass over memory: chunks go
 * through the SIMD kernels' memory, are checked there and copied out from cache, so that the check
 * costs little beside the copy (timings in docs/performance.md).
 *
 * @example
 * ```ts
 * import { copyFinite } from './images.js'; // internal
 * copyFinite('injectOnePixel', 'images', Float32Array.of(0, 0.5, 1)); //=> Float32Array [0, 0.5, 1]
 * copyFinite('injectOnePixel', 'images', Float32Array.of(0, NaN)); //=> throws NON_FINITE
 * ```
 */
export function copyFinite(fn: string, arg: string, src: Float32Array): Float32Array {
  const out = copyChecked(src);
  if (typeof out === 'number') {
    // Error path only: scanning from the start is simpler than offsetting the reported index.
    checkFinite(fn, arg, src);
    throw new Error('unreachable: a non-finite value was reported but not found');
  }
  return out;
}
