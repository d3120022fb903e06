/**
 * The paired test of a PyTorch peer run: reads the per-image predictions that
 * scripts/schedule_peer.py writes with `--predictions PREFIX` (PREFIX-test.npy,
 * PREFIX-shuffled.npy) and the cell's test labels (<dir>/test_y.npy), and prints one row per
 * prefix as `blindspots report --format paired` gives a library cell: both accuracies with exact
 * 95% intervals, McNemar's b / c and p, the verdict.
 *
 *   npx tsx scripts/peer-paired.ts <dir> <prefix> [<prefix> …]
 */
import { join } from 'node:path';
import { readNpy } from '../src/data/index.js';
import { pairedTest } from '../src/study/index.js';

const [dir, ...prefixes] = process.argv.slice(2);
if (dir === undefined || prefixes.length === 0) {
  console.error('usage: npx tsx scripts/peer-paired.ts <dir> <prefix> [<prefix> …]');
  process.exit(2);
}
const labels = readNpy(join(dir, 'test_y.npy')).data as ArrayLike<number>;
const pct = (v: number): string => `${(100 * v).toFixed(2)}%`;
const interval = (i: { readonly lower: number; readonly upper: number }): string =>
  `[${(100 * i.lower).toFixed(1)}, ${(100 * i.upper).toFixed(1)}]`;
console.log('| run | with the signal [95% CI] | shuffled [95% CI] | b / c | McNemar p | verdict |');
console.log('|---|---:|---:|---:|---:|---|');
for (const prefix of prefixes) {
  const read = (which: string): ArrayLike<number> => readNpy(`${prefix}-${which}.npy`).data;
  const t = pairedTest(labels, read('test'), read('shuffled'));
  console.log(
    `| ${prefix} | ${pct(t.accuracy)} ${interval(t.accuracyInterval)} | ${pct(t.shuffledAccuracy)} ${interval(t.shuffledInterval)} | ${String(t.mcnemar.b)} / ${String(t.mcnemar.c)} | ${t.mcnemar.pValue === 0 ? '< 1e-300' : t.mcnemar.pValue.toPrecision(2)} | ${t.verdict} |`,
  );
}
