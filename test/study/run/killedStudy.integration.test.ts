/**
 * A study process killed by the user (the integration tier: runs the CLI as a child process, with
 * its relaunch, and kills it mid-run).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readResults, ResultsFile } from '../../../src/study/index.js';
import { writeIdxFolder } from '../../conformance/fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'killed-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** PIDs of processes whose command line contains `marker`. */
function processesWith(marker: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(marker)) pids.push(Number(entry));
    } catch {
      // Gone meanwhile.
    }
  }
  return pids;
}

async function waitFor(what: string, condition: () => boolean, ms: number): Promise<number> {
  const t0 = Date.now();
  while (!condition()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out after ${String(ms)} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return Date.now() - t0;
}

describe.runIf(process.platform === 'linux')('a killed study stops', () => {
  for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
    it(`kill -${signal === 'SIGTERM' ? 'TERM' : '9'} of the PID the user started leaves no study process`, async () => {
      const run = join(dir, `killed-${signal}`);
      mkdirSync(run);
      const config = join(run, 'study.json');
      const results = join(run, 'results.jsonl');
      // Tree cells first (seconds), then a ResNet that trains far longer than the test waits.
      writeFileSync(
        config,
        JSON.stringify({
          dataset: { idx: writeIdxFolder(join(run, 'idx'), { train: 60, test: 30, side: 10, classes: 3 }) },
          signals: ['onePixel'],
          models: ['decisionTree', 'resnet'],
          modelOptions: { resnet: { depth: 8, width: 4, epochs: 500, batchSize: 16 } },
          curves: false,
          parallel: 1,
          results,
        }),
      );
      // node with tsx's loader, as a user's `blindspots study` is one node process (which relaunches itself).
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'study', config], {
        stdio: ['ignore', 'ignore', 'pipe'],
        env: { ...process.env, BLINDSPOTS_NO_HUGETLB: '', GLIBC_TUNABLES: '' },
      });
      let stderr = '';
      child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
      await waitFor('the first two cells', () => stderr.includes('[2/'), 90_000);
      expect(processesWith(config).length).toBe(2); // the started process and its relaunch
      process.kill(child.pid as number, signal);
      const ms = await waitFor('no study process left', () => processesWith(config).length === 0, 5_000);
      expect(ms).toBeLessThan(2_000);
      // Whole lines only: the finished cells are there, the running one is not; a rerun takes the stale lock.
      expect(readResults(results)).toHaveLength(2);
      expect(readFileSync(results, 'utf8').endsWith('\n')).toBe(true);
      // The killed process can take a few ms to finish exiting after its command line is gone.
      await waitFor(
        'the stale lock to be taken over',
        () => {
          try {
            ResultsFile.open(results).close();
            return true;
          } catch {
            return false;
          }
        },
        5_000,
      );
    }, 180_000);
  }
});
