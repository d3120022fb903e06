import { aggregate, type CellGroup, type EpochChoice, type Stat } from './aggregate.js';
import { CLEAN, type CellRecord } from '../store/cellRecord.js';
import { READS_MAX_P_VALUE, READS_MIN_DROP, TRACE_MAX_P_VALUE } from '../stats/verdict.js';

/** Options of the tables. */
export interface TableOptions {
  /** Which epoch of a learning curve to report: `last` (default: the fitted model) or `peak`. */
  readonly epoch?: EpochChoice;
}

const pct = (v: number): string => `${(100 * v).toFixed(1)}%`;

/** `87.3%`, or `87.3% ±0.4 n=3` over several seeds. */
function formatStat(s: Stat): string {
  return s.n > 1 ? `${pct(s.mean)} ±${(100 * s.sd).toFixed(1)} n=${String(s.n)}` : pct(s.mean);
}

/** Rows in a stable order: clean first, then signals as they first appear, their controls after them. */
function rowsOf(groups: readonly CellGroup[]): string[] {
  const rows = [...new Set(groups.map((g) => g.row))];
  const rank = (row: string): number => (row === CLEAN ? -1 : 0);
  return rows
    .map((r, i) => ({ r, i }))
    .sort((a, b) => rank(a.r) - rank(b.r) || a.i - b.i)
    .map((x) => x.r);
}

function epochNote(epoch: EpochChoice, groups: readonly CellGroup[]): string {
  if (!groups.some((g) => g.curve !== undefined)) return '';
  return epoch === 'peak'
    ? '\n\nModels with learning curves: the epoch of highest test accuracy (shuffled accuracy at that epoch).'
    : '\n\nModels with learning curves: the last epoch (the fitted model).';
}

/** The verdict rule in words, for the notes under a table. */
export const VERDICT_RULE = `reads: the shuffled signal costs >= ${String(100 * READS_MIN_DROP)} points and the exact McNemar test gives p < ${String(READS_MAX_P_VALUE)}; trace: a drop > 0 with p < ${String(TRACE_MAX_P_VALUE)}; ignores: otherwise`;

/** `reads` for one seed, `reads 2/3` over several: the strongest verdict and how many seeds reached it. */
function verdictNote(g: CellGroup): string {
  const p = g.paired;
  if (p === undefined) return '';
  const s = p.seeds;
  const strongest = s.summary.split(' ')[0] as 'reads' | 'trace' | 'ignores';
  return s.n === 1 ? ` ${strongest}` : ` ${strongest} ${String(s.verdicts[strongest])}/${String(s.n)}`;
}

function verdictFootnote(epoch: EpochChoice, groups: readonly CellGroup[]): string {
  if (!groups.some((g) => g.paired !== undefined)) return '';
  return `\n\nVerdicts (cells whose records keep per-image predictions; the fitted model${epoch === 'peak' ? ', not the peak epoch' : ''}): ${VERDICT_RULE}. Over several seeds: the strongest verdict and how many seeds reached it.`;
}

/**
 * A Markdown table of a study, shaped like the paper's: one row per signal (clean first; swept
 * options and signal-only controls as their own rows), one column per model (with what varies
 * between its cells: a schedule, dither), each cell the test accuracy and, in brackets, the accuracy
 * with the signal shuffled across test inputs (the reliance check). Cells that differ only by seed
 * are aggregated: mean, standard deviation and n. The last column names the best model.
 *
 * @example
 * ```ts
 * import { formatStudyTable, readResults } from 'blindspots/study';
 * const records = readResults('study.jsonl');
 * console.log(formatStudyTable(records, { epoch: 'last' }));
 * ```
 */
export function formatStudyTable(records: readonly CellRecord[], options: TableOptions = {}): string {
  const epoch = options.epoch ?? 'last';
  const groups = aggregate(records, { epoch });
  const columns = [...new Set(groups.map((g) => g.column))];
  const lines = [`| signal | ${columns.join(' | ')} | best |`, `|---|${columns.map(() => '---:').join('|')}|---|`];
  for (const row of rowsOf(groups)) {
    let best = { column: '', acc: -1 };
    const cells = columns.map((column) => {
      const g = groups.find((x) => x.row === row && x.column === column);
      if (g === undefined) return '—';
      if (g.accuracy.mean > best.acc) best = { column, acc: g.accuracy.mean };
      return `${formatStat(g.accuracy)}${g.shuffledAccuracy === null ? '' : ` (${pct(g.shuffledAccuracy.mean)})`}${verdictNote(g)}`;
    });
    lines.push(`| ${row} | ${cells.join(' | ')} | ${best.column} ${pct(best.acc)} |`);
  }
  return `${lines.join('\n')}${epochNote(epoch, groups)}${verdictFootnote(epoch, groups)}`;
}

