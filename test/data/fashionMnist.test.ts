import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { LOAD_FASHION_MNIST_OPTIONS, loadFashionMnist } from '../../src/data/index.js';
import { BlindspotsError } from '../../src/errors.js';
import { typedError } from './typedError.js';

const dir = mkdtempSync(join(tmpdir(), 'fmnist-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function writeClasses(records: (k: number) => unknown[]): void {
  for (let k = 0; k < 10; k++) writeFileSync(join(dir, `${String(k)}.json`), JSON.stringify({ data: records(k) }));
}

describe('loadFashionMnist', () => {
  it('returns a tensor by default, perClass images of each class', () => {
    const before = tf.memory().numTensors;
    const ds = loadFashionMnist({ perClass: 3 });
    expect(ds.images.shape).toEqual([30, 28, 28, 1]);
    expect(Array.from(ds.labels)).toEqual([0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 5, 5, 5, 6, 6, 6, 7, 7, 7, 8, 8, 8, 9, 9, 9]);
    ds.images.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('names the file and record of a malformed record', () => {
    writeClasses((k) => (k === 4 ? [new Array(784).fill(1), new Array(783).fill(1)] : [new Array(784).fill(0)]));
    let err: unknown;
    try {
      loadFashionMnist({ dir, as: 'array' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(BlindspotsError);
    expect((err as BlindspotsError).code).toBe('DATA_FORMAT');
    expect((err as Error).message).toMatch(/4\.json record 1 to hold 784 pixels, got 783/);
  });

  it('rejects pixel values outside 0..255 and unreadable files', () => {
    writeClasses((k) => [new Array(784).fill(k === 2 ? 256 : 0)]);
    expect(() => loadFashionMnist({ dir, as: 'array' })).toThrow(/2\.json record 0: pixel values 0\.\.255, got 256 at pixel 0/);
    expect(() => loadFashionMnist({ dir: join(dir, 'nope'), as: 'array' })).toThrow(/readable JSON file/);
  });
});

describe('loadFashionMnist: typed errors (issue #13)', () => {
  it('declares its option names and checks them', () => {
    expect(LOAD_FASHION_MNIST_OPTIONS).toEqual(['perClass', 'as', 'dir']);
    expect(
      typedError(() => loadFashionMnist({ perclass: 3 } as never), 'UNKNOWN_OPTION', 'loadFashionMnist', 'options.perclass').message,
    ).toMatch(/did you mean 'perClass'/);
    for (const bad of [null, 'array', 3])
      typedError(() => loadFashionMnist(bad as never), 'INVALID_ARGUMENT', 'loadFashionMnist', 'options');
    typedError(() => loadFashionMnist({ perClass: 1, as: 'arrays' as never }), 'INVALID_ARGUMENT', 'loadFashionMnist', 'options.as');
    typedError(() => loadFashionMnist({ perClass: 0 }), 'INVALID_ARGUMENT', 'loadFashionMnist', 'options.perClass');
    typedError(() => loadFashionMnist({ dir: ['x'] as never }), 'INVALID_ARGUMENT', 'loadFashionMnist', 'options.dir');
  });

  it('a missing folder or a folder in place of a class file is DATA_FORMAT naming the file', () => {
    expect(
      typedError(() => loadFashionMnist({ dir: join(dir, 'nope') }), 'DATA_FORMAT', 'loadFashionMnist', 'options.dir').message,
    ).toMatch(/0\.json: no such file or folder/);
    writeClasses(() => [new Array(784).fill(0)]);
    rmSync(join(dir, '3.json'));
    mkdirSync(join(dir, '3.json'));
    expect(typedError(() => loadFashionMnist({ dir }), 'DATA_FORMAT', 'loadFashionMnist', 'options.dir').message).toMatch(
      /3\.json: a folder, not a file/,
    );
    rmSync(join(dir, '3.json'), { recursive: true });
    // A JSON null used to be a raw TypeError.
    writeFileSync(join(dir, '3.json'), 'null');
    typedError(() => loadFashionMnist({ dir }), 'DATA_FORMAT', 'loadFashionMnist', 'options.dir');
  });
});

describe('loadFashionMnist reads only what it needs (issue #26)', () => {
  it('stops reading a class file once it has perClass records: what follows is not parsed', () => {
    const broken = mkdtempSync(join(tmpdir(), 'fmnist-partial-'));
    const record = JSON.stringify(new Array(784).fill(7));
    for (let k = 0; k < 10; k++) writeFileSync(join(broken, `${String(k)}.json`), `{"data":[[],${record},${record},this is not JSON`);
    const ds = loadFashionMnist({ dir: broken, perClass: 2, as: 'array' });
    expect(ds.images.shape).toEqual([20, 28, 28, 1]);
    expect(ds.skipped).toBe(10);
    expect(ds.images.data[0]).toBeCloseTo(7 / 255, 7);
    // Asked for more, the file is parsed whole and the error names it.
    expect(
      typedError(() => loadFashionMnist({ dir: broken, perClass: 3 }), 'DATA_FORMAT', 'loadFashionMnist', 'options.dir').message,
    ).toMatch(/0\.json with a "data" array/);
    rmSync(broken, { recursive: true, force: true });
  });

  it('reads other layouts of the same JSON whole: blanks, other keys, non-integer spellings', () => {
    const other = mkdtempSync(join(tmpdir(), 'fmnist-layout-'));
    const pixels = Array.from({ length: 784 }, (_, j) => j % 256);
    const layouts = [
      (k: number) => JSON.stringify({ data: [pixels, [], pixels.map((v) => (v + k) % 256)] }, null, 2),
      () => JSON.stringify({ meta: 'x', data: [pixels, pixels] }),
      () => `{"data":[${JSON.stringify(pixels).replace(/\b5\b/g, '5.0')},${JSON.stringify(pixels)}]}`,
    ];
    for (const layout of layouts) {
      for (let k = 0; k < 10; k++) writeFileSync(join(other, `${String(k)}.json`), layout(k));
      const ds = loadFashionMnist({ dir: other, perClass: 2, as: 'array' });
      expect(ds.images.shape).toEqual([20, 28, 28, 1]);
      expect(Array.from(ds.images.data.subarray(0, 784), (v) => Math.round(v * 255))).toEqual(pixels);
    }
    rmSync(other, { recursive: true, force: true });
  });
});
