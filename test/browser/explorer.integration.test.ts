/**
 * The explorer page (examples/explorer), built as `npm run explorer` builds it and driven in
 * headless Chromium: it draws the three images, shows the oracle's recoverability, and a short
 * comparison ends with both models in the table and the decision tree relying on one pixel.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { buildExplorer, serveStatic } from '../../examples/explorer/build.js';
import { chromiumMissing, launchChromium, openPage } from './harness.js';

/** A row of the page's table (examples/explorer/page/main.ts). */
interface ComparisonRow {
  readonly model: string;
  readonly accuracy: number;
  readonly shuffledAccuracy: number;
  readonly fitSeconds: number;
}

// Runs in the page (the DOM types are the page's tsconfig's, not this one's): lit pixels of a canvas.
const LIT = (id: string): string => `(() => {
  const c = document.getElementById(${JSON.stringify(id)});
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let n = 0;
  for (let i = 0; i < d.length; i += 4) if (d[i] + d[i + 1] + d[i + 2] > 0) n++;
  return n;
})()`;

const out = mkdtempSync(join(tmpdir(), 'blindspots-explorer-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe.skipIf(chromiumMissing !== undefined)(
  `the explorer page${chromiumMissing === undefined ? '' : ` (skipped: ${chromiumMissing})`}`,
  () => {
    let browser: Browser | undefined;
    let server: Awaited<ReturnType<typeof serveStatic>> | undefined;
    afterAll(async () => {
      await browser?.close();
      await server?.close();
    });

    it('shows original, encoded and difference, recoverability, and a tree vs ResNet comparison', async () => {
      const built = await buildExplorer(out, 20);
      expect(built.nodeImports).toEqual([]);
      expect(built.images).toBe(200);
      server = await serveStatic(out);
      browser = await launchChromium();
      const { page, errors } = await openPage(browser, server.url);
      const ready = await page.waitForSelector('body[data-state="ready"]', { timeout: 60_000 }).catch((e: unknown) => e as Error);
      if (ready instanceof Error) throw new Error(`${ready.message}\n${errors.join('\n')}`);
      await page.selectOption('#signal', 'onePixel');
      await page.locator('#index').fill('42');
      // The difference canvas holds exactly one lit pixel for one-pixel; the original is not blank.
      const lit = { original: await page.evaluate<number>(LIT('original')), diff: await page.evaluate<number>(LIT('diff')) };
      expect(lit.diff).toBe(1);
      expect(lit.original).toBeGreaterThan(100);
      expect(await page.locator('#recoverability').textContent()).toContain('100.0% of 200 labels recovered (0 ambiguous, 0 wrong)');

      await page.selectOption('#backend', 'wasm');
      await page.locator('#epochs').fill('1');
      await page.click('#run');
      await page.waitForSelector('body[data-state="done"], body[data-state="error"]', { timeout: 240_000 });
      expect(await page.locator('#status').textContent()).toMatch(/^done: 150 training and 50 test images, tfjs wasm$/);
      const rows = (await page.evaluate(() => (globalThis as { explorerResult?: unknown }).explorerResult)) as ComparisonRow[];
      expect(rows.map((r) => r.model)).toEqual(['decision tree', 'ResNet-8, width 8, 1 epoch (tfjs wasm)']);
      const [tree, resnet] = rows as [ComparisonRow, ComparisonRow];
      // The paper's decision tree: reads the pixel, so near chance when it carries another label.
      expect(tree.accuracy).toBeGreaterThan(0.85);
      expect(tree.shuffledAccuracy).toBeLessThan(0.3);
      for (const a of [resnet.accuracy, resnet.shuffledAccuracy]) expect(a >= 0 && a <= 1).toBe(true);
      expect(await page.locator('#results tr').count()).toBe(2);
      expect(errors).toEqual([]);
    }, 300_000);
  },
);
