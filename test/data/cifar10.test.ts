import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CIFAR10_BINARY_URL, LOAD_CIFAR10_OPTIONS, loadCifar10 } from '../../src/data/index.js';
import { typedError } from './typedError.js';

const root = mkdtempSync(join(tmpdir(), 'cifar-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;
const freshDir = () => {
  const d = join(root, String(dirs++));
  mkdirSync(d);
  return d;
};
/** A folder with a one-record test split. */
const testSplit = () => {
  const dir = freshDir();
  writeFileSync(join(dir, 'test_batch.bin'), new Uint8Array(3073));
  return dir;
};

describe('loadCifar10: typed errors (issue #13)', () => {
  it('declares its option names and checks them', () => {
    expect(LOAD_CIFAR10_OPTIONS).toEqual(['split', 'as']);
    const dir = testSplit();
    expect(
      typedError(() => loadCifar10(dir, { spilt: 'test' } as never), 'UNKNOWN_OPTION', 'loadCifar10', 'options.spilt').message,
    ).toMatch(/did you mean 'split'/);
    for (const bad of [null, 'test', 1]) typedError(() => loadCifar10(dir, bad as never), 'INVALID_ARGUMENT', 'loadCifar10', 'options');
    // 'Array' used to give a tensor without a word.
    typedError(() => loadCifar10(dir, { split: 'test', as: 'Array' as never }), 'INVALID_ARGUMENT', 'loadCifar10', 'options.as');
    typedError(() => loadCifar10(dir, { split: 'dev' as never }), 'INVALID_ARGUMENT', 'loadCifar10', 'options.split');
    typedError(() => loadCifar10(42 as never), 'INVALID_ARGUMENT', 'loadCifar10', 'dir');
    expect(loadCifar10(dir, { split: 'test', as: 'array' }).labels.length).toBe(1);
  });

  it('a missing folder says where the CIFAR-10 binary version comes from', () => {
    const e = typedError(() => loadCifar10(join(root, 'cifar-10-batches-bin')), 'DATA_FORMAT', 'loadCifar10', 'dir');
    expect(CIFAR10_BINARY_URL).toBe('https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz');
    expect(e.message).toContain('CIFAR-10 binary version');
    expect(e.message).toContain(CIFAR10_BINARY_URL);
    expect(e.message).toMatch(/cifar-10-batches-bin: no such file or folder/);
    // A folder without the split's files says it too.
    expect(typedError(() => loadCifar10(freshDir()), 'DATA_FORMAT', 'loadCifar10', 'dir').message).toContain(CIFAR10_BINARY_URL);
  });

  it('a regular file or a dangling link in place of the folder', () => {
    const file = join(freshDir(), 'data_batch_1.bin');
    writeFileSync(file, new Uint8Array(3073));
    expect(typedError(() => loadCifar10(file), 'DATA_FORMAT', 'loadCifar10', 'dir').message).toMatch(/data_batch_1\.bin: .*not a folder/);
    const link = join(freshDir(), 'cifar');
    symlinkSync(join(root, 'gone'), link);
    expect(typedError(() => loadCifar10(link), 'DATA_FORMAT', 'loadCifar10', 'dir').message).toMatch(
      /a link to .*gone, which does not exist/,
    );
  });

  it("a dangling link or a folder in place of a split's file, an unreadable batches.meta.txt", () => {
    const dir = freshDir();
    symlinkSync(join(root, 'gone.bin'), join(dir, 'test_batch.bin'));
    expect(typedError(() => loadCifar10(dir, { split: 'test' }), 'DATA_FORMAT', 'loadCifar10', 'dir').message).toMatch(
      /test_batch\.bin .*a link to .*gone\.bin, which does not exist/,
    );
    const dir2 = freshDir();
    mkdirSync(join(dir2, 'test_batch.bin'));
    // Opening a folder used to pass, and then fail as an incomplete record or a raw EISDIR.
    expect(typedError(() => loadCifar10(dir2, { split: 'test' }), 'DATA_FORMAT', 'loadCifar10', 'dir').message).toMatch(
      /a folder, not a file/,
    );
    const dir3 = testSplit();
    mkdirSync(join(dir3, 'batches.meta.txt'));
    expect(typedError(() => loadCifar10(dir3, { split: 'test' }), 'DATA_FORMAT', 'loadCifar10', 'dir').message).toMatch(
      /batches\.meta\.txt: a folder/,
    );
  });
});