const interval = (i: { readonly lower: number; readonly upper: number }): string =>
  `[${(100 * i.lower).toFixed(1)}, ${(100 * i.upper).toFixed(1)}]`;

const pValue = (p: number): string => (p === 0 ? '< 1e-300' : p < 1e-4 ? p.toExponential(1) : String(Number(p.toPrecision(2))));

/**
 * The paired test of every cell whose record kept its per-image predictions: accuracy with its
 * own signal and with a shuffled label's, each with its exact 95% interval (Clopper–Pearson), the
 * drop in points, the images right with the signal only (b) and with the shuffled one only (c),
 * the exact McNemar p-value, the share of images predicted as the label their shuffled signal
 * points to (`follows`), and the verdict by the rule in {@link VERDICT_RULE}. Cells run with
 * several seeds get a summary row: mean accuracies, the drops' range, and "reads in k of n seeds".
 *
 * @example
 * ```ts
 * import { formatPairedTable, readResults } from 'blindspots/study';
 * const table = formatPairedTable(readResults('study.jsonl'));
 * table.startsWith('| signal | model | seed | accuracy [95% CI]'); //=> true
 * ```
 */
export function formatPairedTable(records: readonly CellRecord[]): string {
  const groups = aggregate(records).filter((g) => g.paired !== undefined);
  const lines = [
    '| signal | model | seed | accuracy [95% CI] | shuffled [95% CI] | drop | b / c | McNemar p | follows | verdict |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---|',
  ];
  for (const row of rowsOf(groups)) {
    for (const g of groups.filter((x) => x.row === row)) {
      const paired = g.paired as NonNullable<CellGroup['paired']>;
      paired.tests.forEach((t, i) => {
        const r = g.records[i] as CellRecord;
        lines.push(
          `| ${row} | ${g.column} | ${String(r.seed)} | ${pct(t.accuracy)} ${interval(t.accuracyInterval)} | ${pct(t.shuffledAccuracy)} ${interval(t.shuffledInterval)} | ${(100 * t.drop).toFixed(2)} | ${String(t.mcnemar.b)} / ${String(t.mcnemar.c)} | ${pValue(t.mcnemar.pValue)} | ${t.followsSignal === undefined ? '—' : pct(t.followsSignal)} | ${t.verdict} |`,
        );
      });
      const s = paired.seeds;
      if (s.n > 1)
        lines.push(
          `| ${row} | ${g.column} | n=${String(s.n)} | ${pct(s.meanAccuracy)} | ${pct(s.meanShuffledAccuracy)} | ${(100 * s.meanDrop).toFixed(2)} (${(100 * s.spreadDrop.min).toFixed(2)}…${(100 * s.spreadDrop.max).toFixed(2)}) | | | | **${s.summary}** |`,
        );
    }
  }
  if (groups.length === 0) lines.push('| (no cell kept per-image predictions) | | | | | | | | | |');
  return `${lines.join('\n')}\n\nVerdict: ${VERDICT_RULE}. Drop in points; b: images right with their own signal only, c: with the shuffled one only.`;
}

/**
 * The paper's Table 1 / Table 2 shape: one row per signal (clean first), the ConvNet's test
 * accuracy (the registry's ConvNets: `resnet`, `charCnn`; mean over seeds), the best competing
 * model's accuracy and which model that is. A dash where the study has no ConvNet or no competing
 * model.
 *
 * @example
 * ```ts
 * import { formatPaperTable, readResults } from 'blindspots/study';
 * const records = readResults('study.jsonl');
 * console.log(formatPaperTable(records));
 * //=> | signal | ConvNet | best competing model | which |…
 * ```
 */
export function formatPaperTable(records: readonly CellRecord[], options: TableOptions = {}): string {
  const epoch = options.epoch ?? 'last';
  const groups = aggregate(records, { epoch });
  const lines = ['| signal | ConvNet | best competing model | which |', '|---|---:|---:|---|'];
  for (const row of rowsOf(groups)) {
    const ofRow = groups.filter((g) => g.row === row);
    const convnets = ofRow.filter((g) => g.convnet);
    const convnet =
      convnets.length === 0
        ? '—'
        : convnets.map((g) => (convnets.length > 1 ? `${formatStat(g.accuracy)} (${g.column})` : formatStat(g.accuracy))).join(', ');
    let best: CellGroup | undefined;
    for (const g of ofRow.filter((x) => !x.convnet)) if (best === undefined || g.accuracy.mean > best.accuracy.mean) best = g;
    lines.push(`| ${row} | ${convnet} | ${best === undefined ? '—' : formatStat(best.accuracy)} | ${best?.column ?? '—'} |`);
  }
  return `${lines.join('\n')}${epochNote(epoch, groups)}`;
}

