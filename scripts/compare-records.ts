/**
 * Compares two results files record by record (matched by key): a refactoring, another machine or
 * another backend must give the same keys, accuracies, curves and predictions. The fields that
 * differ between two runs of the same cell by nature (`finishedAt`, `host`, `fitSeconds`) are left
 * out; `--ignore a,b` leaves out more. Prints what was compared and every difference (its key,
 * model, signal and the path of the field); exits 1 when there is one.
 *
 *   npx tsx scripts/compare-records.ts before.jsonl after.jsonl [--ignore backend,version]
 */
import { pathToFileURL } from 'node:url';
import { canonicalJson, readResults, type CellRecord } from '../src/study/index.js';

/** The fields of a record that two runs of one cell do not share: when, where, how long. */
export const RUN_FIELDS: readonly string[] = ['finishedAt', 'host', 'fitSeconds'];

/** What {@link compareRecords} found. */
export interface RecordComparison {
  /** Keys in both files. */
  readonly matched: number;
  readonly onlyInA: readonly string[];
  readonly onlyInB: readonly string[];
  /** Matched records that differ: their key and the paths of the fields that differ. */
  readonly differences: readonly { readonly key: string; readonly cell: string; readonly paths: readonly string[] }[];
  /** Learning-curve points and per-image prediction sets among the matched records. */
  readonly curvePoints: number;
  readonly predictionSets: number;
}

/** The paths (`curve[3].accuracy`) where `a` and `b` differ; values compared as canonical JSON leaves. */
function diffPaths(a: unknown, b: unknown, path: string, out: string[]): void {
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null && Array.isArray(a) === Array.isArray(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) {
      const sub = Array.isArray(a) ? `${path}[${k}]` : path === '' ? k : `${path}.${k}`;
      diffPaths((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], sub, out);
    }
    return;
  }
  if (canonicalJson(a) !== canonicalJson(b)) out.push(path);
}

/** Compares the records of two runs by key, without the fields in `ignore`. */
export function compareRecords(
  a: readonly CellRecord[],
  b: readonly CellRecord[],
  ignore: readonly string[] = RUN_FIELDS,
): RecordComparison {
  const strip = (r: CellRecord): Record<string, unknown> => Object.fromEntries(Object.entries(r).filter(([k]) => !ignore.includes(k)));
  const byKey = (rs: readonly CellRecord[]): Map<string, CellRecord> => new Map(rs.map((r) => [r.key, r]));
  const ma = byKey(a);
  const mb = byKey(b);
  const differences: { key: string; cell: string; paths: string[] }[] = [];
  let matched = 0;
  let curvePoints = 0;
  let predictionSets = 0;
  for (const [key, ra] of ma) {
    const rb = mb.get(key);
    if (rb === undefined) continue;
    matched++;
    curvePoints += ra.curve?.length ?? 0;
    predictionSets += ra.predictions === undefined ? 0 : 1;
    const paths: string[] = [];
    diffPaths(strip(ra), strip(rb), '', paths);
    if (paths.length > 0) differences.push({ key, cell: `${ra.model} on ${ra.signal} (seed ${String(ra.seed)})`, paths });
  }
  return {
    matched,
    onlyInA: [...ma.keys()].filter((k) => !mb.has(k)),
    onlyInB: [...mb.keys()].filter((k) => !ma.has(k)),
    differences,
    curvePoints,
    predictionSets,
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2);
  const at = args.indexOf('--ignore');
  const extra = at < 0 ? [] : (args.splice(at, 2)[1] ?? '').split(',').filter((s) => s.length > 0);
  const [fileA, fileB] = args;
  if (fileA === undefined || fileB === undefined || args.length !== 2) {
    console.error('usage: npx tsx scripts/compare-records.ts a.jsonl b.jsonl [--ignore field,field]');
    process.exit(2);
  }
  const a = readResults(fileA);
  const b = readResults(fileB);
  const ignore = [...RUN_FIELDS, ...extra];
  const c = compareRecords(a, b, ignore);
  console.log(
    `${fileA}: ${String(a.length)} records; ${fileB}: ${String(b.length)} records; ${String(c.matched)} keys in both ` +
      `(${String(c.curvePoints)} curve points, ${String(c.predictionSets)} prediction sets); fields left out: ${ignore.join(', ')}`,
  );
  for (const k of c.onlyInA) console.log(`only in ${fileA}: ${k}`);
  for (const k of c.onlyInB) console.log(`only in ${fileB}: ${k}`);
  for (const d of c.differences) console.log(`differs: ${d.cell} key ${d.key}: ${d.paths.join(', ')}`);
  const same = c.onlyInA.length === 0 && c.onlyInB.length === 0 && c.differences.length === 0;
  console.log(same ? 'equal' : `${String(c.differences.length)} records differ`);
  process.exitCode = same ? 0 : 1;
}
