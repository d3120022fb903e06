/**
 * Writes study.schema.json (the JSON Schema of a study file, shipped as
 * `blindspots/study.schema.json`) from the one declaration of the settings, src/study/spec/schema.ts.
 * `--check` exits 1 when the committed file is stale (test/study/spec/schema.test.ts runs the same check).
 *
 *   npx tsx scripts/study-schema.ts [--check]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { studyFileJsonSchema } from '../src/study/spec/schema.js';

const path = new URL('../study.schema.json', import.meta.url);
const text = `${JSON.stringify(studyFileJsonSchema(), null, 2)}\n`;
if (process.argv.includes('--check')) {
  const current = readFileSync(path, 'utf8');
  if (current !== text) {
    console.error('study.schema.json is stale: run npx tsx scripts/study-schema.ts');
    process.exit(1);
  }
} else writeFileSync(path, text);