/**
 * The study's records as CSV, one row per cell: dataset, signal, model, seed, accuracy, shuffled
 * accuracy (empty for clean cells), fit seconds, train and test sizes, backend, the table's row and
 * column labels, and the cell's key.
 *
 * @example
 * ```ts
 * import { writeFileSync } from 'node:fs';
 * import { formatStudyCsv, readResults } from 'blindspots/study';
 * writeFileSync('study.csv', formatStudyCsv(readResults('study.jsonl')));
 * ```
 */
export function formatStudyCsv(records: readonly CellRecord[]): string {
  const quote = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  const label = new Map<CellRecord, CellGroup>();
  for (const g of aggregate(records)) for (const r of g.records) label.set(r, g);
  const lines = ['dataset,signal,model,seed,accuracy,shuffled_accuracy,fit_seconds,n_train,n_test,backend,row,column,key'];
  for (const r of records) {
    const g = label.get(r);
    lines.push(
      [
        quote(r.dataset),
        quote(r.signal),
        quote(r.model),
        String(r.seed),
        String(r.accuracy),
        r.shuffledAccuracy === null ? '' : String(r.shuffledAccuracy),
        r.fitSeconds.toFixed(3),
        String(r.nTrain),
        String(r.nTest),
        r.backend,
        quote(g?.row ?? r.signal),
        quote(g?.column ?? r.model),
        r.key,
      ].join(','),
    );
  }
  return `${lines.join('\n')}\n`;
}

/** Escapes text for SVG. */
export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * An SVG heatmap of the accuracy gain over the clean baseline (mean over seeds), signals x models:
 * green where a model gains from the signal (it exploits it), white where it does not, red where
 * it loses. Each cell is labelled with the gain in points. Opens in any browser.
 *
 * @example
 * ```ts
 * import { writeFileSync } from 'node:fs';
 * import { readResults, studyHeatmapSvg } from 'blindspots/study';
 * writeFileSync('study.svg', studyHeatmapSvg(readResults('study.jsonl')));
 * ```
 */
export function studyHeatmapSvg(records: readonly CellRecord[]): string {
  const groups = aggregate(records);
  const rows = rowsOf(groups).filter((r) => r !== CLEAN);
  const columns = [...new Set(groups.map((g) => g.column))];
  const acc = (row: string, column: string): number | undefined => groups.find((g) => g.row === row && g.column === column)?.accuracy.mean;
  const cw = 150;
  const ch = 32;
  const left = 230;
  const top = 60;
  const parts: string[] = [];
  parts.push(`<text x="${String(left)}" y="22" font-size="14" font-weight="bold">Accuracy gain over clean (points)</text>`);
  columns.forEach((m, j) =>
    parts.push(
      `<text x="${String(left + j * cw + cw / 2)}" y="${String(top - 10)}" font-size="12" text-anchor="middle">${escapeXml(m)}</text>`,
    ),
  );
  rows.forEach((s, i) => {
    const y = top + i * ch;
    parts.push(`<text x="${String(left - 8)}" y="${String(y + ch / 2 + 4)}" font-size="12" text-anchor="end">${escapeXml(s)}</text>`);
    columns.forEach((m, j) => {
      const a = acc(s, m);
      const c = acc(CLEAN, m);
      const x = left + j * cw;
      if (a === undefined || c === undefined) {
        parts.push(`<rect x="${String(x)}" y="${String(y)}" width="${String(cw - 2)}" height="${String(ch - 2)}" fill="#eee"/>`);
        return;
      }
      const gain = 100 * (a - c);
      const t = Math.min(1, Math.abs(gain) / 50);
      const shade = Math.round(255 * (1 - t));
      const fill = gain >= 0 ? `rgb(${String(shade)},255,${String(shade)})` : `rgb(255,${String(shade)},${String(shade)})`;
      parts.push(
        `<rect x="${String(x)}" y="${String(y)}" width="${String(cw - 2)}" height="${String(ch - 2)}" fill="${fill}" stroke="#999"/>`,
      );
      parts.push(
        `<text x="${String(x + cw / 2)}" y="${String(y + ch / 2 + 4)}" font-size="12" text-anchor="middle">${gain >= 0 ? '+' : ''}${gain.toFixed(1)}</text>`,
      );
    });
  });
  const width = left + columns.length * cw + 20;
  const height = top + rows.length * ch + 20;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${String(width)}" height="${String(height)}" font-family="sans-serif">\n<rect width="100%" height="100%" fill="white"/>\n${parts.join('\n')}\n</svg>\n`;
}
