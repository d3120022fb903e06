/**
 * The one declaration of a study's settings: each name, its JSON type (zod), where it may appear
 * (a study file, a study config, both) and its help line. The planner's and the study file's key
 * checks, the queue's data section, `blindspots study --help` and the shipped JSON Schema
 * (`blindspots/study.schema.json`) all derive from this table; domain checks that need the data or
 * the registries (a signal of the data's kind, a model's option names and values) stay in the
 * planner.
 */
import { z } from 'zod';
import { BlindspotsError, fail } from '../../errors.js';
import { encoderNames, encoders } from '../../encoders/encoderRegistry.js';
import { modelNames, models } from '../../models/modelRegistry.js';
import { unknownOption } from '../../options.js';
import { describe } from '../../validate.js';
import { RANGE_TOLERANCE } from '../../encoders/image/range.js';

/**
 * The coarsest dither a study can encode after: dithering moves values up to half a step,
 * 1 / (2 levels), past [0, 1] unclipped, and the image encoders take clean values only
 * RANGE_TOLERANCE past it, so coarser steps would fail every cell mid-run.
 */
export const MIN_DITHER_LEVELS = Math.ceil(0.5 / RANGE_TOLERANCE);

const int = (min: number, max = 2 ** 31 - 1) => z.number().int().min(min).max(max);
const fraction = z.number().gt(0).lt(1);
const nonEmptyString = z.string().min(1);

/** What a dataset may be in a study file. */
const datasetSpec = z.union([
  z.enum(['fashion-mnist', 'mnist', 'spam-assassin']),
  z.strictObject({ cifar10: nonEmptyString }),
  z.strictObject({ idx: nonEmptyString }),
  z.strictObject({ zhangCsv: nonEmptyString, numClasses: z.optional(int(2, 1 << 20)) }),
]);

// Per-name objects. Checking, they are objects of objects: the planner names an unregistered
// model, a model outside the study or an option the model lacks with its own precise error. The
// JSON Schema (editors) lists the registered names and their option names, so they complete.
const perName = z.record(z.string(), z.record(z.string(), z.unknown()));
const optionsObject = (names: readonly string[]) => z.strictObject(Object.fromEntries(names.map((n) => [n, z.optional(z.unknown())])));
const modelOptionsSchema = z
  .strictObject(Object.fromEntries(modelNames.map((m) => [m, z.optional(optionsObject(models[m].options))])))
  .describe('constructor options per model');
const signalOptionsSchema = z
  .strictObject(
    Object.fromEntries(
      encoderNames.map((s) => [s, z.optional(optionsObject(encoders[s].options.filter((o) => o !== 'numClasses' && o !== 'seed')))]),
    ),
  )
  .describe('options per signal (numClasses and seed are set by the study)');
const sweepValues = z.record(z.string(), z.array(z.unknown()).min(1));
const sweepSchema = z
  .strictObject(Object.fromEntries([...encoderNames, ...modelNames].map((n) => [n, z.optional(sweepValues)])))
  .describe('options to sweep per signal or model: one cell per value (every combination)');

/** Where a setting may appear. */
type Where = 'file' | 'config' | 'both';

/** One setting of a study. */
interface Setting {
  /** What a value must be (the check). */
  readonly schema: z.ZodType;
  /** A more telling schema for the JSON Schema (names an editor can complete), when the check is looser. */
  readonly editor?: z.ZodType;
  /** A study file, a study config (the programmatic form), or both. */
  readonly where: Where;
  /** Part of the data section: what makes the data (every queue worker makes the same splits from it). */
  readonly data?: true;
  /** The example value in `blindspots study --help` (JSON text). */
  readonly example: string;
  /** The help line: what it means, its default. */
  readonly help: string;
}

/**
 * Every setting of a study, in the order of the help text. Adding one here adds it to the study
 * file and config checks, the help and the JSON Schema; the planner gives it its meaning.
 */
