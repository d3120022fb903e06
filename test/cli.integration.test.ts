import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { encoderNames } from '../src/encoders/encoderRegistry.js';

const run = (args: string[]) => execFileSync('node_modules/.bin/tsx', ['src/cli/main.ts', ...args], { encoding: 'utf8' });

describe('blindspots CLI', () => {
  it('prints help and the version', () => {
    expect(run(['--help'])).toMatch(/Usage:/);
    expect(run(['--version']).trim()).toMatch(/^\d+\.\d+\.\d+(-[\w.]+)?$/);
  });
  it('lists every signal', () => {
    const out = run(['signals']);
    for (const s of encoderNames) expect(out).toContain(s);
  });
  it('relaunches itself with glibc huge pages on Linux, unless told not to', () => {
    const env = (extra: Record<string, string>) => ({ ...process.env, GLIBC_TUNABLES: '', BLINDSPOTS_NO_HUGETLB: '', ...extra });
    const info = (extra: Record<string, string>) =>
      JSON.parse(execFileSync('node_modules/.bin/tsx', ['src/cli/main.ts', 'env'], { encoding: 'utf8', env: env(extra) })) as {
        glibcTunables: string | null;
      };
    if (process.platform === 'linux') expect(info({}).glibcTunables).toBe('glibc.malloc.hugetlb=1');
    expect(info({ BLINDSPOTS_NO_HUGETLB: '1' }).glibcTunables).toBe('');
    expect(info({ GLIBC_TUNABLES: 'glibc.malloc.hugetlb=1' }).glibcTunables).toBe('glibc.malloc.hugetlb=1');
  });

  it('reports the version of package.json', async () => {
    const { VERSION } = await import('../src/version.js');
    const pkg = JSON.parse((await import('node:fs')).readFileSync('package.json', 'utf8')) as { version: string };
    expect(VERSION).toBe(pkg.version);
  });

  it('exits 2 on an unknown command', () => {
    expect(() => run(['frobnicate'])).toThrow(/unknown command 'frobnicate'/);
  });
});
