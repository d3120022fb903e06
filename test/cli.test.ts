import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const run = (args: string[]) => execFileSync('node_modules/.bin/tsx', ['src/cli/main.ts', ...args], { encoding: 'utf8' });

describe('blindspots CLI', () => {
  it('prints help and the version', () => {
    expect(run(['--help'])).toMatch(/Usage:/);
    expect(run(['--version']).trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
  it('lists every signal', () => {
    const out = run(['signals']);
    for (const s of ['onePixel', 'patternPixels', 'randomPixel', 'multipleLocations', 'orthogonalNoise', 'meanShift']) expect(out).toContain(s);
  });
  it('exits 2 on an unknown command', () => {
    expect(() => run(['frobnicate'])).toThrow(/unknown command 'frobnicate'/);
  });
});
