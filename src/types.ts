import type { Tensor4D } from '@tensorflow/tfjs';

/** A batch of images: a float32 tfjs tensor in NHWC layout, values normally in [0, 1]. */
export type ImageBatch = Tensor4D;

/** The shape of an image batch: [samples, height, width, channels]. */
export type ImageShape = readonly [n: number, height: number, width: number, channels: number];

/**
 * A batch of images without tfjs: row-major NHWC float32 values and their shape. Every image
 * encoder accepts it and returns the same kind.
 */
export interface ImageArray {
  readonly data: Float32Array;
  readonly shape: ImageShape;
}

/** Either form of an image batch. */
export type ImageInput = ImageBatch | ImageArray;

/** A batch of texts. */
export type Texts = readonly string[];

/** Class labels, 0-based. Functions also accept any array of integers as input. */
export type Labels = Int32Array;

/** What public functions accept as labels: an Int32Array or any array-like of integers. */
export type LabelsInput = Labels | ArrayLike<number>;

/** A dense row-major matrix of features: `data[r * cols + c]`. */
export interface FeatureMatrix {
  readonly data: Float32Array;
  readonly rows: number;
  readonly cols: number;
}
