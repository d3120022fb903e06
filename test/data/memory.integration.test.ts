/**
 * Loading CIFAR-10 must not need much more than the output: the peak resident memory of a child
 * process that loads 6,000 records is compared with the float32 output's size. The figures
 * docs/data.md quotes come from its output line; `BLINDSPOTS_CIFAR_MEM_RECORDS=10000` (records
 * per file) measures the full dataset's 60,000.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'cifar-mem-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Records per file (six files). */
const per = Number(process.env.BLINDSPOTS_CIFAR_MEM_RECORDS ?? 1000);

describe('loadCifar10 memory', () => {
  it('peaks below 2x the float32 tensor above the process baseline', () => {
    const script = `
import { readFileSync } from 'node:fs';
import { writeCifar10Binary, loadCifar10 } from './src/data/index.js';
const dir = process.env.CIFAR_DIR;
const per = Number(process.env.RECORDS);
for (const f of ['data_batch_1.bin','data_batch_2.bin','data_batch_3.bin','data_batch_4.bin','data_batch_5.bin','test_batch.bin']) {
  const data = new Float32Array(per * 3072).map((_, i) => ((i * 31) % 256) / 255);
  writeCifar10Binary(dir + '/' + f, { data, shape: [per, 32, 32, 3] }, new Int32Array(per));
}
globalThis.gc();
const hwm = () => Number(/VmHWM:\\s+(\\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))[1]) * 1024;
const rss = () => Number(/VmRSS:\\s+(\\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))[1]) * 1024;
// Reset the high-water mark to now (Linux: writing 5 to clear_refs).
try { require('fs').writeFileSync('/proc/self/clear_refs', '5'); } catch {}
const base = rss();
const t0 = performance.now();
const ds = loadCifar10(dir, { split: 'all', as: 'array' });
const ms = performance.now() - t0;
console.log(JSON.stringify({ base, peak: hwm(), output: ds.images.data.byteLength + ds.labels.byteLength, ms }));
`;
    const out = execFileSync(
      process.execPath,
      [
        '--expose-gc',
        '--import',
        'tsx',
        '--input-type=module',
        '-e',
        script.replace("try { require('fs').writeFileSync", "try { (await import('node:fs')).writeFileSync"),
      ],
      { encoding: 'utf8', env: { ...process.env, CIFAR_DIR: dir, RECORDS: String(per) } },
    );
    const result = JSON.parse(out.trim().split('\n').pop() as string) as { base: number; peak: number; output: number; ms: number };
    const { base, peak, output, ms } = result;
    expect(output).toBe(6 * per * (3072 * 4 + 4));
    console.log(
      `loadCifar10 of ${String(6 * per)} records: ${(ms / 1000).toFixed(2)} s, peak ${((peak - base) / 2 ** 20).toFixed(1)} MiB above baseline for a ${(output / 2 ** 20).toFixed(1)} MiB output`,
    );
    expect(peak - base).toBeLessThan(2 * output);
  });
});
