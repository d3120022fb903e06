import { availableParallelism } from 'node:os';
import { fail } from '../errors.js';
import { runStudy } from '../study/run/runStudy.js';
import { planStudyOf, type StudyConfig } from '../study/spec/plan.js';
import { prepareStudyOf } from '../study/spec/prepare.js';
import { PRESETS } from '../study/spec/presets.js';
import { studyFileHelp } from '../study/spec/schema.js';
import type { CellRecord } from '../study/store/cellRecord.js';
import { readResultsOf } from '../study/store/readResults.js';
import { formatPaperTable, formatStudyTable } from '../study/report/tables.js';
import { intFlag, type StudyFlags } from './flags.js';
import { progressLine } from './progress.js';
import { parseShard, shardResultsPath } from './shard.js';
import { studyFileOf } from './studyFile.js';

/** The study file format, for `blindspots study --help`. */
export const STUDY_FILE_HELP = `Presets:
${Object.entries(PRESETS)
  .map(([k, v]) => `  ${k.padEnd(22)} ${v.about}`)
  .join('\n')}
  --data points an image preset at a folder of CIFAR-10's binary files (or IDX files) instead of
  Fashion-MNIST, and a text preset at a Zhang et al. CSV ("label","text" as Yelp Review Full, or
  "label","title","body" as Amazon Review Full; labels from 1) instead of SpamAssassin.

${studyFileHelp()}`;

const CMD = 'blindspots study';

/** `blindspots study`: runs a study from a file or preset; returns the exit code. */
export async function studyCommand(configPath: string | undefined, flags: StudyFlags): Promise<number> {
  let file = studyFileOf(configPath, flags);
  if (flags.queue !== undefined) {
    // Loaded on demand: BullMQ and ioredis are for this command only.
    const { queueStudyCommand } = await import('./queueCommands.js');
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
  const config: StudyConfig = { ...prepareStudyOf(file, CMD), threads, parallel, ...(shard === undefined ? {} : { shard }) };
  const plan = planStudyOf(config, CMD);
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
    return readResultsOf(path, CMD);
  } catch {
    // A missing file has no records; a broken one fails in runStudy with its own message.
    return [];
  }
}
