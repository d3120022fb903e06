/** The reader's checks: a results file's text, line by line, into records of this schema. */
import { fail } from '../../errors.js';
import { isPlainObject } from '../../options.js';
import { RECORD_SCHEMA, type CellRecord } from './cellRecord.js';

/** The fields a record must hold, with their JSON types (the reader checks them). */
const REQUIRED: Readonly<Record<string, 'string' | 'number' | 'object'>> = {
  key: 'string',
  dataset: 'string',
  data: 'object',
  signal: 'string',
  options: 'object',
  model: 'string',
  params: 'object',
  seed: 'number',
  threads: 'number',
  accuracy: 'number',
  nTrain: 'number',
  nTest: 'number',
  fitSeconds: 'number',
  backend: 'string',
  version: 'string',
};

/** Throws DATA_FORMAT (naming file and line) unless `value` is a record of this schema. */
function checkRecord(fn: string, value: unknown, where: string): CellRecord {
  if (!isPlainObject(value))
    throw fail(
      'DATA_FORMAT',
      fn,
      'results',
      `${where}: a cell record (a JSON object)`,
      value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value,
    );
  if (value.schema !== RECORD_SCHEMA) {
    throw fail(
      'DATA_FORMAT',
      fn,
      'results',
      `${where}: a record of schema ${String(RECORD_SCHEMA)} (files written before blindspots 0.2 have none: rerun the study into a new file)`,
      `schema ${JSON.stringify(value.schema) ?? 'missing'}`,
    );
  }
  for (const [field, type] of Object.entries(REQUIRED)) {
    const v = value[field];
    if (typeof v !== type || v === null)
      throw fail(
        'DATA_FORMAT',
        fn,
        'results',
        `${where}: a record with ${field} (${type})`,
        v === undefined ? 'missing' : JSON.stringify(v),
      );
  }
  const shuffled = value.shuffledAccuracy;
  if (shuffled !== null && typeof shuffled !== 'number')
    throw fail('DATA_FORMAT', fn, 'results', `${where}: shuffledAccuracy a number or null`, JSON.stringify(shuffled) ?? 'missing');
  return value as unknown as CellRecord;
}

/** Parses the complete lines of a results file's text; a torn last line (no newline) is left out. */
export function parseLines(fn: string, path: string, text: string): { records: CellRecord[]; complete: number } {
  const complete = text.endsWith('\n') ? text.length : text.lastIndexOf('\n') + 1;
  const records: CellRecord[] = [];
  const lines = text.slice(0, complete).split('\n');
  lines.forEach((line, i) => {
    if (line.trim().length === 0) return;
    const where = `${path} line ${String(i + 1)}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw fail('DATA_FORMAT', fn, 'results', `${where}: a JSON cell record`, JSON.stringify(line.slice(0, 40)));
    }
    records.push(checkRecord(fn, value, where));
  });
  return { records, complete };
}
