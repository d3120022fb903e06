import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { extname, join } from 'node:path';
import { fail } from '../errors.js';
import type { FitProgress } from '../models/model.js';
import { mergeRecords, missingCells } from '../study/merge.js';
import { planStudy, type StudyConfig } from '../study/plan.js';
import { PRESETS } from '../study/presets.js';
import { studyFileHelp } from '../study/spec/schema.js';
import { datasetSpecOf, prepareStudy, type StudyFile } from '../study/prepare.js';
import { readResults, type CellRecord } from '../study/records.js';
import { learningCurvesSvg, sweepSvg, weightCurvesSvg } from '../study/plots.js';
import { formatPairedTable, formatPaperTable, formatStudyCsv, formatStudyTable, studyHeatmapSvg } from '../study/report.js';
import { runStudy } from '../study/runStudy.js';

/** The study file format, for `blindspots study --help`. */
export const STUDY_FILE_HELP = `Presets:
${Object.entries(PRESETS)
  .map(([k, v]) => `  ${k.padEnd(22)} ${v.about}`)
  .join('\n')}
  --data points an image preset at a folder of CIFAR-10's binary files (or IDX files) instead of
  Fashion-MNIST, and a text preset at a Zhang et al. CSV ("label","text" as Yelp Review Full, or
  "label","title","body" as Amazon Review Full; labels from 1) instead of SpamAssassin.

${studyFileHelp()}`;

/** `blindspots study` options, as commander gives them. */
export interface StudyFlags {
  readonly preset?: string;
  readonly data?: string;
  readonly results?: string;
  readonly threads?: string;
  readonly parallel?: string;
  readonly shard?: string;
  readonly completions?: string;
  readonly queue?: string;
  readonly queueName?: string;
  readonly redisTimeout?: string;
}

const CMD = 'blindspots study';

/** A positive integer flag, checked. */
export function intFlag(cmd: string, flag: string, raw: string | undefined, min = 1): number | undefined {
  if (raw === undefined) return undefined;
  const v = Number(raw);
  if (!Number.isInteger(v) || v < min) throw fail('INVALID_ARGUMENT', cmd, flag, `an integer >= ${String(min)}`, JSON.stringify(raw));
  return v;
}

/** Reads a study file (JSON), or a preset, and applies the command-line overrides. */
export function studyFileOf(configPath: string | undefined, flags: Pick<StudyFlags, 'preset' | 'data' | 'results'>, cmd = CMD): StudyFile {
  let file: StudyFile;
  if (flags.preset !== undefined) {
    if (configPath !== undefined) throw fail('INVALID_ARGUMENT', cmd, 'config', 'a config file or --preset, not both', configPath);
    const p = Object.hasOwn(PRESETS, flags.preset) ? PRESETS[flags.preset] : undefined;
    if (p === undefined)
      throw fail('UNKNOWN_NAME', cmd, '--preset', `one of ${Object.keys(PRESETS).join(', ')}`, JSON.stringify(flags.preset));
    file = p;
    if (flags.data !== undefined) {
      // Text presets read a Zhang et al. CSV; image presets a folder of CIFAR-10 or IDX files.
      file = { ...file, dataset: file.dataset === 'spam-assassin' ? { zhangCsv: flags.data } : datasetSpecOf(flags.data, cmd) };
    }
  } else {
    if (configPath === undefined)
      throw fail('INVALID_ARGUMENT', cmd, 'config', 'a config file or --preset (see blindspots study --help)', 'neither');
    if (flags.data !== undefined)
      throw fail('INVALID_ARGUMENT', cmd, '--data', '--data with --preset only (a config file names its dataset)', flags.data);
    let text: string;
    try {
      text = readFileSync(configPath, 'utf8');
    } catch (e) {
      throw fail(
        'INVALID_ARGUMENT',
        cmd,
        'config',
        'a readable JSON file',
        `${configPath}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found' : (e as Error).message}`,
      );
    }
    try {
      file = JSON.parse(text) as StudyFile;
    } catch (e) {
      throw fail('DATA_FORMAT', cmd, 'config', 'a JSON study file', `${configPath}: ${(e as Error).message}`);
    }
  }
  if (flags.results !== undefined) file = { ...file, results: flags.results };
  return file;
}

