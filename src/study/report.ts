import { CLEAN, type CellRecord } from './runStudy.js';

const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

/**
 * A Markdown table of a study, shaped like the paper's: one row per signal (clean first), one
 * column per model with the test accuracy (mean over seeds) and, in brackets, the accuracy with
 * the signal shuffled across test images (the reliance check), then the best model.
 *
 * @example
 * ```ts
 * import { formatStudyTable } from 'blindspots/study';
 * console.log(formatStudyTable(records));
 * ```
 */
export function formatStudyTable(records: readonly CellRecord[]): string {
  const signals = [...new Set(records.map((r) => r.signal))].sort((a, b) => (a === CLEAN ? -1 : b === CLEAN ? 1 : 0));
  const models = [...new Set(records.map((r) => r.model))];
  const pct = (v: number) => `${(100 * v).toFixed(1)}%`;
  const lines = [`| signal | ${models.join(' | ')} | best |`, `|---|${models.map(() => '---:').join('|')}|---|`];
  for (const signal of signals) {
    let best = { model: '', acc: -1 };
    const cells = models.map((model) => {
      const rs = records.filter((r) => r.signal === signal && r.model === model);
      if (rs.length === 0) return '—';
      const acc = mean(rs.map((r) => r.accuracy));
      if (acc > best.acc) best = { model, acc };
      const shuffled = rs.every((r) => r.shuffledAccuracy !== null) ? ` (${pct(mean(rs.map((r) => r.shuffledAccuracy as number)))})` : '';
      return `${pct(acc)}${shuffled}`;
    });
    lines.push(`| ${signal} | ${cells.join(' | ')} | ${best.model} ${pct(best.acc)} |`);
  }
  return lines.join('\n');
}
