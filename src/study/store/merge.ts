import type { Cell } from '../spec/plan.js';
import type { CellRecord } from './cellRecord.js';

/** Records with the same key whose measurements differ: the run was not deterministic somewhere. */
export interface Disagreement {
  readonly key: string;
  readonly model: string;
  readonly signal: string;
  readonly seed: number;
  /** The differing measurements, one entry per record, in input order. */
  readonly accuracies: readonly { readonly accuracy: number; readonly shuffledAccuracy: number | null; readonly host: string }[];
}

/** What {@link mergeRecords} found. */
export interface MergeResult {
  /** One record per key, the first seen kept, in input order. */
  readonly records: readonly CellRecord[];
  /** How many records were dropped as duplicates of a kept one. */
  readonly duplicates: number;
  /** Keys whose duplicates measured something else. */
  readonly disagreements: readonly Disagreement[];
}

/** The measurements two runs of a cell must agree on (timings, hosts and dates may differ). */
function measurements(r: CellRecord): string {
  return JSON.stringify([r.accuracy, r.shuffledAccuracy, r.curve ?? null, r.params]);
}

/**
 * Merges records from several files (shards, queue workers, reruns): one record per key. A
 * cell can be recorded twice (at-least-once delivery, a rerun of a shard); duplicates that
 * measured the same are dropped silently, duplicates that measured something else are listed as
 * disagreements — the same cell giving different accuracies means non-determinism.
 *
 * @example
 * ```ts
 * import { mergeRecords, readResults } from 'blindspots/study';
 * const { records, disagreements } = mergeRecords([readResults('a.jsonl'), readResults('b.jsonl')]);
 * disagreements.length; //=> 0
 * ```
 */
export function mergeRecords(lists: readonly (readonly CellRecord[])[]): MergeResult {
  const kept = new Map<string, CellRecord>();
  const differing = new Map<string, CellRecord[]>();
  let duplicates = 0;
  for (const list of lists) {
    for (const r of list) {
      const first = kept.get(r.key);
      if (first === undefined) {
        kept.set(r.key, r);
        continue;
      }
      duplicates++;
      if (measurements(first) !== measurements(r)) {
        const seen = differing.get(r.key) ?? [first];
        seen.push(r);
        differing.set(r.key, seen);
      }
    }
  }
  const disagreements = [...differing.entries()].map(([key, rs]) => {
    const r = rs[0] as CellRecord;
    return {
      key,
      model: r.model,
      signal: r.signal,
      seed: r.seed,
      accuracies: rs.map((x) => ({ accuracy: x.accuracy, shuffledAccuracy: x.shuffledAccuracy, host: x.host })),
    };
  });
  return { records: [...kept.values()], duplicates, disagreements };
}

/**
 * The planned cells that have no record yet.
 *
 * @example
 * ```ts
 * import { missingCells, planStudy, runStudy, type StudyConfig } from 'blindspots/study';
 * const images = { data: new Float32Array(8 * 8 * 8), shape: [8, 8, 8, 1] as const }; // 8 blank 8x8 images
 * const train = { images, labels: Int32Array.of(0, 1, 0, 1, 0, 1, 0, 1), classNames: ['a', 'b'] };
 * const config: StudyConfig = { dataset: 'toy', train, test: train, signals: ['onePixel'], models: ['decisionTree'], seeds: [0, 1] };
 * const records = await runStudy({ ...config, seeds: [0] });
 * const missing = missingCells(planStudy(config).cells, records);
 * missing.map((c) => `${c.signal} ${String(c.seed)}`); //=> ['clean 1', 'onePixel 1']
 * ```
 */
export function missingCells(cells: readonly Cell[], records: readonly CellRecord[]): Cell[] {
  const done = new Set(records.map((r) => r.key));
  return cells.filter((c) => !done.has(c.key));
}
