import { aggregate, type CellGroup, type Stat } from './aggregate.js';
import { CLEAN, type CellRecord } from './records.js';
import { escapeXml } from './report.js';

/**
 * One line of a plot: points (x, y), the model it belongs to (its colour) and what it measures:
 * accuracy with the signal (solid), with a shuffled label's signal (dashed), or the clean
 * reference (dotted, lighter).
 */
interface Series {
  readonly model: string;
  readonly color: string;
  readonly style: LineStyle;
  readonly points: readonly { readonly x: number; readonly y: number; readonly sd?: number }[];
}

type LineStyle = 'signal' | 'shuffled' | 'clean';

/** The SVG stroke attributes of each style, shared by the lines and the legend's key. */
const STROKE: Record<LineStyle, string> = {
  signal: '',
  shuffled: ' stroke-dasharray="6 4"',
  clean: ' stroke-dasharray="1.5 4" stroke-linecap="round" stroke-opacity="0.8"',
};

/** The legend's words for each style. */
const STYLE_LABEL: Record<LineStyle, string> = {
  signal: 'with its signal',
  shuffled: "with a shuffled label's signal",
  clean: 'clean (no signal)',
};

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#e377c2', '#17becf', '#bcbd22', '#7f7f7f'];

const fmt = (v: number): string =>
  v === 0 || (Math.abs(v) >= 1e-4 && Math.abs(v) < 1e5) ? String(Number(v.toPrecision(3))) : v.toExponential(1);

/**
 * A line plot as SVG: accuracy (0–100%) against x, a legend, optional log-scale x, ±1 sd bands
 * where a point has one. Sized to stay legible when rendered at 100%.
 */
