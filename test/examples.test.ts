import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const tsx = ['node_modules/.bin/tsx'];

describe('examples run', () => {
  it('recoverability-table (the demo) prints a table with every signal', () => {
    const out = execFileSync(tsx[0] as string, ['examples/recoverability-table.ts', '--per-class', '30'], { encoding: 'utf8', timeout: 120_000 });
    for (const title of ['One pixel', 'Pattern pixels', 'Random pixel', 'Multiple locations', 'Orthogonal class noise', 'Mean shift']) {
      expect(out).toContain(`| ${title} |`);
    }
    // Complete signals are recovered on Fashion-MNIST: 300 images, every row but multiple locations.
    expect(out.match(/\| complete \| 100\.00% \| 0 \| 0 \| 300 \|/g)?.length).toBe(5);
  });
});
