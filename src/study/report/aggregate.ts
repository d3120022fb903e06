import type { ParamValue } from '../../models/model.js';
import { models as registry } from '../../models/modelRegistry.js';
import { canonicalJson } from '../store/canonicalJson.js';
import { CLEAN, type CellRecord } from '../store/cellRecord.js';
import { labelsOf, variantKeys, type Variant } from './variants.js';
import { aggregateSeeds, type SeedsAggregate } from '../stats/aggregateSeeds.js';
import type { PairedTestResult } from '../stats/pairedTest.js';
import { recordPairedTest } from '../stats/recordPairedTest.js';

/** A mean over seeds with its spread. */
export interface Stat {
  readonly mean: number;
  /** Sample standard deviation (0 for one value). */
  readonly sd: number;
  readonly min: number;
  readonly max: number;
  readonly n: number;
}

/** Which epoch of a learning curve a table reports: the last (the fitted model) or the best. */
export type EpochChoice = 'last' | 'peak';

/** Cells that differ only by seed, aggregated. */
export interface CellGroup {
  /** The signal (`clean`, a name, `<name>:only`). */
  readonly signal: string;
  /** The signal with the options that vary between its cells in these records, e.g. `orthogonalNoise (scale 0.01)`. */
  readonly row: string;
  readonly model: string;
  /** The model with what varies between its cells (other params, other data), e.g. `resnet (schedule onecycle)`. */
  readonly column: string;
  /** Whether the registry calls the model a ConvNet (the paper's ConvNet column). */
  readonly convnet: boolean;
  readonly records: readonly CellRecord[];
  readonly accuracy: Stat;
  /** Null for clean cells. */
  readonly shuffledAccuracy: Stat | null;
  /** The learning curve averaged over seeds (epochs every seed has), when the cells have curves. */
  readonly curve?: readonly CurveStat[];
  /**
   * The paired test of each seed's fitted model (right signal vs shuffled, from the records'
   * per-image predictions) and their summary, when every record of the group kept predictions.
   */
  readonly paired?: { readonly tests: readonly PairedTestResult[]; readonly seeds: SeedsAggregate };
}

/** One epoch of a group's learning curve: each figure's mean over seeds (null where a record lacks it). */
export interface CurveStat {
  readonly epoch: number;
  readonly accuracy: Stat;
  readonly shuffledAccuracy: Stat | null;
  readonly firstKernelNorm: Stat | null;
  readonly meanKernelNorm: Stat | null;
  readonly effectiveLr: Stat | null;
  readonly meanEffectiveLr: Stat | null;
}

/** Mean, sample standard deviation and range of `xs`. */
export function stat(xs: readonly number[]): Stat {
  const n = xs.length;
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  const sd = n > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, sd, min: Math.min(...xs), max: Math.max(...xs), n };
}

const withoutSeed = (o: { readonly [k: string]: ParamValue }): Record<string, ParamValue> => {
  const { seed: _seed, ...rest } = o;
  return rest;
};

/** The data a record ran on, minus what differs by machine (host) or by nothing (names only). */
const dataOf = (r: CellRecord): string =>
  canonicalJson({ name: r.data.name, dither: r.data.dither, train: r.data.train.sha256, test: r.data.test.sha256 });

/** Labels for variants of one thing: the values of their {@link variantKeys}. */
function variantLabels(variants: readonly Variant[]): string[] {
  return labelsOf(variants, variantKeys(variants));
}

/**
 * The value (accuracy and shuffled accuracy) a table reports for a record: its final ones
 * (`last`), or those of the epoch of highest accuracy on its learning curve (`peak`; the final
 * ones for models without a curve).
 */
export function recordValues(r: CellRecord, epoch: EpochChoice): { accuracy: number; shuffledAccuracy: number | null } {
  if (epoch === 'last' || r.curve === undefined || r.curve.length === 0)
    return { accuracy: r.accuracy, shuffledAccuracy: r.shuffledAccuracy };
  let best = r.curve[0] as NonNullable<CellRecord['curve']>[number];
  for (const p of r.curve) if (p.accuracy > best.accuracy) best = p;
  return { accuracy: best.accuracy, shuffledAccuracy: best.shuffledAccuracy };
}

/**
 * Groups records that differ only by seed (same data, signal and signal options, model and
 * parameters, seed aside) and aggregates each group: mean, spread and n of the accuracies, and of
 * the learning curve. Rows are signals with the options that vary between their cells (a sweep);
 * columns are models with the parameters or data that vary between their cells (two schedules, a
 * dithered and a plain run).
 *
 * @example
 * ```ts
 * import { aggregate, readResults } from 'blindspots/study';
 * for (const g of aggregate(readResults('study.jsonl'))) console.log(g.row, g.column, g.accuracy.mean, g.accuracy.n);
 * ```
 */
