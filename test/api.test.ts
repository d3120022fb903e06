import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { apiReport } from '../scripts/api-report.js';

describe('public API surface', () => {
  let report = '';
  beforeAll(() => {
    report = apiReport();
  }, 180_000);

  it('matches docs/api.md (change it on purpose: npm run api:update)', () => {
    expect(report).toBe(readFileSync('docs/api.md', 'utf8'));
  });

  it('keeps internals out of the root entry', () => {
    const root = report.split('## blindspots/')[0] as string;
    for (const internal of ['setPixel', 'encodeImages', 'decodeImages', 'checkTexts', 'fail(', 'checkOptions', 'argmaxRows', 'runStudy']) {
      expect(root).not.toContain(` ${internal}`);
    }
  });
});
