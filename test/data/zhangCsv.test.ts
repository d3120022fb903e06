import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LOAD_ZHANG_CSV_OPTIONS, loadZhangCsv, PARSE_ZHANG_CSV_OPTIONS, parseZhangCsv } from '../../src/data/index.js';
import { typedError } from './typedError.js';

const dir = mkdtempSync(join(tmpdir(), 'zhang-errors-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("Zhang's CSV: typed errors naming the function called (issue #13)", () => {
  it('declares its option names and checks them', () => {
    expect(PARSE_ZHANG_CSV_OPTIONS).toEqual(['numClasses', 'file']);
    expect(LOAD_ZHANG_CSV_OPTIONS).toEqual(['numClasses']);
    expect(
      typedError(() => parseZhangCsv('"1","a"\n', { numclasses: 5 } as never), 'UNKNOWN_OPTION', 'parseZhangCsv', 'options.numclasses')
        .message,
    ).toMatch(/did you mean 'numClasses'/);
    typedError(() => parseZhangCsv('"1","a"\n', 5 as never), 'INVALID_ARGUMENT', 'parseZhangCsv', 'options');
    typedError(() => parseZhangCsv('"1","a"\n', { file: 3 as never }), 'INVALID_ARGUMENT', 'parseZhangCsv', 'options.file');
    const path = join(dir, 'ok.csv');
    writeFileSync(path, '"1","a"\n');
    // The file's name is the path: `file` is not an option of loadZhangCsv.
    typedError(() => loadZhangCsv(path, { file: 'x' } as never), 'UNKNOWN_OPTION', 'loadZhangCsv', 'options.file');
    typedError(() => loadZhangCsv(path, null as never), 'INVALID_ARGUMENT', 'loadZhangCsv', 'options');
    typedError(() => loadZhangCsv(path, { numClasses: 0 }), 'INVALID_ARGUMENT', 'loadZhangCsv', 'options.numClasses');
  });

  it('content that is not a string is INVALID_ARGUMENT (null was a raw TypeError, a number an EMPTY_INPUT)', () => {
    typedError(() => parseZhangCsv(null as never), 'INVALID_ARGUMENT', 'parseZhangCsv', 'content');
    typedError(() => parseZhangCsv(42 as never), 'INVALID_ARGUMENT', 'parseZhangCsv', 'content');
  });

  it('a malformed file read by loadZhangCsv names loadZhangCsv, the path argument and the file', () => {
    const path = join(dir, 'bad.csv');
    writeFileSync(path, '"1","a"\n"9","b"\n');
    expect(typedError(() => loadZhangCsv(path), 'DATA_FORMAT', 'loadZhangCsv', 'path').message).toMatch(
      /bad\.csv line 2: a label in 1\.\.5/,
    );
    writeFileSync(path, '');
    typedError(() => loadZhangCsv(path), 'EMPTY_INPUT', 'loadZhangCsv', 'path');
    expect(typedError(() => loadZhangCsv(dir), 'DATA_FORMAT', 'loadZhangCsv', 'path').message).toMatch(/a folder, not a file/);
    typedError(() => loadZhangCsv(0 as never), 'INVALID_ARGUMENT', 'loadZhangCsv', 'path');
  });
});
