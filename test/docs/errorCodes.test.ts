import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

describe('docs/index.md error-code table', () => {
  it('lists every ErrorCode of src/errors.ts, and no other', () => {
    const source = readFileSync('src/errors.ts', 'utf8');
    const union = /export type ErrorCode =([^;]+);/.exec(source)?.[1] ?? '';
    const codes = [...union.matchAll(/'([A-Z_]+)'/g)].map((m) => m[1]).sort();
    const docs = readFileSync('docs/index.md', 'utf8');
    const documented = [...docs.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((m) => m[1]).sort();
    expect(codes.length).toBeGreaterThan(10);
    expect(documented).toEqual(codes);
  });
});