/** The shard a process runs: `i/n`, or `auto` from Slurm array or Kubernetes Indexed Job variables. */
export function parseShard(
  cmd: string,
  raw: string,
  completions: number | undefined,
  env: NodeJS.ProcessEnv = process.env,
): { index: number; count: number } {
  if (raw === 'auto') {
    if (env.SLURM_ARRAY_TASK_ID !== undefined) {
      const id = Number(env.SLURM_ARRAY_TASK_ID);
      const count = Number(env.SLURM_ARRAY_TASK_COUNT);
      // Array indices may start anywhere (--array=1-8): count from the smallest.
      const min = env.SLURM_ARRAY_TASK_MIN === undefined ? 0 : Number(env.SLURM_ARRAY_TASK_MIN);
      if (![id, count, min].every(Number.isInteger) || count < 1) {
        throw fail(
          'INVALID_ARGUMENT',
          cmd,
          '--shard',
          'SLURM_ARRAY_TASK_ID, SLURM_ARRAY_TASK_COUNT (and SLURM_ARRAY_TASK_MIN) as integers',
          `${String(env.SLURM_ARRAY_TASK_ID)}/${String(env.SLURM_ARRAY_TASK_COUNT)}`,
        );
      }
      return checkShardRange(cmd, id - min, count);
    }
    if (env.JOB_COMPLETION_INDEX !== undefined) {
      if (completions === undefined)
        throw fail(
          'INVALID_ARGUMENT',
          cmd,
          '--completions',
          "the Job's completions (a Kubernetes Indexed Job does not tell its pods)",
          'none',
        );
      return checkShardRange(cmd, Number(env.JOB_COMPLETION_INDEX), completions);
    }
    throw fail(
      'INVALID_ARGUMENT',
      cmd,
      '--shard',
      'auto inside a Slurm array job (SLURM_ARRAY_TASK_ID) or a Kubernetes Indexed Job (JOB_COMPLETION_INDEX)',
      'neither variable set',
    );
  }
  const m = /^(\d+)\/(\d+)$/.exec(raw);
  if (m === null) throw fail('INVALID_ARGUMENT', cmd, '--shard', "i/n (0 <= i < n) or 'auto'", JSON.stringify(raw));
  return checkShardRange(cmd, Number(m[1]), Number(m[2]));
}

function checkShardRange(cmd: string, index: number, count: number): { index: number; count: number } {
  if (!Number.isInteger(index) || !Number.isInteger(count) || count < 1 || index < 0 || index >= count) {
    throw fail('INVALID_ARGUMENT', cmd, '--shard', 'a shard index in [0, count)', `${String(index)}/${String(count)}`);
  }
  return { index, count };
}

/** `results.jsonl` for shard 2 of 8 becomes `results.shard-2-of-8.jsonl`: one file per shard, merged afterwards. */
export function shardResultsPath(path: string, shard: { index: number; count: number }): string {
  const ext = extname(path);
  return `${path.slice(0, path.length - ext.length)}.shard-${String(shard.index)}-of-${String(shard.count)}${ext}`;
}

