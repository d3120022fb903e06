/**
 * runStudy across processes and threads (the integration tier): a run killed half-way in a child
 * process and resumed, and cells on two worker threads.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readResults, runStudy } from '../../../src/study/index.js';

import { base, stable } from './studyData.js';
const dir = mkdtempSync(join(tmpdir(), 'study-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('runStudy in a killed process', () => {
  it('a run killed half-way, then rerun, gives the same results as an uninterrupted run', async () => {
    const whole = join(dir, 'whole.jsonl');
    const killed = join(dir, 'killed.jsonl');
    await runStudy({ ...base, results: whole });
    const script = join(dir, 'child.mts');
    writeFileSync(
      script,
      `import { loadFashionMnist, splitDataset } from '${join(process.cwd(), 'src/data/index.js')}';
import { runStudy } from '${join(process.cwd(), 'src/study/index.js')}';
const fashion = loadFashionMnist({ perClass: 30, as: 'array' });
const { train, test } = splitDataset(fashion, 1 / 3, 0);
await runStudy({ dataset: 'fashion-mnist/30', train, test, signals: ['onePixel', 'meanShift'], models: ['decisionTree', 'gaussianNB'], results: ${JSON.stringify(killed)},
  onCell: (_r, done) => { if (done === 2) { console.log('two'); Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0); } } });
`,
    );
    // node itself with tsx's loader (not the tsx wrapper), so the kill reaches the process that writes.
    const child = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (b: Buffer) => b.toString().includes('two') && resolve());
      child.on('exit', () => reject(new Error(`the child exited before two cells: ${stderr}`)));
    });
    child.kill('SIGKILL');
    await new Promise((resolve) => child.on('exit', resolve));
    // A torn last line, as a kill during a write would leave.
    writeFileSync(killed, `${readFileSync(killed, 'utf8')}{"key":"[\\"fashion`);
    expect(readFileSync(killed, 'utf8').trim().split('\n').length).toBe(3);
    const resumed = await runStudy({ ...base, results: killed });
    expect(stable(resumed)).toEqual(stable(readResults(whole)));
    expect(stable(readResults(killed))).toEqual(stable(readResults(whole)));
  }, 120_000);
});

describe('parallel cells', () => {
  it('two worker threads give the same records as a sequential run', async () => {
    const path = join(dir, 'parallel.jsonl');
    const sequential = await runStudy(base);
    let calls = 0;
    const parallel = await runStudy({ ...base, parallel: 2, results: path, onCell: () => calls++ });
    expect(calls).toBe(6);
    expect(stable(parallel)).toEqual(stable(sequential));
    expect(
      stable(readResults(path))
        .map((r) => r.key)
        .sort(),
    ).toEqual(
      stable(sequential)
        .map((r) => r.key)
        .sort(),
    );
  }, 120_000);
});
