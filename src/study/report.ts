import { CLEAN, type CellRecord } from './records.js';

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

/** The models the paper calls ConvNets; every other model is a "competing" one. */
export const CONVNET_MODELS: readonly string[] = ['resnet', 'charCnn'];

/**
 * The paper's Table 1 / Table 2 shape: one row per signal (clean first), the ConvNet's test
 * accuracy (mean over seeds; `resnet` or `charCnn`), the best competing model's accuracy and
 * which model that is. A dash where the study has no ConvNet or no competing model.
 *
 * @example
 * ```ts
 * import { formatPaperTable } from 'blindspots/study';
 * console.log(formatPaperTable(records));
 * // | signal | ConvNet | best competing model | which |
 * ```
 */
export function formatPaperTable(records: readonly CellRecord[]): string {
  const signals = [...new Set(records.map((r) => r.signal))].sort((a, b) => (a === CLEAN ? -1 : b === CLEAN ? 1 : 0));
  const pct = (v: number) => `${(100 * v).toFixed(1)}%`;
  const lines = ['| signal | ConvNet | best competing model | which |', '|---|---:|---:|---|'];
  for (const signal of signals) {
    const bySignal = records.filter((r) => r.signal === signal);
    const accuracyOf = (model: string) => mean(bySignal.filter((r) => r.model === model).map((r) => r.accuracy));
    const models = [...new Set(bySignal.map((r) => r.model))];
    const convnets = models.filter((m) => CONVNET_MODELS.includes(m));
    const competing = models.filter((m) => !CONVNET_MODELS.includes(m));
    const convnet =
      convnets.length === 0
        ? '—'
        : convnets.map((m) => (convnets.length > 1 ? `${pct(accuracyOf(m))} (${m})` : pct(accuracyOf(m)))).join(', ');
    let best = { model: '—', acc: Number.NaN };
    for (const m of competing) {
      const acc = accuracyOf(m);
      if (!(acc <= best.acc)) best = { model: m, acc };
    }
    lines.push(`| ${signal} | ${convnet} | ${Number.isNaN(best.acc) ? '—' : pct(best.acc)} | ${best.model} |`);
  }
  return lines.join('\n');
}

/**
 * The study's records as CSV, one row per cell: dataset, signal, model, seed, accuracy,
 * shuffled accuracy (empty for clean cells), fit seconds, train and test sizes, backend.
 *
 * @example
 * ```ts
 * import { formatStudyCsv } from 'blindspots/study';
 * writeFileSync('study.csv', formatStudyCsv(records));
 * ```
 */
export function formatStudyCsv(records: readonly CellRecord[]): string {
  const quote = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  const lines = ['dataset,signal,model,seed,accuracy,shuffled_accuracy,fit_seconds,n_train,n_test,backend'];
  for (const r of records) {
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
        r.backend ?? '',
      ].join(','),
    );
  }
  return `${lines.join('\n')}\n`;
}

/**
 * An SVG heatmap of the accuracy gain over the clean baseline (mean over seeds), signals x models:
 * green where a model gains from the signal (it exploits it), white where it does not, red where
 * it loses. Each cell is labelled with the gain in points. Opens in any browser.
 *
 * @example
 * ```ts
 * import { studyHeatmapSvg } from 'blindspots/study';
 * writeFileSync('study.svg', studyHeatmapSvg(records));
 * ```
 */
export function studyHeatmapSvg(records: readonly CellRecord[]): string {
  const signals = [...new Set(records.map((r) => r.signal))].filter((s) => s !== CLEAN);
  const models = [...new Set(records.map((r) => r.model))];
  const acc = (signal: string, model: string): number | undefined => {
    const rs = records.filter((r) => r.signal === signal && r.model === model);
    return rs.length === 0 ? undefined : mean(rs.map((r) => r.accuracy));
  };
  const cw = 120;
  const ch = 32;
  const left = 170;
  const top = 60;
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const parts: string[] = [];
  parts.push(`<text x="${String(left)}" y="22" font-size="14" font-weight="bold">Accuracy gain over clean (points)</text>`);
  models.forEach((m, j) =>
    parts.push(`<text x="${String(left + j * cw + cw / 2)}" y="${String(top - 10)}" font-size="12" text-anchor="middle">${esc(m)}</text>`),
  );
  signals.forEach((s, i) => {
    const y = top + i * ch;
    parts.push(`<text x="${String(left - 8)}" y="${String(y + ch / 2 + 4)}" font-size="12" text-anchor="end">${esc(s)}</text>`);
    models.forEach((m, j) => {
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
  const width = left + models.length * cw + 20;
  const height = top + signals.length * ch + 20;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${String(width)}" height="${String(height)}" font-family="sans-serif">\n<rect width="100%" height="100%" fill="white"/>\n${parts.join('\n')}\n</svg>\n`;
}
