import { writeFileSync } from 'node:fs';
import { fail } from '../errors.js';
import { planStudyOf } from '../study/spec/plan.js';
import { prepareStudyOf } from '../study/spec/prepare.js';
import { mergeRecords, missingCells } from '../study/store/merge.js';
import { readResultsOf } from '../study/store/readResults.js';
import { warnDisagreements } from './disagreements.js';
import { studyFileOf } from './studyFile.js';

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
  const merged = mergeRecords(paths.map((p) => readResultsOf(p, cmd)));
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
  const plan = planStudyOf(prepareStudyOf(file, cmd), cmd);
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
