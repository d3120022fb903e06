import { fail } from '../errors.js';
import { readImages, wrapImages } from '../images.js';
import type { FeatureMatrix, ImageInput } from '../types.js';
import { checkInteger, checkNumber } from '../validate.js';
import type { Same } from './dataset.js';

/**
 * Pads images with `value` (default 0) to `height` x `width`, centred (an odd margin puts the
 * extra row/column at the bottom/right): Fashion-MNIST's 28x28 become 32x32 with 2 pixels each side.
 *
 * @example
 * ```ts
 * import { padTo } from 'blindspots/data';
 * const images28 = { data: new Float32Array(2 * 28 * 28), shape: [2, 28, 28, 1] as const };
 * padTo(images28, 32, 32).shape; //=> [2, 32, 32, 1]
 * ```
 */
export function padTo<T extends ImageInput>(images: T, height: number, width: number, value = 0): Same<T> {
  const fn = 'padTo';
  const read = readImages(fn, images);
  const [n, h, w, c] = read.shape;
  checkInteger(fn, 'height', height, h, 1 << 16);
  checkInteger(fn, 'width', width, w, 1 << 16);
  checkNumber(fn, 'value', value);
  const top = Math.floor((height - h) / 2);
  const left = Math.floor((width - w) / 2);
  const out = new Float32Array(n * height * width * c).fill(value);
  for (let i = 0; i < n; i++) {
    for (let r = 0; r < h; r++) {
      const src = (i * h + r) * w * c;
      out.set(read.data.subarray(src, src + w * c), ((i * height + r + top) * width + left) * c);
    }
  }
  return wrapImages({ isTensor: read.isTensor, shape: [n, height, width, c] }, out) as Same<T>;
}

/**
 * Bilinear resize to `height` x `width` with half-pixel centres (as PIL and PyTorch's
 * `align_corners=False`); values are interpolated, so 8-bit images leave the k/255 grid.
 *
 * @example
 * ```ts
 * import { resizeTo } from 'blindspots/data';
 * const images28 = { data: new Float32Array(2 * 28 * 28).fill(0.5), shape: [2, 28, 28, 1] as const };
 * resizeTo(images28, 32, 32).shape; //=> [2, 32, 32, 1]
 * ```
 */
export function resizeTo<T extends ImageInput>(images: T, height: number, width: number): Same<T> {
  const fn = 'resizeTo';
  const read = readImages(fn, images);
  const [n, h, w, c] = read.shape;
  checkInteger(fn, 'height', height, 1, 1 << 16);
  checkInteger(fn, 'width', width, 1, 1 << 16);
  const out = new Float32Array(n * height * width * c);
  const axis = (size: number, target: number, k: number): [number, number, number] => {
    const x = Math.min(Math.max((k + 0.5) * (size / target) - 0.5, 0), size - 1);
    const lo = Math.floor(x);
    return [lo, Math.min(lo + 1, size - 1), x - lo];
  };
  for (let r = 0; r < height; r++) {
    const [r0, r1, fr] = axis(h, height, r);
    for (let col = 0; col < width; col++) {
      const [c0, c1, fc] = axis(w, width, col);
      for (let i = 0; i < n; i++) {
        const at = (rr: number, cc: number, ch: number) => read.data[((i * h + rr) * w + cc) * c + ch] as number;
        for (let ch = 0; ch < c; ch++) {
          const top = at(r0, c0, ch) * (1 - fc) + at(r0, c1, ch) * fc;
          const bottom = at(r1, c0, ch) * (1 - fc) + at(r1, c1, ch) * fc;
          out[((i * height + r) * width + col) * c + ch] = top * (1 - fr) + bottom * fr;
        }
      }
    }
  }
  return wrapImages({ isTensor: read.isTensor, shape: [n, height, width, c] }, out) as Same<T>;
}

/**
 * Grey images (1 channel) to RGB (3 equal channels), so one ConvNet runs on every dataset.
 *
 * @example
 * ```ts
 * import { greyToRgb, padTo } from 'blindspots/data';
 * const grey = { data: new Float32Array(2 * 28 * 28), shape: [2, 28, 28, 1] as const };
 * greyToRgb(padTo(grey, 32, 32)).shape; //=> [2, 32, 32, 3]
 * ```
 */
export function greyToRgb<T extends ImageInput>(images: T): Same<T> {
  const fn = 'greyToRgb';
  const read = readImages(fn, images);
  const [n, h, w, c] = read.shape;
  if (c !== 1) throw fail('INVALID_SHAPE', fn, 'images', '1 channel', `${String(c)} channels`);
  const out = new Float32Array(n * h * w * 3);
  for (let p = 0; p < n * h * w; p++) {
    const v = read.data[p] as number;
    out[3 * p] = v;
    out[3 * p + 1] = v;
    out[3 * p + 2] = v;
  }
  return wrapImages({ isTensor: read.isTensor, shape: [n, h, w, 3] }, out) as Same<T>;
}

/**
 * Images as a feature matrix, one row per image in NHWC order (`h * w * c` columns), for the
 * classical models. Shares the values of a plain batch; copies a tensor's.
 *
 * @example
 * ```ts
 * import { flatten } from 'blindspots/data';
 * const images = { data: new Float32Array(5 * 32 * 32 * 3), shape: [5, 32, 32, 3] as const };
 * const { rows, cols } = flatten(images);
 * [rows, cols]; //=> [5, 3072]
 * ```
 */
export function flatten(images: ImageInput): FeatureMatrix {
  const read = readImages('flatten', images);
  const [n, h, w, c] = read.shape;
  return { data: read.isTensor ? read.data.slice() : read.data, rows: n, cols: h * w * c };
}
