import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { STUDY_FILE_HELP } from '../../../src/cli/studyCommand.js';
import { DATA_SECTION_KEYS } from '../../../src/study/run/queue/job.js';
import {
  checkStudyFile,
  PRESETS,
  STUDY_CONFIG_KEYS,
  STUDY_FILE_KEYS,
  STUDY_SETTINGS,
  studyFileJsonSchema,
} from '../../../src/study/index.js';
import { thrownBy } from '../../conformance/typedError.js';

const settings = Object.entries(STUDY_SETTINGS) as [string, { where: string; data?: true }][];
const base = { dataset: 'fashion-mnist', signals: 'all', models: ['decisionTree'] };

describe('the study settings: one declaration', () => {
  it('every setting is in the help, the JSON Schema and the key lists of its kind — and nothing else is', () => {
    const schema = studyFileJsonSchema() as { properties: Record<string, unknown> };
    for (const [name, s] of settings) {
      if (s.where !== 'config') {
        expect(STUDY_FILE_HELP).toContain(`"${name}":`);
        expect(Object.keys(schema.properties)).toContain(name);
        expect(STUDY_FILE_KEYS).toContain(name);
      }
      if (s.where !== 'file') expect(STUDY_CONFIG_KEYS).toContain(name);
      expect(DATA_SECTION_KEYS.includes(name as never)).toBe(s.data === true);
    }
    const fileSettings = settings.filter(([, s]) => s.where !== 'config').map(([n]) => n);
    expect([...STUDY_FILE_KEYS].sort()).toEqual([...fileSettings].sort());
    expect(
      Object.keys(schema.properties)
        .filter((k) => k !== '$schema')
        .sort(),
    ).toEqual([...fileSettings].sort());
  });

  it('ships a JSON Schema that is the one the declaration makes (npx tsx scripts/study-schema.ts)', () => {
    const shipped: unknown = JSON.parse(readFileSync(new URL('../../../study.schema.json', import.meta.url), 'utf8'));
    expect(shipped).toEqual(studyFileJsonSchema());
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
      exports: Record<string, unknown>;
      files: string[];
    };
    expect(pkg.exports['./study.schema.json']).toBe('./study.schema.json');
    expect(pkg.files).toContain('study.schema.json');
  });

  it("lists the registry's models, signals and their options for editors", () => {
    const schema = studyFileJsonSchema() as { properties: Record<string, { properties?: Record<string, { properties?: object }> }> };
    expect(Object.keys(schema.properties.modelOptions?.properties?.resnet?.properties ?? {})).toEqual(
      expect.arrayContaining(['depth', 'init', 'initScale', 'schedule']),
    );
    expect(Object.keys(schema.properties.sweep?.properties ?? {})).toEqual(expect.arrayContaining(['orthogonalNoise', 'resnet']));
  });

  it('accepts every preset and a $schema line', () => {
    for (const preset of Object.values(PRESETS)) expect(() => checkStudyFile('test', preset)).not.toThrow();
    expect(() => checkStudyFile('test', { ...base, $schema: './node_modules/blindspots/study.schema.json' })).not.toThrow();
  });

  it('names a misspelt key with the closest name, at any depth, and a bad value by its path', () => {
    expect(thrownBy(() => checkStudyFile('prepareStudy', { ...base, result: 'x.jsonl' }))).toMatchObject({
      code: 'UNKNOWN_OPTION',
      details: { fn: 'prepareStudy', arg: 'config.result' },
      message: expect.stringMatching(/did you mean 'results'/) as unknown,
    });
    expect(thrownBy(() => checkStudyFile('prepareStudy', { ...base, dither: { levelz: 3 } }))).toMatchObject({
      code: 'UNKNOWN_OPTION',
      details: { arg: 'config.dither.levelz' },
    });
    expect(thrownBy(() => checkStudyFile('prepareStudy', { ...base, seeds: [0, 1.5] }))).toMatchObject({
      code: 'INVALID_ARGUMENT',
      details: { arg: 'config.seeds[1]', expected: 'an integer' },
    });
    expect(thrownBy(() => checkStudyFile('prepareStudy', { ...base, testFraction: 1 }))).toMatchObject({
      code: 'INVALID_ARGUMENT',
      details: { arg: 'config.testFraction' },
    });
    expect(thrownBy(() => checkStudyFile('prepareStudy', { ...base, dataset: { cifar: 'x' } }))).toMatchObject({
      code: 'INVALID_ARGUMENT',
      details: { arg: 'config.dataset', expected: expect.stringContaining('zhangCsv') as unknown },
    });
    expect(thrownBy(() => checkStudyFile('prepareStudy', [base]))).toMatchObject({ code: 'INVALID_ARGUMENT', details: { arg: 'config' } });
  });
});
