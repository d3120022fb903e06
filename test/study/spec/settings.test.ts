import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { STUDY_FILE_HELP } from '../../../src/cli/studyCommand.js';
import { BlindspotsError } from '../../../src/errors.js';
import { DATA_SECTION_KEYS, dataSectionOf } from '../../../src/study/run/queue/job.js';
import {
  checkStudyFile,
  planStudy,
  prepareStudy,
  readResults,
  runStudy,
  splitIdentity,
  STUDY_CONFIG_KEYS,
  STUDY_SETTINGS,
  studyFileJsonSchema,
  unpackPredictions,
  type CellRecord,
  type StudyConfig,
  type StudyFile,
  type StudyPlan,
  type StudySettingName,
} from '../../../src/study/index.js';
import { studyFileHelp } from '../../../src/study/spec/schema.js';
import { writeIdxFolder } from '../../conformance/fixtures.js';

// Registry conformance of the study settings (issue #28), as scikit-learn's check_estimator is for
// estimators: one loop over STUDY_SETTINGS checks, for every setting, each place it must show up —
// the help, the JSON Schema, the study file and config checks, the queue's data section, the
// plan, the cells' keys and the records of a run. A setting without an entry in CASES fails every
// check, so adding one to the declaration forces its author to say where it shows.

const dir = mkdtempSync(join(tmpdir(), 'blindspots-settings-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
// Two tiny image datasets of different content (8x8, 2 classes, 24 images): a study of them plans
// and runs in milliseconds.
const IDX = writeIdxFolder(join(dir, 'idx'), { train: 16, test: 8, side: 8, classes: 2 });
const OTHER_IDX = writeIdxFolder(join(dir, 'other'), { train: 16, test: 8, side: 8, classes: 2, seed: 'other content' });

/** The study every case starts from: one signal, one quick model, two cells. */
const BASE = { dataset: { idx: IDX }, signals: ['onePixel'], models: ['decisionTree'] } as const satisfies StudyFile;

/** What this test knows of a setting: values, and where they must show. */
interface SettingCase {
  /** Two valid values: the first is checked everywhere; the pair tells whether the setting changes the cells' keys. */
  readonly values: readonly [unknown, unknown];
  /** A value the checks refuse naming the setting (and the JSON Schema, for a setting of the study file). */
  readonly invalid: unknown;
  /** Other settings the values need (a dataset perClass applies to, a model that trains by epochs). */
  readonly with?: Readonly<Partial<Record<StudySettingName, unknown>>>;
  /** Whether the two values give the cells different keys: what changes a cell's result must. */
  readonly keys: 'differ' | 'same';
  /** Where the first value shows in the plan (and the config prepareStudy made). */
  readonly plan: (plan: StudyPlan, config: StudyConfig) => void;
  /**
   * Where the first value shows in the records of a run, or why this test does not run it (only
   * for a setting that leaves the keys alone: one that changes them changes what a cell runs).
   */
  readonly records: ((records: readonly CellRecord[], plan: StudyPlan) => void) | { readonly notRun: string };
}

const signalsOf = (cells: readonly { signal: string }[]): string[] => [...new Set(cells.map((c) => c.signal))];

/** One case per setting, by name. A new setting fails this test (and tsc) until it has one. */
const CASES: Readonly<Record<StudySettingName, SettingCase>> = {
  about: {
    values: ['what this study is for', 'something else'],
    invalid: 42,
    keys: 'same',
    plan: (plan, config) => {
      expect(config).not.toHaveProperty('about');
      expect(JSON.stringify(plan.cells)).not.toContain('what this study is for');
    },
    records: (records) => expect(JSON.stringify(records)).not.toContain('what this study is for'),
  },
  dataset: {
    values: [{ idx: IDX }, { idx: OTHER_IDX }],
    invalid: { cifar: IDX },
    keys: 'differ',
    plan: (plan, config) => {
      expect(config.dataset).toBe('idx');
      expect(plan.data).toMatchObject({ name: 'idx', preparation: { source: 'idx' } });
      expect(plan.data.train.n + plan.data.test.n).toBe(24);
    },
    records: (records) => {
      for (const r of records) expect(r.dataset).toBe('idx');
    },
  },
  perClass: {
    with: { dataset: 'fashion-mnist' },
    values: [5, 6],
    invalid: 0,
    keys: 'differ',
    plan: (plan) => {
      expect(plan.data).toMatchObject({ name: 'fashion-mnist/5-per-class', preparation: { perClass: 5 } });
      expect(plan.data.train.n + plan.data.test.n).toBe(50);
    },
    records: (records) => {
      for (const r of records) expect([r.dataset, r.nTrain + r.nTest]).toEqual(['fashion-mnist/5-per-class', 50]);
    },
  },
  size: {
    values: [0.5, 0.75],
    invalid: 0,
    keys: 'differ',
    plan: (plan) => {
      expect(plan.data).toMatchObject({ name: 'idx/size-0.5', preparation: { size: 0.5 } });
      expect(plan.data.train.n + plan.data.test.n).toBe(12);
    },
    records: (records) => {
      for (const r of records) expect([r.dataset, r.nTrain + r.nTest]).toEqual(['idx/size-0.5', 12]);
    },
  },
  testFraction: {
    values: [0.25, 0.5],
    invalid: 1,
    keys: 'differ',
    plan: (plan) => {
      expect(plan.data.preparation.testFraction).toBe(0.25);
      expect(plan.data.test.n).toBe(6);
    },
    records: (records) => {
      for (const r of records) expect(r.nTest).toBe(6);
    },
  },
  splitSeed: {
    values: [1, 2],
    invalid: -1,
    keys: 'differ',
    plan: (plan) => expect(plan.data.preparation.splitSeed).toBe(1),
    records: (records) => {
      for (const r of records) expect(r.data.preparation.splitSeed).toBe(1);
    },
  },
  signals: {
    values: [['meanShift'], ['onePixel']],
    invalid: 'some',
    keys: 'differ',
    plan: (plan) => expect(signalsOf(plan.cells)).toEqual(['clean', 'meanShift']),
    records: (records) => expect(signalsOf(records)).toEqual(['clean', 'meanShift']),
  },
  models: {
    values: [['gaussianNB'], ['decisionTree']],
    invalid: 'gaussianNB',
    keys: 'differ',
    plan: (plan) => expect(new Set(plan.cells.map((c) => c.model))).toEqual(new Set(['gaussianNB'])),
    records: (records) => expect(new Set(records.map((r) => r.model))).toEqual(new Set(['gaussianNB'])),
  },
  modelOptions: {
    values: [{ decisionTree: { maxDepth: 1 } }, { decisionTree: { maxDepth: 2 } }],
    invalid: { decisionTree: 1 },
    keys: 'differ',
    plan: (plan) => {
      for (const c of plan.cells) expect([c.modelOptions.maxDepth, c.params.maxDepth]).toEqual([1, 1]);
    },
    records: (records) => {
      for (const r of records) expect(r.params.maxDepth).toBe(1);
    },
  },
  signalOptions: {
    values: [{ onePixel: { scale: 0.5 } }, { onePixel: { scale: 0.25 } }],
    invalid: { onePixel: 'big' },
    keys: 'differ',
    plan: (plan) => expect(plan.cells.find((c) => c.signal === 'onePixel')?.options.scale).toBe(0.5),
    records: (records) => expect(records.find((r) => r.signal === 'onePixel')?.options.scale).toBe(0.5),
  },
  sweep: {
    values: [{ onePixel: { scale: [0.5, 0.25] } }, { decisionTree: { maxDepth: [1, 2] } }],
    invalid: { onePixel: { scale: [] } },
    keys: 'differ',
    plan: (plan) => {
      const swept = plan.cells.filter((c) => c.signal === 'onePixel');
      expect(swept.map((c) => [c.sweep, c.options.scale])).toEqual([
        [{ scale: 0.5 }, 0.5],
        [{ scale: 0.25 }, 0.25],
      ]);
    },
    records: (records) => {
      expect(records.filter((r) => r.signal === 'onePixel').map((r) => r.sweep)).toEqual([{ scale: 0.5 }, { scale: 0.25 }]);
    },
  },
  seeds: {
    values: [[1, 2], [0]],
    invalid: [],
    keys: 'differ',
    plan: (plan) => expect(plan.cells.map((c) => c.seed)).toEqual([1, 1, 2, 2]),
    records: (records) => expect(records.map((r) => r.seed)).toEqual([1, 1, 2, 2]),
  },
  control: {
    values: [true, false],
    invalid: 'yes',
    keys: 'differ',
    plan: (plan) => expect(signalsOf(plan.cells)).toEqual(['clean', 'onePixel', 'onePixel:only']),
    records: (records) => expect(signalsOf(records)).toEqual(['clean', 'onePixel', 'onePixel:only']),
  },
  dither: {
    // 8-bit data's own step (the default 255 levels); the schema refuses steps too coarse for the
    // encoders (test/study/spec/plan.test.ts).
    values: [{ seed: 3 }, true],
    invalid: { levelz: 3 },
    keys: 'differ',
    plan: (plan) => expect(plan.data.dither).toEqual({ levels: 255, seed: 3 }),
    records: (records) => {
      for (const r of records) expect(r.data.dither).toEqual({ levels: 255, seed: 3 });
    },
  },
  curves: {
    with: { models: ['perceptron'], modelOptions: { perceptron: { epochs: 2 } } },
    values: [{ every: 2 }, false],
    invalid: { every: 0 },
    keys: 'same',
    plan: (plan) => {
      for (const c of plan.cells) expect(c.curveEvery).toBe(2);
    },
    records: (records) => {
      for (const r of records) expect(r.curve?.map((p) => p.epoch)).toEqual([2]);
    },
  },
  predictions: {
    values: [true, false],
    invalid: 'yes',
    keys: 'same',
    plan: (plan) => {
      for (const c of plan.cells) expect(c.predictions).toBe(true);
    },
    records: (records) => {
      for (const r of records) {
        expect(r.predictions).toBeDefined();
        if (r.predictions !== undefined) expect(unpackPredictions(r.predictions).labels).toHaveLength(r.nTest);
      }
    },
  },
  threads: {
    // Threads change a ConvNet's result (and key: test/study/spec/plan.test.ts), not a forest's.
    with: { models: ['randomForest'] },
    values: [2, 1],
    invalid: 0,
    keys: 'same',
    plan: (plan) => {
      expect(plan.threads).toBe(2);
      for (const c of plan.cells) expect([c.threads, c.params.threads]).toEqual([2, 2]);
    },
    records: { notRun: 'a forest on 2 threads trains on worker threads, which is the integration tier' },
  },
  parallel: {
    values: [2, 1],
    invalid: 0,
    keys: 'same',
    plan: (plan) => expect(plan.parallel).toBe(2),
    records: {
      notRun: 'how many cells run at once, on worker threads: runStudy.integration.test.ts finds the records of a parallel run the same',
    },
  },
  results: {
    values: [join(dir, 'results.jsonl'), join(dir, 'other.jsonl')],
    invalid: '',
    keys: 'same',
    plan: (_plan, config) => expect(config.results).toBe(join(dir, 'results.jsonl')),
    records: (records) => expect(readResults(join(dir, 'results.jsonl')).map((r) => r.key)).toEqual(records.map((r) => r.key)),
  },
  shard: {
    values: [
      { index: 0, count: 2 },
      { index: 1, count: 2 },
    ],
    invalid: { index: -1, count: 2 },
    keys: 'differ',
    plan: (plan) => {
      const all = planStudy(prepareStudy(BASE)).cells.map((c) => c.key);
      expect(plan.cells.length).toBeGreaterThan(0);
      expect(plan.cells.length).toBeLessThan(all.length);
      for (const c of plan.cells) expect(all).toContain(c.key);
    },
    records: (records, plan) => expect(records).toHaveLength(plan.cells.length),
  },
};

/** The settings of a declaration without a case here: the loop below fails for each. */
function withoutCase(settings: object): string[] {
  return Object.keys(settings).filter((name) => !Object.hasOwn(CASES, name));
}

function caseOf(name: StudySettingName): SettingCase {
  if (!Object.hasOwn(CASES, name))
    throw new Error(`no case for the setting '${name}': add its values and where they show to CASES in test/study/spec/settings.test.ts`);
  return CASES[name];
}

function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error, none was thrown');
}

/** A typed error naming the setting `name` (or a path inside it) as `config.<name>…`. */
const namingSetting = (name: string): unknown =>
  expect.objectContaining({
    details: expect.objectContaining({ arg: expect.stringMatching(new RegExp(`^config\\.${name}(\\.|\\[|$)`)) as unknown }) as unknown,
  });

/** Keywords that say nothing about a value (annotations): the validator passes over them. */
const ANNOTATIONS = new Set(['$schema', '$id', 'title', 'description']);

/**
 * The reasons `value` does not match a JSON Schema, [] when it does: the keywords of draft
 * 2020-12 the study file's schema uses. An unknown keyword throws, so that a schema this
 * validator cannot read fails the test instead of passing it unread.
 */
function schemaErrors(schema: unknown, value: unknown, at = '$'): string[] {
  if (schema === true) return [];
  if (schema === false) return [`${at}: nothing allowed`];
  const s = schema as Record<string, unknown>;
  const errors: string[] = [];
  const isObject = value !== null && typeof value === 'object' && !Array.isArray(value);
  for (const [keyword, arg] of Object.entries(s)) {
    if (ANNOTATIONS.has(keyword)) continue;
    switch (keyword) {
      case 'type': {
        const ok: Record<string, boolean> = {
          object: isObject,
          array: Array.isArray(value),
          string: typeof value === 'string',
          boolean: typeof value === 'boolean',
          number: typeof value === 'number' && Number.isFinite(value),
          integer: Number.isInteger(value),
          null: value === null,
        };
        if (!(typeof arg === 'string' && arg in ok)) throw new Error(`${at}: type ${JSON.stringify(arg)} is not read here`);
        if (ok[arg] !== true) errors.push(`${at}: not of type ${arg}`);
        break;
      }
      case 'enum':
        if (!(arg as unknown[]).some((v) => v === value)) errors.push(`${at}: not one of ${JSON.stringify(arg)}`);
        break;
      case 'const':
        if (value !== arg) errors.push(`${at}: not ${JSON.stringify(arg)}`);
        break;
      case 'anyOf':
        if (!(arg as unknown[]).some((sub) => schemaErrors(sub, value, at).length === 0)) errors.push(`${at}: matches none of anyOf`);
        break;
      case 'minimum':
        if (typeof value === 'number' && value < (arg as number)) errors.push(`${at}: below ${String(arg)}`);
        break;
      case 'maximum':
        if (typeof value === 'number' && value > (arg as number)) errors.push(`${at}: above ${String(arg)}`);
        break;
      case 'exclusiveMinimum':
        if (typeof value === 'number' && value <= (arg as number)) errors.push(`${at}: not above ${String(arg)}`);
        break;
      case 'exclusiveMaximum':
        if (typeof value === 'number' && value >= (arg as number)) errors.push(`${at}: not below ${String(arg)}`);
        break;
      case 'minLength':
        if (typeof value === 'string' && value.length < (arg as number)) errors.push(`${at}: shorter than ${String(arg)}`);
        break;
      case 'minItems':
        if (Array.isArray(value) && value.length < (arg as number)) errors.push(`${at}: fewer than ${String(arg)} items`);
        break;
      case 'items':
        if (Array.isArray(value)) value.forEach((v, i) => errors.push(...schemaErrors(arg, v, `${at}[${String(i)}]`)));
        break;
      case 'required':
        if (isObject) for (const k of arg as string[]) if (!Object.hasOwn(value, k)) errors.push(`${at}: no ${k}`);
        break;
      case 'properties':
        if (isObject)
          for (const [k, sub] of Object.entries(arg as Record<string, unknown>))
            if (Object.hasOwn(value, k)) errors.push(...schemaErrors(sub, (value as Record<string, unknown>)[k], `${at}.${k}`));
        break;
      case 'propertyNames':
        if (isObject) for (const k of Object.keys(value)) errors.push(...schemaErrors(arg, k, `${at}[name ${k}]`));
        break;
      case 'additionalProperties':
        if (isObject) {
          const declared = Object.keys(s.properties ?? {});
          for (const [k, v] of Object.entries(value)) if (!declared.includes(k)) errors.push(...schemaErrors(arg, v, `${at}.${k}`));
        }
        break;
      default:
        throw new Error(`${at}: the keyword ${keyword} is not read here`);
    }
  }
  return errors;
}

const NAMES = Object.keys(STUDY_SETTINGS) as StudySettingName[];

describe('every study setting shows where it must (a conformance test over STUDY_SETTINGS)', () => {
  it('has a case here for every setting', () => {
    expect(withoutCase(STUDY_SETTINGS)).toEqual([]);
  });

  describe.each(NAMES)('%s', (name) => {
    const setting: { where: string; data?: true; example: string } = STUDY_SETTINGS[name];
    const inFile = setting.where !== 'config';
    const inConfig = setting.where !== 'file';
    // The study file or config with a value; the plan of the first value, made once.
    const file = (value: unknown): StudyFile => ({ ...BASE, ...caseOf(name).with, [name]: value }) as StudyFile;
    const config = (value: unknown): StudyConfig =>
      inFile ? prepareStudy(file(value)) : { ...prepareStudy({ ...BASE, ...caseOf(name).with } as StudyFile), [name]: value };
    let first: { plan: StudyPlan; config: StudyConfig } | undefined;
    const planned = (): { plan: StudyPlan; config: StudyConfig } => {
      if (first === undefined) {
        const c = config(caseOf(name).values[0]);
        first = { plan: planStudy(c), config: c };
      }
      return first;
    };
    /** The config of the first value without the setting (data made once: fashion-mnist whole would take seconds). */
    const withoutSetting = (): StudyConfig => {
      const { [name]: _setting, ...rest } = planned().config as unknown as Record<string, unknown>;
      return rest as unknown as StudyConfig;
    };
    const helpLine = new RegExp(`^ {4}"${name}": `, 'm');

    it(inFile ? 'is in the help, with an example a study file takes' : 'is not in the help of the study file', () => {
      caseOf(name);
      const example: unknown = JSON.parse(setting.example);
      if (inFile) {
        expect(studyFileHelp()).toMatch(helpLine);
        expect(STUDY_FILE_HELP).toMatch(helpLine);
        expect(() => checkStudyFile('test', { ...BASE, [name]: example })).not.toThrow();
      } else {
        expect(studyFileHelp()).not.toMatch(helpLine);
        expect(() => planStudy({ ...prepareStudy(BASE), [name]: example })).not.toThrow();
      }
    });

    it(inFile ? 'is in the JSON Schema, which takes the values and refuses the invalid one' : 'is not in the JSON Schema', () => {
      const { values, invalid } = caseOf(name);
      const schema = studyFileJsonSchema() as { properties: Record<string, unknown> };
      if (inFile) {
        expect(Object.keys(schema.properties)).toContain(name);
        for (const v of values) expect(schemaErrors(schema, file(v))).toEqual([]);
        expect(schemaErrors(schema, file(invalid))).not.toEqual([]);
      } else {
        expect(Object.keys(schema.properties)).not.toContain(name);
        expect(schemaErrors(schema, { ...BASE, [name]: values[0] })).not.toEqual([]);
      }
    });

    it(inFile ? 'a study file takes it, and an invalid value fails naming it' : 'a study file refuses it', () => {
      const { values, invalid } = caseOf(name);
      if (inFile) {
        const { config: c } = planned();
        if (inConfig) expect(c[name as keyof StudyConfig]).toEqual(values[0]);
        else if (!STUDY_CONFIG_KEYS.includes(name)) expect(c).not.toHaveProperty(name);
        const e = thrown(() => planStudy(prepareStudy(file(invalid))));
        expect(e).toBeInstanceOf(BlindspotsError);
        expect(e).toEqual(namingSetting(name));
      } else {
        expect(thrown(() => prepareStudy({ ...BASE, [name]: values[0] }))).toMatchObject({
          code: 'UNKNOWN_OPTION',
          details: { arg: `config.${name}` },
        });
      }
    });

    it(inConfig ? 'a study config takes it, and an invalid value fails naming it' : 'a study config refuses the study file form', () => {
      const { values, invalid } = caseOf(name);
      const base = withoutSetting();
      if (inConfig) {
        expect(STUDY_CONFIG_KEYS).toContain(name);
        expect(() => planStudy({ ...base, [name]: values[0] })).not.toThrow();
        const e = thrown(() => planStudy({ ...base, [name]: invalid }));
        expect(e).toBeInstanceOf(BlindspotsError);
        expect(e).toEqual(namingSetting(name));
      } else {
        // `dataset` names the data in a config; the others are not config settings at all.
        expect(thrown(() => planStudy({ ...base, [name]: values[0] }))).toEqual(namingSetting(name));
      }
    });

    it(setting.data === true ? "is in the queue's data section" : "is not in the queue's data section", () => {
      caseOf(name);
      expect(DATA_SECTION_KEYS.includes(name as never)).toBe(setting.data === true);
      if (!inFile) return;
      const f = file(caseOf(name).values[0]);
      expect(Object.hasOwn(dataSectionOf(f), name)).toBe(setting.data === true);
    });

    it('leaves a queue worker making the planned data from the data section alone', () => {
      caseOf(name);
      if (!inFile) return;
      // What a worker does (cellJobProcessor): a setting that makes the data but is not in the
      // section gives the worker other data than the coordinator planned.
      const made = prepareStudy({ ...dataSectionOf(file(caseOf(name).values[0])), signals: [], models: [] });
      // prepareStudy makes plain batches (no tensors).
      const identity = (ds: StudyConfig['train']) => splitIdentity(ds as Parameters<typeof splitIdentity>[0]);
      const { data } = planned().plan;
      expect([made.dataset, made.preparation, identity(made.train), identity(made.test)]).toEqual([
        data.name,
        data.preparation,
        data.train,
        data.test,
      ]);
    });

    it('reaches the plan', () => {
      const { plan, config: c } = planned();
      caseOf(name).plan(plan, c);
    });

    it("changes the cells' keys, or not, as its case says", () => {
      const { values, keys } = caseOf(name);
      const keysOf = (c: StudyConfig): string[] => planStudy(c).cells.map((cell) => cell.key);
      const [a, b] = [keysOf(config(values[0])), keysOf(config(values[1]))];
      if (keys === 'differ') expect(new Set(a)).not.toEqual(new Set(b));
      else expect(a).toEqual(b);
    });

    it('reaches the records of a run', async () => {
      const { records: check, keys } = caseOf(name);
      if ('notRun' in check) {
        // A setting that changes the keys changes what a cell runs: its records must show it.
        expect(keys).toBe('same');
        expect(check.notRun.length).toBeGreaterThan(10);
        return;
      }
      const { plan, config: c } = planned();
      const records = await runStudy(c);
      expect(records.map((r) => r.key)).toEqual(plan.cells.map((cell) => cell.key));
      for (const r of records) expect(r.data).toEqual(plan.data);
      check(records, plan);
    });
  });
});

describe('a setting added to the declaration', () => {
  // The derived forms are made when schema.ts is loaded, from the literal STUDY_SETTINGS, so the
  // test adds a setting where an author would: to a copy of the source, loaded in place of
  // schema.ts (its imports made absolute), with prepare.ts and plan.ts loaded again on top of it.
  const SCHEMA_TS = fileURLToPath(new URL('../../../src/study/spec/schema.ts', import.meta.url));
  const ANCHOR = 'export const STUDY_SETTINGS = {\n';

  afterAll(() => {
    vi.doUnmock('../../../src/study/spec/schema.js');
    vi.resetModules();
  });

  it('shows in the help and the JSON Schema, a study file and a config take it, and the conformance test above wants its case', async () => {
    const source = readFileSync(SCHEMA_TS, 'utf8');
    expect(source).toContain(ANCHOR);
    const added = source
      .replace(
        ANCHOR,
        `${ANCHOR}  madeUp: { schema: z.number().int().min(0), where: 'both', example: '3', help: 'a setting made up by a test' },\n`,
      )
      .replaceAll(/from '(\.{1,2}\/[^']+)'/g, (_, path: string) => `from '${resolve(dirname(SCHEMA_TS), path)}'`);
    const copyDir = join(dir, 'made-up');
    mkdirSync(copyDir);
    // Its package imports (zod) resolve to the project's own copies.
    symlinkSync(fileURLToPath(new URL('../../../node_modules', import.meta.url)), join(copyDir, 'node_modules'));
    const copy = join(copyDir, 'schema.ts');
    writeFileSync(copy, added);
    vi.resetModules();
    vi.doMock('../../../src/study/spec/schema.js', () => import(copy));
    const schema = await import('../../../src/study/spec/schema.js');
    const { prepareStudy: prepare } = await import('../../../src/study/spec/prepare.js');
    const { planStudy: plan } = await import('../../../src/study/spec/plan.js');

    expect(Object.keys(schema.STUDY_SETTINGS)).toContain('madeUp');
    expect(schema.studyFileHelp()).toMatch(/^ {4}"madeUp": 3, +a setting made up by a test$/m);
    const json = schema.studyFileJsonSchema() as { properties: Record<string, unknown> };
    expect(json.properties.madeUp).toMatchObject({ type: 'integer', minimum: 0 });
    expect(schemaErrors(json, { ...BASE, madeUp: 3 })).toEqual([]);
    expect(schemaErrors(json, { ...BASE, madeUp: -1 })).not.toEqual([]);
    const config = prepare({ ...BASE, madeUp: 3 } as StudyFile);
    expect(config).toMatchObject({ madeUp: 3 });
    expect(plan(config).cells).toHaveLength(2);
    expect(thrown(() => prepare({ ...BASE, madeUp: -1 } as StudyFile))).toEqual(namingSetting('madeUp'));
    // What only the planner can give it — its meaning, and so its place in cells and records — the
    // loop above demands: without a case here, every check of it fails.
    expect(withoutCase(schema.STUDY_SETTINGS)).toEqual(['madeUp']);
  });
});
