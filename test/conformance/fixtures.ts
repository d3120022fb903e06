import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
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

/**
 * Writes a small MNIST-style IDX folder (train-* and t10k-* images and labels) of random 8-bit
 * images with cyclic labels: a dataset a study loads in milliseconds (`{ "idx": dir }`).
 */
export function writeIdxFolder(
  dir: string,
  options: { train: number; test: number; side: number; classes: number; seed?: string },
): string {
  mkdirSync(dir, { recursive: true });
  const random = createRandom(options.seed ?? 'idx fixture');
  const header = (magic: number, dims: number[]): Buffer => {
    const h = Buffer.alloc(4 + 4 * dims.length);
    h.writeUInt32BE(magic, 0);
    dims.forEach((d, k) => h.writeUInt32BE(d, 4 + 4 * k));
    return h;
  };
  for (const [prefix, n] of [
    ['train', options.train],
    ['t10k', options.test],
  ] as const) {
    const pixels = Uint8Array.from({ length: n * options.side * options.side }, () => Math.floor(random() * 256));
    writeFileSync(join(dir, `${prefix}-images-idx3-ubyte`), Buffer.concat([header(2051, [n, options.side, options.side]), pixels]));
    writeFileSync(
      join(dir, `${prefix}-labels-idx1-ubyte`),
      Buffer.concat([header(2049, [n]), Uint8Array.from(cyclicLabels(n, options.classes))]),
    );
  }
  return dir;
}
