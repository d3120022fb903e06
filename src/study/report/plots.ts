import { aggregate, type CellGroup, type Stat } from './aggregate.js';
import { variantKeys } from './variants.js';
import type { ParamValue } from '../../models/model.js';
import { CLEAN, type CellRecord } from '../store/cellRecord.js';
import { escapeXml } from './tables.js';

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

type LineStyle = 'signal' | 'shuffled' | 'clean' | 'first' | 'mean';

/** The SVG stroke attributes of each style, shared by the lines and the legend's key. */
const STROKE: Record<LineStyle, string> = {
  signal: '',
  shuffled: ' stroke-dasharray="6 4"',
  clean: ' stroke-dasharray="1.5 4" stroke-linecap="round" stroke-opacity="0.8"',
  first: '',
  mean: ' stroke-dasharray="6 4"',
};

/** The legend's words for each style. */
const STYLE_LABEL: Record<LineStyle, string> = {
  signal: 'with its signal',
  shuffled: "with a shuffled label's signal",
  clean: 'clean (no signal)',
  first: 'first kernel (reads the input)',
  mean: 'mean over kernels',
};

/** The y axis of a plot: test accuracy in percent (the default), or a quantity of its own, linear or log. */
interface YAxis {
  readonly label: string;
  readonly log?: boolean;
}

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
  options: {
    readonly logX?: boolean;
    readonly xTicks?: readonly number[];
    /** Words for the ticks (a categorical x: the values 0, 1, … stand for these). */
    readonly xTickLabels?: readonly string[];
    readonly y?: YAxis;
  } = {},
): string {
  const width = 760;
  const left = 64;
  const right = 250;
  const top = 48;
  const plotH = 320;
  // The legend: one entry per model (its colour), then one per line style, in grey.
  const models = [...new Set(series.map((s) => s.model))];
  const styles = (['signal', 'shuffled', 'clean', 'first', 'mean'] as const).filter((st) => series.some((s) => s.style === st));
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
  const yAxis = options.y;
  // Accuracy: 0–100%. A quantity: its range (decades when log), a little margin.
  const ys = series.flatMap((s) => s.points.map((p) => p.y)).filter((v) => Number.isFinite(v) && (yAxis?.log !== true || v > 0));
  const ty = (v: number): number => (yAxis?.log === true ? Math.log10(v) : v);
  let y0 = 0;
  let y1 = 1;
  if (yAxis !== undefined) {
    y0 = ys.length === 0 ? 0 : Math.min(...ys.map(ty));
    y1 = ys.length === 0 ? 1 : Math.max(...ys.map(ty));
    if (yAxis.log === true) {
      y0 = Math.floor(y0);
      y1 = Math.ceil(y1);
    } else {
      y0 = Math.min(0, y0);
      y1 = y1 * 1.05;
    }
    if (y0 === y1) y1 = y0 + 1;
  }
  const Y = (v: number): number => top + (1 - (ty(v) - y0) / (y1 - y0)) * plotH;
  const parts: string[] = [];
  parts.push(`<text x="${String(left)}" y="24" font-size="15" font-weight="bold">${escapeXml(title)}</text>`);
  const yTicks: { v: number; label: string | undefined; strong: boolean }[] = [];
  if (yAxis === undefined)
    for (let g = 0; g <= 10; g++) yTicks.push({ v: g / 10, label: g % 2 === 0 ? `${String(g * 10)}%` : undefined, strong: g % 5 === 0 });
  else if (yAxis.log === true) for (let e = y0; e <= y1; e++) yTicks.push({ v: 10 ** e, label: fmt(10 ** e), strong: true });
  else for (let g = 0; g <= 5; g++) yTicks.push({ v: y0 + ((y1 - y0) * g) / 5, label: fmt(y0 + ((y1 - y0) * g) / 5), strong: g === 0 });
  for (const t of yTicks) {
    const y = Y(t.v);
    parts.push(
      `<line x1="${String(left)}" y1="${y.toFixed(1)}" x2="${String(left + plotW)}" y2="${y.toFixed(1)}" stroke="${t.strong ? '#bbb' : '#eee'}"/>`,
    );
    if (t.label !== undefined)
      parts.push(`<text x="${String(left - 6)}" y="${(y + 4).toFixed(1)}" font-size="12" text-anchor="end">${escapeXml(t.label)}</text>`);
  }
  const ticks = options.xTicks ?? [...new Set(xs)].sort((a, b) => a - b);
  for (const t of ticks) {
    const x = X(t);
    const word = options.xTickLabels?.[t] ?? fmt(t);
    parts.push(`<line x1="${x.toFixed(1)}" y1="${String(top)}" x2="${x.toFixed(1)}" y2="${String(top + plotH)}" stroke="#f2f2f2"/>`);
    parts.push(`<text x="${x.toFixed(1)}" y="${String(top + plotH + 18)}" font-size="12" text-anchor="middle">${escapeXml(word)}</text>`);
  }
  parts.push(`<rect x="${String(left)}" y="${String(top)}" width="${String(plotW)}" height="${String(plotH)}" fill="none" stroke="#666"/>`);
  parts.push(
    `<text x="${String(left + plotW / 2)}" y="${String(top + plotH + 40)}" font-size="13" text-anchor="middle">${escapeXml(xLabel)}</text>`,
  );
  parts.push(
    `<text x="16" y="${String(top + plotH / 2)}" font-size="13" text-anchor="middle" transform="rotate(-90 16 ${String(top + plotH / 2)})">${escapeXml(yAxis?.label ?? 'test accuracy')}</text>`,
  );
  series.forEach((s) => {
    const pts = [...s.points].sort((a, b) => a.x - b.x);
    const band = pts.filter((p) => p.sd !== undefined && p.sd > 0);
    if (band.length === pts.length && pts.length > 1 && yAxis?.log !== true) {
      const hi = yAxis === undefined ? 1 : Infinity;
      const upper = pts.map((p) => `${X(p.x).toFixed(1)},${Y(Math.min(hi, p.y + (p.sd ?? 0))).toFixed(1)}`);
      const lower = [...pts].reverse().map((p) => `${X(p.x).toFixed(1)},${Y(Math.max(0, p.y - (p.sd ?? 0))).toFixed(1)}`);
      parts.push(`<polygon points="${[...upper, ...lower].join(' ')}" fill="${s.color}" fill-opacity="0.12" stroke="none"/>`);
    }
    const path = pts.map((p) => `${X(p.x).toFixed(1)},${Y(p.y).toFixed(1)}`).join(' ');
    parts.push(`<polyline points="${path}" fill="none" stroke="${s.color}" stroke-width="2"${STROKE[s.style]}/>`);
    if (s.style !== 'clean' && s.style !== 'mean')
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
 * The mechanism beside the learning curves: for each row (clean included) and each model whose
 * curve recorded its weights, the L2 norm of the first kernel (solid) and the mean over kernels
 * (dashed) per epoch, and the effective learning rate — the rate divided by one filter's mean
 * squared norm, on a log scale — the same way. Means over seeds. Two SVGs per row: `norms` and
 * `effectiveLr`.
 *
 * @example
 * ```ts
 * import { writeFileSync } from 'node:fs';
 * import { readResults, weightCurvesSvg } from 'blindspots/study';
 * for (const { row, figure, svg } of weightCurvesSvg(readResults('study.jsonl'))) writeFileSync(`${figure}-${row}.svg`, svg);
 * ```
 */
export function weightCurvesSvg(
  records: readonly CellRecord[],
): { readonly row: string; readonly figure: 'norms' | 'effectiveLr'; readonly svg: string }[] {
  const groups = aggregate(records).filter((g) => g.curve?.some((p) => p.firstKernelNorm !== null) === true);
  const out: { row: string; figure: 'norms' | 'effectiveLr'; svg: string }[] = [];
  for (const row of [...new Set(groups.map((g) => g.row))]) {
    const ofRow = groups.filter((g) => g.row === row);
    const seriesOf = (first: 'firstKernelNorm' | 'effectiveLr', mean: 'meanKernelNorm' | 'meanEffectiveLr'): Series[] =>
      ofRow.flatMap((g, i) => {
        const color = COLORS[i % COLORS.length] as string;
        const curve = g.curve as NonNullable<CellGroup['curve']>;
        const pts = (pick: typeof first | typeof mean) =>
          curve.flatMap((p) => {
            const s = p[pick];
            return s === null ? [] : [{ x: p.epoch, y: s.mean, sd: s.sd }];
          });
        return [
          { model: g.column, color, style: 'first' as const, points: pts(first) },
          { model: g.column, color, style: 'mean' as const, points: pts(mean) },
        ];
      });
    out.push({
      row,
      figure: 'norms',
      svg: linePlotSvg(`Kernel norms: ${row}`, 'epoch', seriesOf('firstKernelNorm', 'meanKernelNorm'), {
        y: { label: 'L2 norm of the kernel' },
      }),
    });
    out.push({
      row,
      figure: 'effectiveLr',
      svg: linePlotSvg(`Effective learning rate: ${row}`, 'epoch', seriesOf('effectiveLr', 'meanEffectiveLr'), {
        y: { label: 'lr / (||W||² / filters)', log: true },
      }),
    });
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
  out.push(...modelSweepSvg(groups));
  return out;
}

const valueKey = (v: ParamValue | undefined): string => JSON.stringify(v ?? null);

/**
 * The sweep plots of model options: per row (a signal with its options) and model, each
 * parameter that varies between the model's cells of that row (`init`, `initScale`) on the x axis
 * — numbers on a numeric (log when they span over 10x) axis, words as categories in the order
 * met — one line per combination of the other varying parameters. `option` is `model.param`.
 */
function modelSweepSvg(groups: readonly CellGroup[]): { signal: string; option: string; svg: string }[] {
  const out: { signal: string; option: string; svg: string }[] = [];
  const paramsOf = (g: CellGroup): { readonly [k: string]: ParamValue } => (g.records[0] as CellRecord).params;
  for (const row of [...new Set(groups.map((g) => g.row))].filter((r) => r !== CLEAN)) {
    const ofRow = groups.filter((g) => g.row === row);
    for (const model of [...new Set(ofRow.map((g) => g.model))]) {
      const ofModel = ofRow.filter((g) => g.model === model);
      // The keys the tables label the cells by: a schedule's own constants follow from the schedule.
      const keys = variantKeys(
        ofModel.map((g) => {
          const { seed: _seed, ...rest } = paramsOf(g);
          return rest;
        }),
      );
      for (const option of keys) {
        const raw = [...new Set(ofModel.map((g) => valueKey(paramsOf(g)[option])))].map((k) => JSON.parse(k) as ParamValue);
        const numeric = raw.every((v) => typeof v === 'number');
        const words = numeric ? [] : raw.map((v) => (typeof v === 'string' ? v : JSON.stringify(v)));
        const xOf = (v: ParamValue | undefined): number => (numeric ? (v as number) : raw.findIndex((r) => valueKey(r) === valueKey(v)));
        const values = raw.map(xOf).sort((a, b) => a - b);
        const logX = numeric && Math.min(...values) > 0 && Math.max(...values) / Math.min(...values) > 10;
        // One line per combination of the other parameters that vary.
        const others = keys.filter((k) => k !== option);
        const lineOf = (g: CellGroup): string =>
          others.length === 0 ? model : `${model} (${others.map((k) => `${k} ${formatParam(paramsOf(g)[k])}`).join(', ')})`;
        const series: Series[] = [];
        [...new Set(ofModel.map(lineOf))].forEach((line, i) => {
          const color = COLORS[i % COLORS.length] as string;
          const ofLine = ofModel.filter((g) => lineOf(g) === line);
          const pts = (pick: (g: CellGroup) => Stat | null) =>
            ofLine.flatMap((g) => {
              const st = pick(g);
              return st === null ? [] : [{ x: xOf(paramsOf(g)[option]), y: st.mean, sd: st.sd }];
            });
          series.push({ model: line, color, style: 'signal', points: pts((g) => g.accuracy) });
          series.push({ model: line, color, style: 'shuffled', points: pts((g) => g.shuffledAccuracy) });
          // The clean cells with the same parameters, at each x.
          const clean = groups.filter((c) => c.row === CLEAN && c.model === model && lineOf(c) === line);
          const cleanPts = clean.map((c) => ({ x: xOf(paramsOf(c)[option]), y: c.accuracy.mean }));
          if (cleanPts.length > 0) series.push({ model: line, color, style: 'clean', points: cleanPts });
        });
        out.push({
          signal: row,
          option: `${model}.${option}`,
          svg: linePlotSvg(`${row}: ${model} accuracy against ${option}`, option, series, {
            logX,
            xTicks: values,
            ...(numeric ? {} : { xTickLabels: words }),
          }),
        });
      }
    }
  }
  return out;
}

const formatParam = (v: ParamValue | undefined): string => (typeof v === 'string' ? v : JSON.stringify(v ?? null));
