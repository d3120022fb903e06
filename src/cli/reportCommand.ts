import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fail } from '../errors.js';
import { learningCurvesSvg, sweepSvg, weightCurvesSvg } from '../study/report/plots.js';
import { formatPairedTable, formatPaperTable, formatStudyCsv, formatStudyTable, studyHeatmapSvg } from '../study/report/tables.js';
import type { CellRecord } from '../study/store/cellRecord.js';
import { mergeRecords } from '../study/store/merge.js';
import { readResultsOf } from '../study/store/readResults.js';
import { warnDisagreements } from './disagreements.js';

/** Report formats. */
export const REPORT_FORMATS = ['md', 'paper', 'paired', 'csv', 'json', 'svg', 'curves', 'sweep'] as const;

/** Records of several results files, one per key (with the disagreements printed as warnings). */
function readMany(cmd: string, paths: readonly string[]): CellRecord[] {
  const merged = mergeRecords(paths.map((p) => readResultsOf(p, cmd)));
  warnDisagreements(merged.disagreements);
  return [...merged.records];
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
