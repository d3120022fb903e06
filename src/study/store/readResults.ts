import { existsSync, readFileSync, statSync } from 'node:fs';
import { fail } from '../../errors.js';
import type { CellRecord } from './cellRecord.js';
import { parseLines } from './parseRecords.js';

/**
 * Reads a results file without changing it: the records of its complete lines. A last line cut
 * short by an interrupted write is left out (only the study writing the file repairs it). A
 * missing file is an error (NOT_FOUND-like DATA_FORMAT naming the path); a line that is JSON but
 * not a record is a DATA_FORMAT error naming the file and line.
 *
 * @example
 * ```ts
 * import { readResults } from 'blindspots/study';
 * const records = readResults('study.jsonl');
 * ```
 */
export function readResults(path: string): CellRecord[] {
  return readResultsOf(path, 'readResults');
}

/**
 * {@link readResults} on behalf of `fn`, the function the user called, which its errors name.
 *
 * @example
 * ```ts
 * import { readResultsOf } from './readResults.js'; // internal
 * readResultsOf('absent.jsonl', 'blindspots report'); //=> throws DATA_FORMAT blindspots report: argument 'path'
 * ```
 */
export function readResultsOf(path: string, fn: string): CellRecord[] {
  if (typeof path !== 'string') throw fail('INVALID_ARGUMENT', fn, 'path', 'a file path', typeof path);
  if (!existsSync(path)) throw fail('DATA_FORMAT', fn, 'path', 'an existing results file', `${path}: not found`);
  if (statSync(path).isDirectory()) throw fail('DATA_FORMAT', fn, 'path', 'a results file', `${path}: a folder`);
  return parseLines(fn, path, readFileSync(path, 'utf8')).records;
}
