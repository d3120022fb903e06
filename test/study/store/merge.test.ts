import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from '../../helpers/cli.js';
import { parseShard, shardResultsPath } from '../../../src/cli/shard.js';
import { writeIdxFolder } from '../../conformance/fixtures.js';
import { mergeRecords, missingCells, planStudy, prepareStudy, readResults, type CellRecord } from '../../../src/study/index.js';

const dir = mkdtempSync(join(tmpdir(), 'merge-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const stable = (rs: readonly CellRecord[]) =>
  rs.map(({ fitSeconds: _t, finishedAt: _f, ...rest }) => rest).sort((a, b) => (a.key < b.key ? -1 : 1));

const study = {
  dataset: { idx: writeIdxFolder(join(dir, 'idx'), { train: 90, test: 30, side: 10, classes: 3 }) },
  signals: ['onePixel', 'meanShift', 'orthogonalNoise'],
  models: ['decisionTree', 'gaussianNB'],
  seeds: [0],
  parallel: 1,
};

describe('shards and merge', () => {
  it('shards 0/3, 1/3 and 2/3, merged, are a single run; merge lists missing cells and exits 1 until none are', async () => {
    const config = join(dir, 'study.json');
    const whole = join(dir, 'whole.jsonl');
    writeFileSync(config, JSON.stringify({ ...study, results: join(dir, 'shards.jsonl') }));
    expect((await cli(['study', config, '--results', whole])).code).toBe(0);
    const shardFiles: string[] = [];
    for (const i of [0, 1, 2]) {
      const r = await cli(['study', config, '--shard', `${String(i)}/3`]);
      expect(r.code, r.err).toBe(0);
      expect(r.err).toMatch(new RegExp(`shard ${String(i)} of 3`));
      shardFiles.push(join(dir, `shards.shard-${String(i)}-of-3.jsonl`));
    }
    const sizes = shardFiles.map((f) => readResults(f).length);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(readResults(whole).length);
    const merged = join(dir, 'merged.jsonl');
    const partial = await cli(['merge', '-o', merged, shardFiles[0] as string, shardFiles[1] as string, '--config', config]);
    expect(partial.code).toBe(1);
    expect(partial.err).toMatch(new RegExp(`${String(sizes[2])} of ${String(readResults(whole).length)} cells missing`));
    const all = await cli(['merge', '-o', merged, ...shardFiles, '--config', config]);
    expect(all.code, all.err).toBe(0);
    expect(all.err).toMatch(/all \d+ cells of the study are there/);
    expect(stable(readResults(merged))).toEqual(stable(readResults(whole)));
    // A rerun of a shard runs nothing: every key is recorded.
    const again = await cli(['study', config, '--shard', '1/3']);
    expect(again.err).toMatch(/already done, skipped/);
    expect(again.err).toMatch(/nothing to run/);
    // Report reads several files and counts each key once.
    const csv = await cli(['report', ...shardFiles, whole, '--format', 'csv']);
    expect(csv.out.trim().split('\n')).toHaveLength(readResults(whole).length + 1);
  }, 300_000);

  it('merge keeps one record per key and warns about duplicates that disagree', async () => {
    const config = join(dir, 'small.json');
    const a = join(dir, 'a.jsonl');
    writeFileSync(config, JSON.stringify({ ...study, seeds: [0], results: a }));
    await cli(['study', config]);
    const records = readResults(a);
    const b = join(dir, 'b.jsonl');
    const changed = { ...(records[1] as CellRecord), accuracy: 0.123, host: 'other-machine' };
    writeFileSync(b, `${JSON.stringify(records[0])}\n${JSON.stringify(changed)}\n`);
    const r = await cli(['merge', '-o', join(dir, 'ab.jsonl'), a, b]);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(
      /warning DUPLICATE_DISAGREES: .* on .* \(seed 0, key [0-9a-f]{32}\) was recorded twice with different results: .* vs 12\.30% on other-machine/,
    );
    expect(readResults(join(dir, 'ab.jsonl'))).toHaveLength(records.length);
    const m = mergeRecords([records, [changed]]);
    expect(m.duplicates).toBe(1);
    expect(m.disagreements).toHaveLength(1);
    expect(mergeRecords([records, records]).disagreements).toHaveLength(0);
    const plan = planStudy(prepareStudy({ ...study, seeds: [0] }));
    expect(missingCells(plan.cells, records.slice(2)).map((c) => c.key)).toEqual(records.slice(0, 2).map((x) => x.key));
  }, 120_000);

  it('reads shards from the command line, Slurm arrays and Kubernetes Indexed Jobs', () => {
    expect(parseShard('x', '2/5', undefined, {})).toEqual({ index: 2, count: 5 });
    expect(
      parseShard('x', 'auto', undefined, { SLURM_ARRAY_TASK_ID: '3', SLURM_ARRAY_TASK_COUNT: '4', SLURM_ARRAY_TASK_MIN: '1' }),
    ).toEqual({
      index: 2,
      count: 4,
    });
    expect(parseShard('x', 'auto', 6, { JOB_COMPLETION_INDEX: '5' })).toEqual({ index: 5, count: 6 });
    expect(() => parseShard('x', 'auto', undefined, { JOB_COMPLETION_INDEX: '5' })).toThrow(/--completions/);
    expect(() => parseShard('x', 'auto', undefined, {})).toThrow(/Slurm|Kubernetes/);
    expect(() => parseShard('x', '5/5', undefined, {})).toThrow(/\[0, count\)/);
    expect(() => parseShard('x', 'half', undefined, {})).toThrow(/i\/n/);
    expect(shardResultsPath('out/study.jsonl', { index: 2, count: 8 })).toBe('out/study.shard-2-of-8.jsonl');
  });

  it('report leaves the results file byte-identical', async () => {
    const path = join(dir, 'a.jsonl');
    const before = `${readFileSync(path, 'utf8')}{"schema":2,"ke`;
    writeFileSync(path, before);
    const r = await cli(['report', path]);
    expect(r.code).toBe(0);
    expect(readFileSync(path, 'utf8')).toBe(before);
  });
});