/** `blindspots study`: runs a study from a file or preset; returns the exit code. */
export async function studyCommand(configPath: string | undefined, flags: StudyFlags): Promise<number> {
  let file = studyFileOf(configPath, flags);
  if (flags.queue !== undefined) {
    // Loaded on demand: BullMQ and ioredis are for this command only.
    const { queueStudyCommand } = await import('./queue.js');
    return queueStudyCommand(file, flags);
  }
  const threads = intFlag(CMD, '--threads', flags.threads) ?? file.threads ?? 1;
  const cores = availableParallelism();
  const parallelGiven = intFlag(CMD, '--parallel', flags.parallel) ?? file.parallel;
  const parallel = parallelGiven ?? Math.max(1, Math.floor(cores / threads));
  if (parallel * threads > cores && parallelGiven !== undefined) {
    throw fail(
      'INVALID_ARGUMENT',
      CMD,
      '--parallel',
      `cells x threads per cell within the ${String(cores)} cores (parallel <= ${String(Math.max(1, Math.floor(cores / threads)))} with ${String(threads)} threads)`,
      `${String(parallel)} x ${String(threads)}`,
    );
  }
  const shard = flags.shard === undefined ? undefined : parseShard(CMD, flags.shard, intFlag(CMD, '--completions', flags.completions));
  if (shard !== undefined && flags.results === undefined && file.results !== undefined)
    file = { ...file, results: shardResultsPath(file.results, shard) };
  const config: StudyConfig = { ...prepareStudy(file, CMD), threads, parallel, ...(shard === undefined ? {} : { shard }) };
  const plan = planStudy(config, CMD);
  const t0 = performance.now();
  let skipped = 0;
  if (config.results !== undefined) {
    const done = new Set(safeRead(config.results).map((r) => r.key));
    skipped = plan.cells.filter((c) => done.has(c.key)).length;
  }
  const share = shard === undefined ? '' : ` (shard ${String(shard.index)} of ${String(shard.count)})`;
  process.stderr.write(
    `study: ${String(plan.cells.length)} cells${share} on ${config.dataset}, ${String(parallel)} at once x ${String(threads)} thread(s); ` +
      `results: ${config.results ?? '(not saved)'}${skipped > 0 ? ` — ${String(skipped)} already done, skipped` : ''}\n`,
  );
  let ran = 0;
  const records = await runStudy({
    ...config,
    onProgress: (cell, p) => progressLine(`${cell.model} on ${cell.signal}`, p),
    onCell: (r, done, total) => {
      ran++;
      const elapsed = (performance.now() - t0) / 1000;
      progressLine(undefined);
      process.stderr.write(
        `[${String(done)}/${String(total)}] ${r.model} on ${r.signal} (seed ${String(r.seed)}): ${(100 * r.accuracy).toFixed(1)}%` +
          `${r.shuffledAccuracy === null ? '' : ` (shuffled ${(100 * r.shuffledAccuracy).toFixed(1)}%)`} trained in ${r.fitSeconds.toFixed(1)} s; elapsed ${elapsed.toFixed(0)} s\n`,
      );
    },
  });
  if (ran === 0) process.stderr.write(`study: every cell was already in ${config.results ?? 'the results'}; nothing to run\n`);
  console.log(formatStudyTable(records));
  console.log(`\n${formatPaperTable(records)}`);
  return 0;
}

function safeRead(path: string): CellRecord[] {
  try {
    return readResults(path, CMD);
  } catch {
    // A missing file has no records; a broken one fails in runStudy with its own message.
    return [];
  }
}

let lastProgress = 0;
/**
 * A one-line progress bar on stderr with samples/s and ETA, redrawn at most 4 times a second;
 * `undefined` clears it. Only on a terminal: a log file gets the per-cell lines alone.
 */
function progressLine(label: string | undefined, p?: FitProgress): void {
  if (!process.stderr.isTTY) return;
  if (label === undefined || p === undefined) {
    process.stderr.write('\r\x1b[K');
    return;
  }
  const now = performance.now();
  if (now - lastProgress < 250 && p.fraction < 1) return;
  lastProgress = now;
  const width = 24;
  const filled = Math.round(p.fraction * width);
  const rate = p.samplesPerSecond === undefined ? '' : ` ${p.samplesPerSecond.toFixed(0)} samples/s`;
  const eta = p.etaSeconds === undefined ? '' : ` ETA ${p.etaSeconds.toFixed(0)} s`;
  process.stderr.write(
    `\r\x1b[K${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(100 * p.fraction).toFixed(0)}%${rate}${eta}`,
  );
}

/** Report formats. */
export const REPORT_FORMATS = ['md', 'paper', 'paired', 'csv', 'json', 'svg', 'curves', 'sweep'] as const;

/** Records of several results files, one per key (with the disagreements printed as warnings). */
function readMany(cmd: string, paths: readonly string[]): CellRecord[] {
  const merged = mergeRecords(paths.map((p) => readResults(p, cmd)));
  warnDisagreements(merged.disagreements);
  return [...merged.records];
}

/** Prints `warning DUPLICATE_DISAGREES` lines for records of one key that measured different things. */
export function warnDisagreements(disagreements: ReturnType<typeof mergeRecords>['disagreements']): void {
  for (const d of disagreements) {
    const values = d.accuracies.map((a) => `${(100 * a.accuracy).toFixed(2)}% on ${a.host}`).join(' vs ');
    process.stderr.write(
      `warning DUPLICATE_DISAGREES: ${d.model} on ${d.signal} (seed ${String(d.seed)}, key ${d.key}) was recorded twice with different results: ${values}\n`,
    );
  }
}

