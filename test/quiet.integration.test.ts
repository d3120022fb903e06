/** A library must not make its users' programs print: importing it and training a ConvNet is silent. */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const run = (entry: string) =>
  spawnSync('node_modules/.bin/tsx', ['test/fixtures/userScript.ts', entry], { encoding: 'utf8', timeout: 120_000 });

describe('importing the library', () => {
  it('prints nothing while a script makes tensors, encodes and trains a tiny ConvNet (no tfjs notice)', () => {
    const { stdout, stderr, status } = run('root');
    expect(stderr).toBe('');
    expect(stdout).toBe('');
    expect(status).toBe(0);
  });

  it('prints nothing with blindspots/data alone', () => {
    const { stdout, stderr, status } = run('data');
    expect(stderr).toBe('');
    expect(stdout).toBe('');
    expect(status).toBe(0);
  });
});