export function aggregate(records: readonly CellRecord[], options: { readonly epoch?: EpochChoice } = {}): CellGroup[] {
  const epoch = options.epoch ?? 'last';
  const groups = new Map<string, CellRecord[]>();
  for (const r of records) {
    const key = canonicalJson({
      data: dataOf(r),
      signal: r.signal,
      options: withoutSeed(r.options),
      model: r.model,
      params: withoutSeed(r.params),
    });
    const list = groups.get(key);
    if (list === undefined) groups.set(key, [r]);
    else list.push(r);
  }
  const lists = [...groups.values()];
  // Row labels: per signal, the options that vary between its groups.
  const rowOf = new Map<CellRecord[], string>();
  for (const signal of new Set(lists.map((l) => (l[0] as CellRecord).signal))) {
    const ofSignal = lists.filter((l) => (l[0] as CellRecord).signal === signal);
    const distinct = [
      ...new Map(
        ofSignal.map((l) => [canonicalJson(withoutSeed((l[0] as CellRecord).options)), withoutSeed((l[0] as CellRecord).options)]),
      ).values(),
    ];
    const labels = variantLabels(distinct);
    for (const l of ofSignal) {
      const label = labels[distinct.findIndex((d) => canonicalJson(d) === canonicalJson(withoutSeed((l[0] as CellRecord).options)))] ?? '';
      rowOf.set(l, label === '' ? signal : `${signal} (${label})`);
    }
  }
  // Column labels: per model, the params and data that vary between its groups.
  const columnOf = new Map<CellRecord[], string>();
  for (const model of new Set(lists.map((l) => (l[0] as CellRecord).model))) {
    const ofModel = lists.filter((l) => (l[0] as CellRecord).model === model);
    const describe = (r: CellRecord): Record<string, ParamValue> => ({
      ...withoutSeed(r.params),
      ...(r.data.dither === null ? {} : { dither: 'on' }),
      ...(r.dataset === (ofModel[0]?.[0] as CellRecord).dataset ? {} : { data: r.dataset }),
    });
    const distinct = [...new Map(ofModel.map((l) => [canonicalJson(describe(l[0] as CellRecord)), describe(l[0] as CellRecord)])).values()];
    const labels = variantLabels(distinct);
    for (const l of ofModel) {
      const label = labels[distinct.findIndex((d) => canonicalJson(d) === canonicalJson(describe(l[0] as CellRecord)))] ?? '';
      columnOf.set(l, label === '' ? model : `${model} (${label})`);
    }
  }
  return lists.map((list) => {
    const first = list[0] as CellRecord;
    const values = list.map((r) => recordValues(r, epoch));
    const shuffled = values.map((v) => v.shuffledAccuracy).filter((v): v is number => v !== null);
    const curves = list.map((r) => r.curve).filter((c): c is NonNullable<CellRecord['curve']> => c !== undefined && c.length > 0);
    let curve: CellGroup['curve'];
    if (curves.length > 0) {
      const epochs = [...new Set(curves.flatMap((c) => c.map((p) => p.epoch)))]
        .filter((e) => curves.every((c) => c.some((p) => p.epoch === e)))
        .sort((a, b) => a - b);
      curve = epochs.map((e) => {
        const points = curves.map((c) => c.find((p) => p.epoch === e) as NonNullable<CellRecord['curve']>[number]);
        const statOf = (pick: (p: (typeof points)[number]) => number | null | undefined): Stat | null => {
          const xs = points.map(pick).filter((v): v is number => typeof v === 'number');
          return xs.length === points.length ? stat(xs) : null;
        };
        return {
          epoch: e,
          accuracy: stat(points.map((p) => p.accuracy)),
          shuffledAccuracy: statOf((p) => p.shuffledAccuracy),
          firstKernelNorm: statOf((p) => p.firstKernelNorm),
          meanKernelNorm: statOf((p) => p.meanKernelNorm),
          effectiveLr: statOf((p) => p.effectiveLr),
          meanEffectiveLr: statOf((p) => p.meanEffectiveLr),
        };
      });
    }
    const tests = first.signal === CLEAN ? [] : list.map((r) => recordPairedTest(r));
    const paired = tests.length > 0 && tests.every((t) => t !== undefined) ? { tests, seeds: aggregateSeeds(tests) } : undefined;
    const entry = (registry as Record<string, { convnet?: boolean }>)[first.model];
    return {
      signal: first.signal,
      row: rowOf.get(list) ?? first.signal,
      model: first.model,
      column: columnOf.get(list) ?? first.model,
      convnet: entry?.convnet === true,
      records: list,
      accuracy: stat(values.map((v) => v.accuracy)),
      shuffledAccuracy: shuffled.length === values.length && first.signal !== CLEAN ? stat(shuffled) : null,
      ...(curve === undefined ? {} : { curve }),
      ...(paired === undefined ? {} : { paired }),
    };
  });
}
