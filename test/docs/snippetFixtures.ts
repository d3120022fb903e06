// Small stand-ins for the files users bring, under the names the doc snippets use: a snippet's
// working folder gets a copy of each one its code names (test/docs/snippets.integration.test.ts). Written
// with the library's own writers, or byte for byte in the file's format, so they are what the
// real files are, only smaller.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { writeCifar10Binary } from '../../src/data/export.js';
import { createRandom } from '../../src/random.js';
import { runStudy } from '../../src/study/run/runStudy.js';
import type { ImageArray } from '../../src/types.js';
import { writeIdxFolder } from '../conformance/fixtures.js';

/** `n` random 8-bit images (values k/255) and labels 0..classes-1 in turn. */
function images(n: number, side: number, channels: number, classes: number, seed: string): { images: ImageArray; labels: Int32Array } {
  const random = createRandom(seed);
  const data = Float32Array.from({ length: n * side * side * channels }, () => Math.floor(random() * 256) / 255);
  return { images: { data, shape: [n, side, side, channels] }, labels: Int32Array.from({ length: n }, (_, i) => i % classes) };
}

/** Writes the stand-ins into `dir`; returns their names (files or folders). */
export async function makeFixtures(dir: string): Promise<string[]> {
  // CIFAR-10's binary version: five training batches and a test batch, 20 images each.
  const cifar = join(dir, 'cifar-10-batches-bin');
  mkdirSync(cifar, { recursive: true });
  for (const [k, file] of ['data_batch_1', 'data_batch_2', 'data_batch_3', 'data_batch_4', 'data_batch_5', 'test_batch'].entries()) {
    const b = images(20, 32, 3, 10, `cifar ${String(k)}`);
    writeCifar10Binary(join(cifar, `${file}.bin`), b.images, b.labels);
  }
  // MNIST-style IDX files: 30 training and 20 test images of 28x28, plain and gzipped.
  const idx = writeIdxFolder(join(dir, 'idx'), { train: 30, test: 20, side: 28, classes: 10 });
  for (const name of ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte']) {
    writeFileSync(join(dir, `${name}.gz`), gzipSync(readFileSync(join(idx, name))));
  }
  for (const name of ['t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte']) writeFileSync(join(dir, name), readFileSync(join(idx, name)));
  // Yelp Review Full's CSV format: "label","text", labels 1..5.
  mkdirSync(join(dir, 'yelp_review_full_csv'));
  const reviews = ['Cold food.', 'Slow service.', 'It was fine.', 'Good pasta.\\nWill return.', 'Best ramen in town!'];
  const csv = reviews.map((text, k) => `"${String(k + 1)}","${text}"\n`).join('');
  writeFileSync(join(dir, 'yelp_review_full_csv', 'test.csv'), csv.repeat(4));
  // Results files: a small study (a tree and a perceptron with learning curves, two seeds, a swept
  // amplitude), whole and as two shards of one seed each.
  const { images: x, labels: y } = images(40, 8, 1, 4, 'study');
  const split = (from: number, to: number): { images: ImageArray; labels: Int32Array; classNames: string[] } => ({
    images: { data: x.data.slice(from * 64, to * 64), shape: [to - from, 8, 8, 1] },
    labels: y.slice(from, to),
    classNames: ['a', 'b', 'c', 'd'],
  });
  const config = {
    dataset: 'random-8x8',
    train: split(0, 32),
    test: split(32, 40),
    signals: ['onePixel', 'meanShift'],
    models: ['decisionTree', 'perceptron'],
    modelOptions: { perceptron: { epochs: 2 } },
    sweep: { onePixel: { scale: [1e-3, 1e-2] } },
    predictions: true,
  };
  await runStudy({ ...config, seeds: [0, 1], results: join(dir, 'study.jsonl') });
  await runStudy({ ...config, seeds: [0], results: join(dir, 'a.jsonl') });
  await runStudy({ ...config, seeds: [1], results: join(dir, 'b.jsonl') });
  return ['cifar-10-batches-bin', 'train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte', 'yelp_review_full_csv', 'study.jsonl', 'a.jsonl', 'b.jsonl'];
}
