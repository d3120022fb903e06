import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LOAD_IDX_OPTIONS, loadIdx, readIdx } from '../../src/data/index.js';
import { typedError } from './typedError.js';

const dir = mkdtempSync(join(tmpdir(), 'idx-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function idxFile(name: string, magic: number, dims: number[], body: Uint8Array): string {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header.writeUInt32BE(magic, 0);
  dims.forEach((d, k) => header.writeUInt32BE(d, 4 + 4 * k));
  writeFileSync(join(dir, name), Buffer.concat([header, body]));
  return join(dir, name);
}

describe('loadIdx / readIdx: typed errors naming the function called (issue #13)', () => {
  const images = idxFile('img', 2051, [2, 2, 2], new Uint8Array(8));
  const labels = idxFile('lab', 2049, [2], Uint8Array.of(0, 1));

  it('declares its option names and checks them', () => {
    expect(LOAD_IDX_OPTIONS).toEqual(['numClasses', 'classNames', 'as']);
    expect(
      typedError(() => loadIdx(images, labels, { numclasses: 2 } as never), 'UNKNOWN_OPTION', 'loadIdx', 'options.numclasses').message,
    ).toMatch(/did you mean 'numClasses'/);
    typedError(() => loadIdx(images, labels, null as never), 'INVALID_ARGUMENT', 'loadIdx', 'options');
    typedError(() => loadIdx(images, labels, { as: 'arr' as never }), 'INVALID_ARGUMENT', 'loadIdx', 'options.as');
    // Class names used to be returned as given, whatever they were.
    typedError(() => loadIdx(images, labels, { numClasses: 2, classNames: ['a'] }), 'INVALID_ARGUMENT', 'loadIdx', 'options.classNames');
    expect(loadIdx(images, labels, { numClasses: 2, classNames: ['a', 'b'], as: 'array' }).classNames).toEqual(['a', 'b']);
  });

  it("file errors name loadIdx and the path's argument, not the inner readIdx", () => {
    const missing = typedError(() => loadIdx(join(dir, 'nope'), labels), 'DATA_FORMAT', 'loadIdx', 'imagesPath');
    expect(missing.message).toMatch(/nope: no such file or folder/);
    expect(typedError(() => loadIdx(images, dir), 'DATA_FORMAT', 'loadIdx', 'labelsPath').message).toMatch(/a folder, not a file/);
    typedError(() => loadIdx(images, idxFile('lab9', 2049, [2], Uint8Array.of(0, 10))), 'DATA_FORMAT', 'loadIdx', 'labelsPath');
    typedError(() => loadIdx(labels, labels), 'DATA_FORMAT', 'loadIdx', 'imagesPath');
    typedError(() => loadIdx(1 as never, labels), 'INVALID_ARGUMENT', 'loadIdx', 'imagesPath');
  });

  it('an images file without images is DATA_FORMAT', () => {
    const none = idxFile('none', 2051, [0, 28, 28], new Uint8Array(0));
    typedError(() => loadIdx(none, idxFile('lab0', 2049, [0], new Uint8Array(0))), 'DATA_FORMAT', 'loadIdx', 'imagesPath');
  });

  it('readIdx checks its path and the magic number asked for', () => {
    // readIdx(0) would read standard input.
    typedError(() => readIdx(0 as never), 'INVALID_ARGUMENT', 'readIdx', 'path');
    typedError(() => readIdx(images, 2050), 'INVALID_ARGUMENT', 'readIdx', 'expectedMagic');
    typedError(() => readIdx(join(dir, 'nope')), 'DATA_FORMAT', 'readIdx', 'path');
    const sub = join(dir, 'sub');
    mkdirSync(sub);
    typedError(() => readIdx(sub), 'DATA_FORMAT', 'readIdx', 'path');
  });
});
