import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('source conventions', () => {
  it('no `as never` in src: the domain module types batches of either kind', () => {
    const offenders = files('src').filter((f) => readFileSync(f, 'utf8').includes('as never'));
    expect(offenders).toEqual([]);
  });
});