export const STUDY_SETTINGS = {
  about: { schema: z.string(), where: 'file', example: '"what this study is for"', help: 'optional words, in no cell or record' },
  dataset: {
    schema: datasetSpec,
    where: 'file',
    data: true,
    example: '"fashion-mnist"',
    help: '"fashion-mnist" | "mnist" | "spam-assassin" | { "cifar10": "<folder>" } | { "idx": "<folder>" } | { "zhangCsv": "<file.csv>", "numClasses": 5 }',
  },
  perClass: { schema: int(1, 1e9), where: 'file', data: true, example: '200', help: 'images per class taken (fashion-mnist), or' },
  size: { schema: z.number().positive(), where: 'file', data: true, example: '0.25', help: 'a stratified fraction or count of the data' },
  testFraction: { schema: fraction, where: 'file', data: true, example: '0.2', help: 'stratified, seeded split (default 0.2)' },
  splitSeed: { schema: int(0), where: 'file', data: true, example: '0', help: 'seed of the subset and the split (default 0)' },
  signals: {
    schema: z.union([z.literal('all'), z.array(z.string())]),
    editor: z.union([z.literal('all'), z.array(z.enum(encoderNames as unknown as [string, ...string[]]))]),
    where: 'both',
    example: '["onePixel", "orthogonalNoise"]',
    help: 'signal names of the data\'s kind, or "all"; the clean baseline always runs',
  },
  models: {
    // Empty passes here: a queue worker prepares only the data with models: [] (the planner refuses an empty list).
    schema: z.array(z.string()),
    editor: z.array(z.enum(modelNames as unknown as [string, ...string[]])).min(1),
    where: 'both',
    example: '["resnet", "decisionTree"]',
    help: 'resnet/perceptron/shallowMaxNN on images, charCnn on texts, classical models on either',
  },
  modelOptions: {
    schema: perName,
    editor: modelOptionsSchema,
    where: 'both',
    example: '{ "resnet": { "depth": 20, "epochs": 15, "init": "torch" } }',
    help: 'constructor options per model',
  },
  signalOptions: {
    schema: perName,
    editor: signalOptionsSchema,
    where: 'both',
    example: '{ "onePixel": { "position": [0, 0] } }',
    help: 'options per signal',
  },
  sweep: {
    schema: perName,
    editor: sweepSchema,
    where: 'both',
    example: '{ "orthogonalNoise": { "scale": [0.001, 0.01] }, "resnet": { "init": ["he", "torch"] } }',
    help: 'one cell per value (signal or model options)',
  },
  seeds: { schema: z.array(int(0)).min(1), where: 'both', example: '[0, 1, 2]', help: 'seeds of the signals and the models (default [0])' },
  control: {
    schema: z.union([z.boolean(), z.array(z.string())]),
    where: 'both',
    example: 'false',
    help: "also run each signal (or the ones named) on blank inputs (the paper's control)",
  },
  dither: {
    schema: z.union([z.boolean(), z.strictObject({ levels: z.optional(int(MIN_DITHER_LEVELS, 2 ** 24)), seed: z.optional(int(0)) })]),
    where: 'both',
    data: true,
    example: 'false',
    help: `the grid control: +-half a quantisation step of noise on every pixel (levels >= ${String(MIN_DITHER_LEVELS)}, default 255)`,
  },
  curves: {
    schema: z.union([z.boolean(), z.strictObject({ every: z.optional(int(1, 1e6)) })]),
    where: 'both',
    example: 'true',
    help: 'per-epoch accuracy and weight norms of models trained by epochs ({ "every": 5 })',
  },
  predictions: {
    schema: z.boolean(),
    where: 'both',
    example: 'true',
    help: 'keep per-image predictions for the paired test (default: ConvNet cells)',
  },
  threads: { schema: int(1, 1024), where: 'both', example: '1', help: 'threads per cell (ConvNets, forests)' },
  parallel: { schema: int(1, 1024), where: 'both', example: '2', help: 'cells at once (default: cores / threads)' },
  results: { schema: nonEmptyString, where: 'both', example: '"study.jsonl"', help: 'cells are appended; a rerun skips finished ones' },
  shard: {
    schema: z.strictObject({ index: int(0, 1e6), count: int(1, 1e6) }),
    where: 'config',
    example: '{ "index": 0, "count": 4 }',
    help: 'run only this shard of the cells (the CLI: --shard i/n)',
  },
} as const satisfies Record<string, Setting>;

/** The name of a study setting. */
export type StudySettingName = keyof typeof STUDY_SETTINGS;

const names = Object.keys(STUDY_SETTINGS) as StudySettingName[];
const where = (name: StudySettingName): Where => STUDY_SETTINGS[name].where;