function linePlotSvg(
  title: string,
  xLabel: string,
  series: readonly Series[],
  options: { readonly logX?: boolean; readonly xTicks?: readonly number[] } = {},
): string {
  const width = 760;
  const left = 64;
  const right = 250;
  const top = 48;
  const plotH = 320;
  // The legend: one entry per model (its colour), then one per line style, in grey.
  const models = [...new Set(series.map((s) => s.model))];
  const styles = (['signal', 'shuffled', 'clean'] as const).filter((st) => series.some((s) => s.style === st));
  const legendH = 8 + (models.length + 1 + styles.length) * 20;
  const height = Math.max(top + plotH + 56, top + legendH + 16);
  const plotW = width - left - right;
  const xs = series.flatMap((s) => s.points.map((p) => p.x));
  const tx = (v: number): number => (options.logX === true ? Math.log10(v) : v);
  let x0 = Math.min(...xs.map(tx));
  let x1 = Math.max(...xs.map(tx));
  if (x0 === x1) {
    x0 -= 1;
    x1 += 1;
  }
  const X = (v: number): number => left + ((tx(v) - x0) / (x1 - x0)) * plotW;
  const Y = (v: number): number => top + (1 - v) * plotH;
  const parts: string[] = [];
  parts.push(`<text x="${String(left)}" y="24" font-size="15" font-weight="bold">${escapeXml(title)}</text>`);
  for (let g = 0; g <= 10; g++) {
    const y = Y(g / 10);
    parts.push(
      `<line x1="${String(left)}" y1="${y.toFixed(1)}" x2="${String(left + plotW)}" y2="${y.toFixed(1)}" stroke="${g % 5 === 0 ? '#bbb' : '#eee'}"/>`,
    );
    if (g % 2 === 0)
      parts.push(`<text x="${String(left - 6)}" y="${(y + 4).toFixed(1)}" font-size="12" text-anchor="end">${String(g * 10)}%</text>`);
  }
  const ticks = options.xTicks ?? [...new Set(xs)].sort((a, b) => a - b);
  for (const t of ticks) {
    const x = X(t);
    parts.push(`<line x1="${x.toFixed(1)}" y1="${String(top)}" x2="${x.toFixed(1)}" y2="${String(top + plotH)}" stroke="#f2f2f2"/>`);
    parts.push(`<text x="${x.toFixed(1)}" y="${String(top + plotH + 18)}" font-size="12" text-anchor="middle">${fmt(t)}</text>`);
  }
  parts.push(`<rect x="${String(left)}" y="${String(top)}" width="${String(plotW)}" height="${String(plotH)}" fill="none" stroke="#666"/>`);
  parts.push(
    `<text x="${String(left + plotW / 2)}" y="${String(top + plotH + 40)}" font-size="13" text-anchor="middle">${escapeXml(xLabel)}</text>`,
  );
  parts.push(
    `<text x="16" y="${String(top + plotH / 2)}" font-size="13" text-anchor="middle" transform="rotate(-90 16 ${String(top + plotH / 2)})">test accuracy</text>`,
  );
  series.forEach((s) => {
    const pts = [...s.points].sort((a, b) => a.x - b.x);
    const band = pts.filter((p) => p.sd !== undefined && p.sd > 0);
    if (band.length === pts.length && pts.length > 1) {
      const upper = pts.map((p) => `${X(p.x).toFixed(1)},${Y(Math.min(1, p.y + (p.sd ?? 0))).toFixed(1)}`);
      const lower = [...pts].reverse().map((p) => `${X(p.x).toFixed(1)},${Y(Math.max(0, p.y - (p.sd ?? 0))).toFixed(1)}`);
      parts.push(`<polygon points="${[...upper, ...lower].join(' ')}" fill="${s.color}" fill-opacity="0.12" stroke="none"/>`);
    }
    const path = pts.map((p) => `${X(p.x).toFixed(1)},${Y(p.y).toFixed(1)}`).join(' ');
    parts.push(`<polyline points="${path}" fill="none" stroke="${s.color}" stroke-width="2"${STROKE[s.style]}/>`);
    if (s.style !== 'clean')
      for (const p of pts) parts.push(`<circle cx="${X(p.x).toFixed(1)}" cy="${Y(p.y).toFixed(1)}" r="2.5" fill="${s.color}"/>`);
  });
  const lx = left + plotW + 16;
  const entry = (k: number, stroke: string, attributes: string, label: string): void => {
    const ly = top + 8 + k * 20;
    parts.push(
      `<line x1="${String(lx)}" y1="${String(ly)}" x2="${String(lx + 26)}" y2="${String(ly)}" stroke="${stroke}" stroke-width="2"${attributes}/>`,
    );
    parts.push(`<text x="${String(lx + 32)}" y="${String(ly + 4)}" font-size="12">${escapeXml(label)}</text>`);
  };
  models.forEach((m, k) => entry(k, series.find((s) => s.model === m)?.color ?? '#000', '', m));
  styles.forEach((st, k) => entry(models.length + 1 + k, '#555', STROKE[st], STYLE_LABEL[st]));
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${String(width)}" height="${String(height)}" font-family="sans-serif">\n<rect width="100%" height="100%" fill="white"/>\n${parts.join('\n')}\n</svg>\n`;
}

const points = (curve: NonNullable<CellGroup['curve']>, pick: 'accuracy' | 'shuffledAccuracy') =>
  curve.flatMap((p) => {
    const s: Stat | null = p[pick];
    return s === null ? [] : [{ x: p.epoch, y: s.mean, sd: s.sd }];
  });

/**
 * Learning curves, one SVG per signal (row of the tables): for each model that recorded a curve,
 * test accuracy per epoch (solid) and accuracy with a shuffled label's signal (dashed), and the
 * same model's clean curve (dotted) as the reference. Means over seeds, with ±1 sd bands.
 *
 * @example
 * ```ts
 * import { writeFileSync } from 'node:fs';
 * import { learningCurvesSvg, readResults } from 'blindspots/study';
 * const records = readResults('study.jsonl');
 * for (const { row, svg } of learningCurvesSvg(records)) writeFileSync(`curves-${row}.svg`, svg);
 * ```
 */
