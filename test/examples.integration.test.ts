import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encoders, imageEncoderNames } from '../src/encoders/encoderRegistry.js';

const tsx = 'node_modules/.bin/tsx';
const run = (args: string[]) => execFileSync(tsx, args, { encoding: 'utf8', timeout: 120_000, stdio: ['ignore', 'pipe', 'pipe'] });
const out = mkdtempSync(join(tmpdir(), 'gallery-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

// Each example is a child process with its own 120 s limit; the tests wait longer than that, so a
// slow machine (a first run transpiling every file, another job on the cores) reports the child's
// own timeout rather than vitest's default 60 s.
describe('examples run', { timeout: 150_000 }, () => {
  it('recoverability-table (the demo) prints a table with every signal', () => {
    const text = run(['examples/recoverability-table.ts', '--per-class', '30', '--epochs', '1']);
    expect(text).toContain('| signal | ConvNet | best competing model | which |');
    expect(text).toMatch(/\| onePixel \| \d+\.\d% \| \d+\.\d% \| \w+ \|/);
    for (const e of Object.values(encoders)) expect(text).toContain(`| ${e.title} |`);
    // Complete image signals are recovered on Fashion-MNIST: 300 images, every one of them.
    const complete = Object.values(encoders).filter((e) => e.domain === 'image' && e.information === 'complete').length;
    expect(text.match(/\| complete \| 100\.00% \| 0 \| 0 \| 300 \|/g)?.length).toBe(complete);
  });

  it('text-recoverability prints the SpamAssassin table', () => {
    const text = run(['examples/text-recoverability.ts']);
    expect(text).toMatch(/\| Mnemonic first character \| low-dimensional \| complete \| 100\.00% \| 0 \| 0 \|/);
    expect(text).toMatch(/\| Pattern characters \| low-dimensional \| partial \| \d+\.\d+% \|/);
  });

  it('export-npy writes train and test NPY files whose signal the oracle recovers', () => {
    const text = run(['examples/export-npy.ts', '--out', join(out, 'npy'), '--per-class', '14']);
    expect(text).toMatch(/train: 120 images \[120, 32, 32, 3\], oracle recovers 100\.00%/);
    expect(text).toMatch(/test: 20 images \[20, 32, 32, 3\], oracle recovers 100\.00%/);
    expect(existsSync(join(out, 'npy', 'test', 'labels.npy'))).toBe(true);
  });

  it('encoder-gallery draws one picture per image signal', () => {
    run(['examples/encoder-gallery.ts', '--out', out, '--per-class', '20']);
    for (const name of imageEncoderNames) {
      expect(existsSync(join(out, 'img', `${name}.png`))).toBe(true);
    }
  });
});