/** The settings a study file may hold. */
export const STUDY_FILE_SETTINGS: readonly StudySettingName[] = names.filter((n) => where(n) !== 'config');
/** The settings a study file passes to the study config unchanged (those both take). */
export const PASSED_SETTINGS: readonly StudySettingName[] = names.filter((n) => where(n) === 'both');
/** The settings a study config takes (besides its data, hooks and abort signal). */
export const CONFIG_SETTINGS: readonly StudySettingName[] = names.filter((n) => where(n) !== 'file');

/** The names of the settings of a kind, as a type (for the interfaces' exhaustiveness checks). */
export type SettingsOf<W extends 'file' | 'config'> = {
  [K in StudySettingName]: (typeof STUDY_SETTINGS)[K]['where'] extends (W extends 'file' ? 'config' : 'file') ? never : K;
}[StudySettingName];
/** The settings that make the data: every worker of a queue makes the same splits from them. */
export const DATA_SETTINGS: readonly StudySettingName[] = names.filter((n) => 'data' in STUDY_SETTINGS[n]);

/** A study file may name its JSON Schema (for editors); the study ignores it. */
const SCHEMA_KEY = '$schema';

/** A study file's schema: every file setting, optional but `dataset`, no other key (`editor`: the JSON Schema's variant). */
function fileSchema(editor: boolean) {
  return z.strictObject({
    [SCHEMA_KEY]: z.optional(z.string()),
    ...Object.fromEntries(
      STUDY_FILE_SETTINGS.map((n) => {
        const setting: Setting = STUDY_SETTINGS[n];
        const s = (editor ? (setting.editor ?? setting.schema) : setting.schema).describe(setting.help);
        return [n, n === 'dataset' ? s : z.optional(s)];
      }),
    ),
  });
}
const studyFileSchema = fileSchema(false);

/** The JSON-able part of a study config (data, hooks and the abort signal are checked by the planner). */
const studyConfigSchema = z.object(
  Object.fromEntries(names.filter((n) => where(n) !== 'file').map((n) => [n, z.optional(STUDY_SETTINGS[n].schema)])),
);

/** The first issue of a failed parse as the library's typed error: UNKNOWN_OPTION for a key, INVALID_ARGUMENT for a value. */
function toError(fn: string, root: string, issues: readonly z.core.$ZodIssue[], value: unknown): BlindspotsError {
  // Unknown keys first: a misspelt name explains the errors it causes.
  const issue = issues.find((i) => i.code === 'unrecognized_keys') ?? issues[0];
  if (issue === undefined) return fail('INVALID_ARGUMENT', fn, root, 'a valid study', describe(value));
  const pathText = (path: readonly PropertyKey[]): string =>
    path.map((p) => (typeof p === 'number' ? `[${String(p)}]` : `.${String(p)}`)).join('');
  let at: unknown = value;
  for (const p of issue.path) at = at !== null && typeof at === 'object' ? (at as Record<PropertyKey, unknown>)[p] : undefined;
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0] as string;
    const known = knownKeys(issue.path);
    return unknownOption(fn, `${root}${pathText(issue.path)}`, key, known);
  }
  const arg = `${root}${pathText(issue.path)}`;
  const top = issue.path[0];
  const help = typeof top === 'string' && top in STUDY_SETTINGS ? STUDY_SETTINGS[top as StudySettingName].help : undefined;
  const expected = issue.path.length === 1 && help !== undefined ? `${expectedOf(issue)} (${help})` : expectedOf(issue);
  return fail('INVALID_ARGUMENT', fn, arg, expected, describe(at));
}