export function learningCurvesSvg(records: readonly CellRecord[]): { readonly row: string; readonly svg: string }[] {
  const groups = aggregate(records).filter((g) => g.curve !== undefined);
  const out: { row: string; svg: string }[] = [];
  for (const row of [...new Set(groups.map((g) => g.row))].filter((r) => r !== CLEAN)) {
    const series: Series[] = [];
    groups
      .filter((g) => g.row === row)
      .forEach((g, i) => {
        const color = COLORS[i % COLORS.length] as string;
        const curve = g.curve as NonNullable<CellGroup['curve']>;
        series.push({ model: g.column, color, style: 'signal', points: points(curve, 'accuracy') });
        if (g.shuffledAccuracy !== null)
          series.push({ model: g.column, color, style: 'shuffled', points: points(curve, 'shuffledAccuracy') });
        const clean = groups.find((c) => c.row === CLEAN && c.column === g.column);
        if (clean?.curve !== undefined) series.push({ model: g.column, color, style: 'clean', points: points(clean.curve, 'accuracy') });
      });
    out.push({ row, svg: linePlotSvg(`Learning curves: ${row}`, 'epoch', series) });
  }
  return out;
}

/**
 * Where each model's blindspot ends: for every signal whose options vary between cells (a
 * sweep), test accuracy (solid) and accuracy with a shuffled label's signal (dashed) against the
 * swept value, one colour per model, the model's clean accuracy as a dotted line. Log-scale x when
 * the values span more than a factor of 10.
 *
 * @example
 * ```ts
 * import { writeFileSync } from 'node:fs';
 * import { readResults, sweepSvg } from 'blindspots/study';
 * const records = readResults('study.jsonl');
 * for (const { signal, option, svg } of sweepSvg(records)) writeFileSync(`sweep-${signal}-${option}.svg`, svg);
 * ```
 */
export function sweepSvg(records: readonly CellRecord[]): { readonly signal: string; readonly option: string; readonly svg: string }[] {
  const groups = aggregate(records);
  const out: { signal: string; option: string; svg: string }[] = [];
  for (const signal of [...new Set(groups.map((g) => g.signal))].filter((s) => s !== CLEAN)) {
    const ofSignal = groups.filter((g) => g.signal === signal);
    const first = ofSignal[0]?.records[0];
    if (first === undefined) continue;
    const options = Object.keys(first.options).filter(
      (k) =>
        k !== 'seed' &&
        typeof first.options[k] === 'number' &&
        new Set(ofSignal.map((g) => (g.records[0] as CellRecord).options[k])).size > 1,
    );
    for (const option of options) {
      const value = (g: CellGroup): number => (g.records[0] as CellRecord).options[option] as number;
      const columns = [...new Set(ofSignal.map((g) => g.column))];
      const values = [...new Set(ofSignal.map(value))];
      const logX = Math.min(...values) > 0 && Math.max(...values) / Math.min(...values) > 10;
      const series: Series[] = [];
      columns.forEach((column, i) => {
        const color = COLORS[i % COLORS.length] as string;
        const ofColumn = ofSignal.filter((g) => g.column === column);
        const pts = (pick: (g: CellGroup) => Stat | null) =>
          ofColumn.flatMap((g) => {
            const s = pick(g);
            return s === null ? [] : [{ x: value(g), y: s.mean, sd: s.sd }];
          });
        series.push({ model: column, color, style: 'signal', points: pts((g) => g.accuracy) });
        series.push({ model: column, color, style: 'shuffled', points: pts((g) => g.shuffledAccuracy) });
        const clean = groups.find((g) => g.row === CLEAN && g.column === column);
        if (clean !== undefined)
          series.push({ model: column, color, style: 'clean', points: values.map((x) => ({ x, y: clean.accuracy.mean })) });
      });
      out.push({
        signal,
        option,
        svg: linePlotSvg(`${signal}: accuracy against ${option}`, option, series, { logX, xTicks: values.sort((a, b) => a - b) }),
      });
    }
  }
  return out;
}
