import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LOAD_SPAM_ASSASSIN_OPTIONS, loadSpamAssassin, stripHeaders } from '../../src/data/index.js';
import { typedError } from './typedError.js';

const dir = mkdtempSync(join(tmpdir(), 'spam-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A two-message corpus in the package's layout. */
function corpus(): string {
  const d = join(dir, String(Math.floor(performance.now() * 1000)));
  mkdirSync(d);
  writeFileSync(join(d, 'file_list.json'), JSON.stringify(['a.txt', 'b.txt']));
  writeFileSync(join(d, 'a.json'), JSON.stringify({ id: '1', group: 'spam-1', text: 'Subject: x\n\nbuy now' }));
  writeFileSync(join(d, 'b.json'), JSON.stringify({ id: '2', group: 'easy-ham-1', text: 'Subject: y\n\nmeeting' }));
  return d;
}

describe('loadSpamAssassin: typed errors (issue #13)', () => {
  it('declares its option names; keepHeaders must be a boolean', () => {
    expect(LOAD_SPAM_ASSASSIN_OPTIONS).toEqual(['dir', 'keepHeaders']);
    const d = corpus();
    expect(loadSpamAssassin({ dir: d }).texts).toEqual(['buy now', 'meeting']);
    expect(loadSpamAssassin({ dir: d, keepHeaders: true }).texts[0]).toBe('Subject: x\n\nbuy now');
    typedError(
      () => loadSpamAssassin({ dir: d, keepHeaders: 'true' as never }),
      'INVALID_ARGUMENT',
      'loadSpamAssassin',
      'options.keepHeaders',
    );
    expect(
      typedError(() => loadSpamAssassin({ dir: d, keepHeader: true } as never), 'UNKNOWN_OPTION', 'loadSpamAssassin', 'options.keepHeader')
        .message,
    ).toMatch(/did you mean 'keepHeaders'/);
    typedError(() => loadSpamAssassin('dir' as never), 'INVALID_ARGUMENT', 'loadSpamAssassin', 'options');
  });

  it('a missing folder, a folder in place of a message, a message that is JSON null', () => {
    expect(
      typedError(() => loadSpamAssassin({ dir: join(dir, 'nope') }), 'DATA_FORMAT', 'loadSpamAssassin', 'options.dir').message,
    ).toMatch(/file_list\.json: no such file or folder/);
    const d = corpus();
    rmSync(join(d, 'b.json'));
    mkdirSync(join(d, 'b.json'));
    expect(typedError(() => loadSpamAssassin({ dir: d }), 'DATA_FORMAT', 'loadSpamAssassin', 'options.dir').message).toMatch(
      /b\.json: a folder/,
    );
    const d2 = corpus();
    writeFileSync(join(d2, 'a.json'), 'null');
    typedError(() => loadSpamAssassin({ dir: d2 }), 'DATA_FORMAT', 'loadSpamAssassin', 'options.dir');
  });

  it('stripHeaders takes a string', () => {
    typedError(() => stripHeaders(42 as never), 'INVALID_ARGUMENT', 'stripHeaders', 'message');
  });
});