/** zod's expectation in the library's words. */
function expectedOf(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type': {
      const words: Record<string, string> = {
        int: 'an integer',
        number: 'a number',
        string: 'a string',
        boolean: 'true or false',
        array: 'an array',
        object: 'an object',
      };
      return words[issue.expected] ?? `a value of type ${issue.expected}`;
    }
    case 'too_small':
      return issue.origin === 'array' ? `at least ${String(issue.minimum)} value(s)` : `a value >= ${String(issue.minimum)}`;
    case 'too_big':
      return `a value <= ${String(issue.maximum)}`;
    case 'invalid_value':
      return `one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'invalid_union':
      return 'one of the forms the help lists';
    default:
      return issue.message;
  }
}

/** The keys an object at `path` may hold: the settings at the top, the registry's names and options below. */
function knownKeys(path: readonly PropertyKey[]): string[] {
  if (path.length === 0) return [...STUDY_FILE_SETTINGS];
  const [top, name] = path;
  if (top === 'modelOptions' && path.length === 1) return [...modelNames];
  if (top === 'modelOptions' && typeof name === 'string' && name in models) return [...models[name as keyof typeof models].options];
  if (top === 'signalOptions' && path.length === 1) return [...encoderNames];
  if (top === 'signalOptions' && typeof name === 'string' && name in encoders)
    return encoders[name as keyof typeof encoders].options.filter((o) => o !== 'numClasses' && o !== 'seed');
  if (top === 'sweep' && path.length === 1) return [...encoderNames, ...modelNames];
  if (top === 'dither') return ['levels', 'seed'];
  if (top === 'curves') return ['every'];
  if (top === 'shard') return ['index', 'count'];
  return [];
}

/**
 * Checks a study file (JSON) against the schema: UNKNOWN_OPTION with the closest name for a
 * misspelt key (`"result"` → `results`, `"detph"` in modelOptions.resnet → `depth`),
 * INVALID_ARGUMENT naming `config.<path>` for a value of the wrong type or range.
 *
 * @example
 * ```ts
 * import { checkStudyFile } from 'blindspots/study';
 * checkStudyFile('prepareStudy', { dataset: 'mnist', signals: 'all', models: ['decisionTree'] }).dataset; //=> 'mnist'
 * checkStudyFile('prepareStudy', { dataset: 'mnist', signals: 'all', models: ['decisionTree'], result: 'x.jsonl' }); //=> throws UNKNOWN_OPTION
 * ```
 */
export function checkStudyFile<T>(fn: string, file: T): T {
  if (file === null || typeof file !== 'object' || Array.isArray(file))
    throw fail('INVALID_ARGUMENT', fn, 'config', 'a study file object', describe(file));
  const parsed = studyFileSchema.safeParse(file);
  if (!parsed.success) throw toError(fn, 'config', parsed.error.issues, file);
  return file;
}

/**
 * Checks the JSON-able settings of a study config (everything but the data, hooks and abort
 * signal) against the schema, with the errors of {@link checkStudyFile}; unknown top-level keys
 * are UNKNOWN_OPTION.
 * @internal
 */
export function checkStudyConfigSettings(fn: string, config: Readonly<Record<string, unknown>>, extraKeys: readonly string[]): void {
  const known = [...names.filter((n) => where(n) !== 'file'), ...extraKeys];
  for (const key of Object.keys(config))
    if (config[key] !== undefined && !known.includes(key)) throw unknownOption(fn, 'config', key, known);
  const settings = Object.fromEntries(Object.entries(config).filter(([k, v]) => v !== undefined && !extraKeys.includes(k)));
  const parsed = studyConfigSchema.safeParse(settings);
  if (!parsed.success) throw toError(fn, 'config', parsed.error.issues, settings);
}

/**
 * The JSON Schema of a study file (draft 2020-12), for editors: `"$schema":
 * "./node_modules/blindspots/study.schema.json"` in a study file gives completion of every
 * setting, model and signal name and option name.
 *
 * @example
 * ```ts
 * import { studyFileJsonSchema } from 'blindspots/study';
 * const schema = studyFileJsonSchema();
 * schema.required; //=> ['dataset']
 * ```
 */
export function studyFileJsonSchema(): Record<string, unknown> & { readonly required?: readonly string[] } {
  const schema = z.toJSONSchema(fileSchema(true), { unrepresentable: 'any' }) as Record<string, unknown>;
  return { ...schema, title: 'blindspots study file', $id: 'https://blindspots.invalid/study.schema.json' };
}

/** The study file's settings as `blindspots study --help` shows them. */
export function studyFileHelp(): string {
  const lines = STUDY_FILE_SETTINGS.map((n, i) => {
    const s = STUDY_SETTINGS[n];
    const text = `    "${n}": ${s.example}${i === STUDY_FILE_SETTINGS.length - 1 ? '' : ','}`;
    return `${text.padEnd(36)} ${s.help}`;
  });
  return `config.json (every name is checked before any cell runs; a misspelt one is an error):\n  {\n${lines.join('\n')}\n  }`;
}
