import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { splitDataset } from '../../../src/data/index.js';
import { canonicalJson, hashKey, readResults, ResultsFile, runStudy, type StudyConfig } from '../../../src/study/index.js';
import { cyclicLabels, gridImages } from '../../conformance/fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'records-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const { train, test } = splitDataset(
  { images: gridImages(60, 8, 8, 1), labels: cyclicLabels(60, 3), classNames: ['a', 'b', 'c'] },
  1 / 3,
  0,
);
const base: StudyConfig = { dataset: 'grid', train, test, signals: ['onePixel'], models: ['decisionTree'] };

const thrown = async (f: () => Promise<unknown>): Promise<unknown> => {
  try {
    await f();
  } catch (e) {
    return e;
  }
  return undefined;
};

describe('keys', () => {
  it('hash the canonical JSON: key order does not matter, values do', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { f: 2, e: 3 }], c: null } })).toBe('{"a":{"c":null,"d":[1,{"e":3,"f":2}]},"b":1}');
    expect(hashKey({ a: 1, b: 2 })).toBe(hashKey({ b: 2, a: 1 }));
    expect(hashKey({ a: 1 })).not.toBe(hashKey({ a: 2 }));
    expect(hashKey({ a: 1 })).toMatch(/^[0-9a-f]{32}$/);
  });
});

describe('one writer per results file', () => {
  it('a second writer fails at once with LOCKED naming the PID; the file works again once closed', async () => {
    const path = join(dir, 'locked.jsonl');
    const first = ResultsFile.open(path);
    const e = await thrown(() => runStudy({ ...base, results: path }));
    expect(e).toMatchObject({ code: 'LOCKED', details: { fn: 'runStudy', arg: 'results' } });
    expect((e as Error).message).toContain(`PID ${String(process.pid)}`);
    first.close();
    expect(await runStudy({ ...base, results: path })).toHaveLength(2);
    expect(existsSync(`${path}.lock`)).toBe(false);
  });

  it('takes over the stale lock of a process that died without releasing it', async () => {
    const path = join(dir, 'stale.jsonl');
    const dead = spawnSync(process.execPath, ['-e', '0']).pid;
    writeFileSync(`${path}.lock`, JSON.stringify({ pid: dead, host: hostname(), since: '2026-01-01T00:00:00Z' }));
    expect(await runStudy({ ...base, results: path })).toHaveLength(2);
  });

  it('fails before the first cell on a path it cannot use', async () => {
    let cells = 0;
    const onCell = () => cells++;
    const file = join(dir, 'regular');
    writeFileSync(file, 'x');
    mkdirSync(join(dir, 'folder.jsonl'));
    for (const results of [
      join(file, 'under-a-file.jsonl'),
      join(dir, 'folder.jsonl'),
      join(dir, 'missing', 'x.jsonl'),
      '/proc/blindspots.jsonl',
    ]) {
      const e = await thrown(() => runStudy({ ...base, results, onCell }));
      expect(e, results).toMatchObject({ code: 'INVALID_ARGUMENT', details: { fn: 'runStudy', arg: 'results' } });
    }
    expect(cells).toBe(0);
  });
});

describe('reading results', () => {
  it('readResults never writes the file; the writer repairs a torn last line', async () => {
    const path = join(dir, 'torn.jsonl');
    await runStudy({ ...base, results: path });
    const torn = `${readFileSync(path, 'utf8')}{"schema":2,"key":"abc`;
    writeFileSync(path, torn);
    expect(readResults(path)).toHaveLength(2);
    expect(readFileSync(path, 'utf8')).toBe(torn);
    await runStudy({ ...base, results: path });
    expect(readFileSync(path, 'utf8').endsWith('}\n')).toBe(true);
    expect(readResults(path)).toHaveLength(2);
  });

  it('a line that is JSON but not a record is a DATA_FORMAT error naming file and line', () => {
    for (const line of ['null', '{}', '[1,2,3]', '42', '{"schema":1}', 'not json']) {
      const path = join(dir, 'bad.jsonl');
      writeFileSync(path, `\n${line}\n`);
      let e: unknown;
      try {
        readResults(path);
      } catch (error) {
        e = error;
      }
      expect(e, line).toMatchObject({ code: 'DATA_FORMAT', details: { fn: 'readResults' } });
      expect((e as Error).message, line).toContain(`${path} line 2`);
    }
    expect(() => readResults(join(dir, 'absent.jsonl'))).toThrow(/not found/);
  });
});
