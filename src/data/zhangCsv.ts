import { fail } from '../errors.js';
import { checkOptions, optionNames } from '../options.js';
import { checkInteger, describe } from '../validate.js';
import { checkPath, readRegularFile } from './files.js';

import type { TextDataset } from './dataset.js';

/** Options of {@link parseZhangCsv} and {@link loadZhangCsv}. */
export interface ZhangCsvOptions {
  /** Number of classes; labels in the file must be 1..numClasses. Default 5 (Yelp/Amazon Review Full). */
  readonly numClasses?: number;
  /** Name used in error messages; default 'input'. */
  readonly file?: string;
}

/**
 * The option names of {@link parseZhangCsv}: anything else is an UNKNOWN_OPTION error.
 *
 * @example
 * ```ts
 * import { PARSE_ZHANG_CSV_OPTIONS } from 'blindspots/data';
 * PARSE_ZHANG_CSV_OPTIONS; //=> ['numClasses', 'file']
 * ```
 */
export const PARSE_ZHANG_CSV_OPTIONS = optionNames<ZhangCsvOptions>()('numClasses', 'file');

/** Options of {@link loadZhangCsv}: those of {@link parseZhangCsv} but the name, which is the path. */
export type LoadZhangCsvOptions = Omit<ZhangCsvOptions, 'file'>;

/**
 * The option names of {@link loadZhangCsv}: anything else is an UNKNOWN_OPTION error.
 *
 * @example
 * ```ts
 * import { LOAD_ZHANG_CSV_OPTIONS } from 'blindspots/data';
 * LOAD_ZHANG_CSV_OPTIONS; //=> ['numClasses']
 * ```
 */
export const LOAD_ZHANG_CSV_OPTIONS = optionNames<LoadZhangCsvOptions>()('numClasses');

/**
 * Parses Zhang et al. (2015)'s CSV format, as in Yelp Review Full (`"label","text"`) and Amazon
 * Review Full (`"label","title","body"`): RFC 4180 quoting (`""` is a quote; quoted fields may
 * span lines), 1-based labels, and the two-character sequence `\n` in texts meaning a newline.
 * Title and body are joined with a newline. Labels are returned 0-based. A malformed row (bad
 * quoting, wrong field count) or a label outside 1..numClasses is a DATA_FORMAT error naming the
 * file and line.
 *
 * @example
 * ```ts
 * import { parseZhangCsv } from 'blindspots/data';
 * const { texts, labels } = parseZhangCsv('"5","Great","Loved it.\\nWill return"\n"1","Bad","Cold"\n');
 * texts; //=> ['Great\nLoved it.\nWill return', 'Bad\nCold']
 * labels; //=> Int32Array [4, 0]
 * ```
 */
export function parseZhangCsv(content: string, options: ZhangCsvOptions = {}): TextDataset {
  const fn = 'parseZhangCsv';
  const o = checkOptions(fn, options, PARSE_ZHANG_CSV_OPTIONS);
  const numClasses = checkInteger(fn, 'options.numClasses', o.numClasses ?? 5, 1, 1 << 20);
  if (o.file !== undefined && typeof o.file !== 'string') throw fail('INVALID_ARGUMENT', fn, 'options.file', 'a string', describe(o.file));
  if (typeof content !== 'string') throw fail('INVALID_ARGUMENT', fn, 'content', "a string (the CSV file's text)", describe(content));
  return parse(fn, 'content', content, numClasses, o.file ?? 'input');
}

/** The parser of {@link parseZhangCsv} for a public function `fn`, naming `arg` and `file` in errors. */
function parse(fn: string, arg: string, content: string, numClasses: number, file: string): TextDataset {
  const bad = (line: number, what: string, got: string) => fail('DATA_FORMAT', fn, arg, `${file} line ${String(line)}: ${what}`, got);
  const texts: string[] = [];
  const labels: number[] = [];
  let i = 0;
  let line = 1;
  const n = content.length;
  while (i < n) {
    const rowLine = line;
    const fields: string[] = [];
    // One row: fields separated by commas, ended by a newline or the end of the content.
    for (;;) {
      if (content[i] === '"') {
        i++;
        let value = '';
        for (;;) {
          const q = content.indexOf('"', i);
          if (q < 0) throw bad(rowLine, 'a closing quote', 'the end of the file');
          const piece = content.slice(i, q);
          for (let k = piece.indexOf('\n'); k >= 0; k = piece.indexOf('\n', k + 1)) line++;
          value += piece;
          if (content[q + 1] === '"') {
            value += '"';
            i = q + 2;
            continue;
          }
          i = q + 1;
          break;
        }
        fields.push(value);
      } else {
        let end = i;
        while (end < n && content[end] !== ',' && content[end] !== '\n' && content[end] !== '\r') end++;
        const value = content.slice(i, end);
        if (value.includes('"')) throw bad(rowLine, 'quotes only around whole fields', JSON.stringify(value));
        fields.push(value);
        i = end;
      }
      if (content[i] === ',') {
        i++;
        continue;
      }
      if (content[i] === '\r') i++;
      if (i < n && content[i] !== '\n')
        throw bad(rowLine, 'a comma or the end of the line after a quoted field', JSON.stringify(content.slice(i, i + 10)));
      i++;
      line++;
      break;
    }
    if (fields.length === 1 && fields[0] === '') continue; // blank line
    if (fields.length !== 2 && fields.length !== 3)
      throw bad(rowLine, '2 fields ("label","text") or 3 ("label","title","body")', `${String(fields.length)} fields`);
    const raw = fields[0] as string;
    const label = Number(raw);
    if (!/^\d+$/.test(raw.trim()) || label < 1 || label > numClasses)
      throw bad(rowLine, `a label in 1..${String(numClasses)}`, JSON.stringify(raw));
    const unescape = (s: string) => s.replace(/\\n/g, '\n');
    texts.push(fields.slice(1).map(unescape).join('\n'));
    labels.push(label - 1);
  }
  if (texts.length === 0) throw fail('EMPTY_INPUT', fn, arg, `${file}: at least one row`, 'none');
  return { texts, labels: Int32Array.from(labels), classNames: Array.from({ length: numClasses }, (_, k) => String(k + 1)) };
}

/**
 * Reads and parses a CSV file in Zhang's format (see {@link parseZhangCsv}), e.g. `train.csv` of
 * Yelp Review Full when you have it. Errors name `loadZhangCsv`, the argument `path` and the file:
 * no such file, a folder, a file above the longest string JavaScript holds (~512 MiB), a malformed
 * line.
 *
 * @example
 * ```ts
 * import { loadZhangCsv } from 'blindspots/data';
 * const { texts, labels } = loadZhangCsv('yelp_review_full_csv/test.csv');
 * ```
 */
export function loadZhangCsv(path: string, options: LoadZhangCsvOptions = {}): TextDataset {
  const fn = 'loadZhangCsv';
  const o = checkOptions(fn, options, LOAD_ZHANG_CSV_OPTIONS);
  const numClasses = checkInteger(fn, 'options.numClasses', o.numClasses ?? 5, 1, 1 << 20);
  checkPath(fn, 'path', path);
  const bytes = readRegularFile(fn, 'path', path, 'a readable CSV file');
  let content: string;
  try {
    content = bytes.toString('utf8');
  } catch (e) {
    // Above the engine's longest string (2^29 - 24 characters in V8): ERR_STRING_TOO_LONG.
    throw fail('DATA_FORMAT', fn, 'path', 'a file that fits in one JavaScript string (about 512 MiB)', `${path}: ${(e as Error).message}`);
  }
  return parse(fn, 'path', content, numClasses, path);
}
