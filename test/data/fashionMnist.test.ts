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
  it('loads the whole npm package: 70,000 images, skipping its 2 empty records', () => {
    const ds = loadFashionMnist({ as: 'array' });
    expect(ds.images.shape).toEqual([70000, 28, 28, 1]);
    expect(ds.skipped).toBe(2);
    expect(ds.labels.filter((v) => v === 9).length).toBe(7000);
    let max = 0;
    for (const v of ds.images.data) if (v > max) max = v;
    expect(max).toBe(1);
  });

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
