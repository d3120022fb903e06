import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BlindspotsError } from '../../../src/errors.js';
import { PRESETS, planStudy, prepareStudy, type StudyFile } from '../../../src/study/index.js';
import { planStudyOf } from '../../../src/study/spec/plan.js';
import { writeIdxFolder } from '../../conformance/fixtures.js';

describe('PRESETS', () => {
  // Planning checks every signal, model and option name, so a preset with a typo fails here, not
  // hours into a run.
  const plans = Object.fromEntries(Object.entries(PRESETS).map(([name, preset]) => [name, planStudyOf(prepareStudy(preset), name)]));

  it.each(Object.keys(PRESETS))('%s prepares and plans, with a description', (name) => {
    expect(PRESETS[name]?.about.length).toBeGreaterThan(20);
    expect(plans[name]?.cells.length).toBeGreaterThan(0);
  });

  it("table2-charcnn holds table2's cells for the char-CNN: same data, signals and controls, so the files merge into one table", () => {
    const classic = plans.table2?.cells ?? [];
    const charCnn = plans['table2-charcnn']?.cells ?? [];
    const rows = (cells: typeof classic): string[] => [...new Set(cells.map((c) => c.signal))].sort();
    expect(rows(charCnn)).toEqual(rows(classic));
    expect(new Set(charCnn.map((c) => c.model))).toEqual(new Set(['charCnn']));
    expect(new Set(classic.map((c) => c.model)).has('charCnn')).toBe(false);
    expect(new Set(charCnn.map((c) => c.key)).size).toBe(charCnn.length);
    expect(charCnn.map((c) => c.key).filter((k) => classic.some((c) => c.key === k))).toEqual([]);
    expect(plans['table2-charcnn']?.data).toEqual(plans.table2?.data);
  });
});

describe('prepareStudy: about', () => {
  const dir = mkdtempSync(join(tmpdir(), 'presets-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const idx = writeIdxFolder(join(dir, 'idx'), { train: 30, test: 15, side: 8, classes: 3 });
  const file: StudyFile = { dataset: { idx }, signals: ['onePixel'], models: ['decisionTree'] };

  it('takes a description that changes no cell', () => {
    const keys = (f: StudyFile): string[] => planStudy(prepareStudy(f)).cells.map((c) => c.key);
    expect(keys({ ...file, about: 'a pilot' })).toEqual(keys(file));
  });

  it('refuses a description that is not a string, naming config.about', () => {
    const bad = { ...file, about: 42 } as unknown as StudyFile;
    expect(() => prepareStudy(bad)).toThrow(BlindspotsError);
    expect(() => prepareStudy(bad)).toThrow(/prepareStudy: argument 'config\.about': expected a string/);
  });
});