/** `blindspots report <results...>`: tables from one or more results files; never writes them. */
export function reportCommand(
  paths: readonly string[],
  flags: { readonly format?: string; readonly out?: string; readonly epoch?: string },
): number {
  const cmd = 'blindspots report';
  const format = flags.format ?? 'md';
  if (!(REPORT_FORMATS as readonly string[]).includes(format))
    throw fail('INVALID_ARGUMENT', cmd, '--format', REPORT_FORMATS.join(', '), format);
  const epoch = flags.epoch ?? 'last';
  if (epoch !== 'last' && epoch !== 'peak') throw fail('INVALID_ARGUMENT', cmd, '--epoch', "'last' or 'peak'", epoch);
  const records = readMany(cmd, paths);
  if (records.length === 0)
    throw fail('EMPTY_INPUT', cmd, 'results', 'results files with at least one cell', `${paths.join(', ')}: no cells yet`);
  if (format === 'curves' || format === 'sweep') {
    // One SVG per signal (curves) or per swept option (sweep), into a folder.
    if (flags.out === undefined) throw fail('INVALID_ARGUMENT', cmd, '--out', `a folder for the ${format} plots`, 'none');
    mkdirSync(flags.out, { recursive: true });
    const plots =
      format === 'curves'
        ? [
            ...learningCurvesSvg(records).map((p) => ({ name: `curves-${p.row}`, svg: p.svg })),
            ...weightCurvesSvg(records).map((p) => ({ name: `${p.figure}-${p.row}`, svg: p.svg })),
          ]
        : sweepSvg(records).map((p) => ({ name: `sweep-${p.signal}-${p.option}`, svg: p.svg }));
    for (const p of plots) writeFileSync(join(flags.out, `${p.name.replace(/[^\w.-]+/g, '_')}.svg`), p.svg);
    process.stderr.write(`report: ${String(plots.length)} ${format} plot(s) in ${flags.out}\n`);
    return 0;
  }
  const text =
    format === 'md'
      ? `${formatStudyTable(records, { epoch })}\n`
      : format === 'paper'
        ? `${formatPaperTable(records, { epoch })}\n`
        : format === 'paired'
          ? `${formatPairedTable(records)}\n`
          : format === 'csv'
            ? formatStudyCsv(records)
            : format === 'json'
              ? `${JSON.stringify(records, null, 2)}\n`
              : studyHeatmapSvg(records);
  if (flags.out === undefined) process.stdout.write(text);
  else writeFileSync(flags.out, text);
  return 0;
}

/**
 * `blindspots merge -o all.jsonl a.jsonl b.jsonl`: one record per key; disagreeing duplicates are
 * warned about; with `--config`, the cells of that study still missing are listed and the exit
 * code is 1 if there are any.
 */
export function mergeCommand(
  paths: readonly string[],
  flags: { readonly out: string; readonly config?: string; readonly preset?: string; readonly data?: string },
): number {
  const cmd = 'blindspots merge';
  if (paths.includes(flags.out)) throw fail('INVALID_ARGUMENT', cmd, '--out', 'a file other than the inputs', flags.out);
  const merged = mergeRecords(paths.map((p) => readResults(p, cmd)));
  warnDisagreements(merged.disagreements);
  writeFileSync(flags.out, merged.records.map((r) => `${JSON.stringify(r)}\n`).join(''));
  process.stderr.write(
    `merge: ${String(merged.records.length)} cells from ${String(paths.length)} files into ${flags.out} (${String(merged.duplicates)} duplicates dropped, ${String(merged.disagreements.length)} disagreeing)\n`,
  );
  if (flags.config === undefined && flags.preset === undefined) return 0;
  const file = studyFileOf(
    flags.config,
    { ...(flags.preset === undefined ? {} : { preset: flags.preset }), ...(flags.data === undefined ? {} : { data: flags.data }) },
    cmd,
  );
  const plan = planStudy(prepareStudy(file, cmd), cmd);
  const missing = missingCells(plan.cells, merged.records);
  if (missing.length === 0) {
    process.stderr.write(`merge: all ${String(plan.cells.length)} cells of the study are there\n`);
    return 0;
  }
  process.stderr.write(`merge: ${String(missing.length)} of ${String(plan.cells.length)} cells missing:\n`);
  for (const c of missing)
    process.stderr.write(
      `  ${c.model} on ${c.signal} (seed ${String(c.seed)}${c.sweep === undefined ? '' : `, ${JSON.stringify(c.sweep)}`}) key ${c.key}\n`,
    );
  return 1;
}
