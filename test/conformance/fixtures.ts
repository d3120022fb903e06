import { createRandom } from '../../src/random.js';
import type { ImageArray } from '../../src/types.js';

/** Random 8-bit images (values k/255), as CIFAR-10's are. */
export function gridImages(n: number, h: number, w: number, c: number, seed = 'fixture'): ImageArray {
  const random = createRandom(seed);
  const data = new Float32Array(n * h * w * c);
  for (let i = 0; i < data.length; i++) data[i] = Math.floor(random() * 256) / 255;
  return { data, shape: [n, h, w, c] };
}

/** Labels 0..k-1 repeated, so every class appears. */
export function cyclicLabels(n: number, k: number): Int32Array {
  return Int32Array.from({ length: n }, (_, i) => i % k);
}
