/**
 * Runs the cells of one or more presets (or study files) that share a results file, in an order
 * of the caller's choosing instead of the plan's: the cells that decide a question first, so that
 * a run stopped at any point has answered the most it could. Resumable like `blindspots study`
 * (cells already in the file are skipped; each finished cell is appended at once).
 *
 * Usage:
 *   npx tsx scripts/run-in-order.ts --preset recipe --preset recipe-suspects \
 *     --first 'orthogonalNoise torch 0' --first 'orthogonalNoise he 0' … [--results FILE] [--dry-run]
 *
 * Each `--first` is "signal init seed" (a word may be `*`); cells are run in the order of the
 * first pattern they match, then the rest in plan order. `--only N` stops after N cells (so that
 * two orders can take turns on one machine).
 */
import { readFileSync } from 'node:fs';
import { applyDither, PRESETS, planStudy, prepareStudy, runCell, type Cell, type StudyFile } from '../src/study/index.js';
import { openResultsFile } from '../src/study/store/resultsFile.js';

const args = process.argv.slice(2);
const files: StudyFile[] = [];
const patterns: string[][] = [];
let results: string | undefined;
let dryRun = false;
let only = Number.POSITIVE_INFINITY;
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  const value = (): string => {
    const v = args[++i];
    if (v === undefined) throw new Error(`${String(a)} needs a value`);
    return v;
  };
  if (a === '--preset') {
    const name = value();
    const p = PRESETS[name];
    if (p === undefined) throw new Error(`no preset ${name}: ${Object.keys(PRESETS).join(', ')}`);
    files.push(p);
  } else if (a === '--file') files.push(JSON.parse(readFileSync(value(), 'utf8')) as StudyFile);
  else if (a === '--first') patterns.push(value().split(/\s+/));
  else if (a === '--results') results = value();
  else if (a === '--dry-run') dryRun = true;
  else if (a === '--only') {
    only = Number(value());
    if (!Number.isInteger(only) || only < 1) throw new Error(`--only: expected an integer >= 1, got ${String(only)}`);
  } else throw new Error(`unknown argument ${String(a)}`);
}
if (files.length === 0) throw new Error('give --preset or --file');
const resultsPath = results ?? files[0]?.results;
if (resultsPath === undefined) throw new Error('give --results');

const matches = (cell: Cell, pattern: readonly string[]): boolean => {
  const [signal = '*', init = '*', seed = '*'] = pattern;
  return (
    (signal === '*' || cell.signal === signal) &&
    (init === '*' || cell.params.init === init) &&
    (seed === '*' || String(cell.seed) === seed)
  );
};
const rank = (cell: Cell): number => {
  const i = patterns.findIndex((p) => matches(cell, p));
  return i < 0 ? patterns.length : i;
};

// Every file must describe the same data: one plan's data serves all cells.
const plans = files.map((f) => planStudy(prepareStudy(f)));
const first = plans[0];
if (first === undefined) throw new Error('no plan');
for (const p of plans) {
  if (p.data.train.sha256 !== first.data.train.sha256 || p.data.test.sha256 !== first.data.test.sha256)
    throw new Error('the study files make different data');
}
const cells = new Map<string, { cell: Cell; order: number }>();
plans.forEach((p) => {
  for (const cell of p.cells) if (!cells.has(cell.key)) cells.set(cell.key, { cell, order: cells.size });
});
const file = openResultsFile(resultsPath, 'run-in-order');
try {
  const done = new Set(file.records.map((r) => r.key));
  const pending = [...cells.values()]
    .filter(({ cell }) => !done.has(cell.key))
    .sort((a, b) => rank(a.cell) - rank(b.cell) || a.order - b.order)
    .map(({ cell }) => cell)
    .slice(0, only);
  const label = (c: Cell): string => `${c.signal} ${JSON.stringify(c.params.init)} seed ${String(c.seed)} (${c.key.slice(0, 8)})`;
  console.log(`${String(cells.size)} cells, ${String(done.size)} in ${resultsPath}, ${String(pending.length)} to run:`);
  for (const c of pending) console.log(`  ${label(c)}`);
  if (!dryRun) {
    const data = {
      data: first.data,
      train: applyDither(first.train, first.data.dither, 'train'),
      test: applyDither(first.test, first.data.dither, 'test'),
    };
    for (const cell of pending) {
      const t0 = performance.now();
      console.log(`${new Date().toISOString()} start ${label(cell)}`);
      let last = 0;
      const record = await runCell(data, cell, {
        onProgress: (p) => {
          const now = performance.now();
          if (now - last < 60_000) return;
          last = now;
          console.log(`  ${p.message ?? ''} ${p.samplesPerSecond?.toFixed(0) ?? ''} samples/s`);
        },
      });
      file.append(record);
      const curve = (record.curve ?? []).map(
        (p) => `${String(p.epoch)}:${(p.accuracy * 100).toFixed(1)}/${((p.shuffledAccuracy ?? 0) * 100).toFixed(1)}`,
      );
      console.log(
        `${new Date().toISOString()} done ${label(cell)}: ${(record.accuracy * 100).toFixed(2)}% / ${((record.shuffledAccuracy ?? 0) * 100).toFixed(2)}% shuffled, trained ${record.fitSeconds.toFixed(0)} s, wall ${((performance.now() - t0) / 1000).toFixed(0)} s`,
      );
      console.log(`  curve ${curve.join(' ')}`);
    }
  }
} finally {
  file.close();
}
