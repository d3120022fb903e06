/**
 * The root entry in a browser: bundled with esbuild for the browser (no Node built-in may be
 * imported), then run in headless Chromium by test/browser/page.ts.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleForBrowser, serveStatic, type Bundle } from '../../examples/explorer/build.js';
import { chromiumMissing, launchChromium, openPage } from './harness.js';

const out = mkdtempSync(join(tmpdir(), 'blindspots-browser-'));
let bundle: Bundle;

beforeAll(async () => {
  bundle = await bundleForBrowser(resolve(import.meta.dirname, 'page.ts'), join(out, 'main.js'));
  writeFileSync(join(out, 'index.html'), '<!doctype html><link rel="icon" href="data:,"><script type="module" src="main.js"></script>');
});
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('the root entry bundled for the browser', () => {
  it('imports no Node built-in and none of the Node-only modules', () => {
    expect(bundle.nodeImports).toEqual([]);
    expect(bundle.sources).toContain('src/platform/browser.ts');
    const nodeOnly = bundle.sources.filter((f) =>
      /^src\/(platform\/node|workers|cli\/|data\/(cifar10|export|fashionMnist|idx|mnist|packages|spamAssassin|zhangCsv))/.test(f),
    );
    expect(nodeOnly).toEqual([]);
  });
});

describe.skipIf(chromiumMissing !== undefined)(
  `the root entry in Chromium${chromiumMissing === undefined ? '' : ` (skipped: ${chromiumMissing})`}`,
  () => {
    let browser: Browser | undefined;
    let server: Awaited<ReturnType<typeof serveStatic>> | undefined;
    afterAll(async () => {
      await browser?.close();
      await server?.close();
    });

    it('encodes, recovers the labels and trains a decision tree, a forest and a ResNet', async () => {
      server = await serveStatic(out);
      browser = await launchChromium();
      const { page, errors } = await openPage(browser, server.url);
      await page.waitForFunction(() => (globalThis as { blindspotsResult?: unknown }).blindspotsResult !== undefined, undefined, {
        timeout: 240_000,
      });
      const outcome = (await page.evaluate(() => (globalThis as { blindspotsResult?: unknown }).blindspotsResult)) as
        { ok: true; result: Record<string, unknown> } | { ok: false; error: string };
      if (!outcome.ok) throw new Error(`${outcome.error}\n${errors.join('\n')}`);
      const r = outcome.result;
      expect(errors).toEqual([]);
      expect(r['signals']).toBe(9);
      expect(r['onePixel']).toEqual({ accuracy: 1, ambiguous: 0, wrong: 0, n: 64 });
      expect(r['orthogonalNoise']).toEqual({ accuracy: 1, ambiguous: 0, wrong: 0, n: 64 });
      expect(r['treeAccuracy']).toBe(1);
      expect(r['forestAccuracy']).toBeGreaterThan(0.9);
      // Headless Chromium's WebGL is SwiftShader: the default skips it for wasm (with our kernels).
      const fastest = r['fastest'] as { name: string; skipped: { name: string; reason: string }[] };
      expect(['webgl', 'wasm']).toContain(fastest.name);
      if (fastest.name === 'wasm') expect(fastest.skipped[0]?.reason ?? '').toMatch(/software renderer|WebGL|webgl/);
      for (const run of ['first', 'second', 'again'] as const) {
        const { accuracy, leaked } = r[run] as { accuracy: number; leaked: number };
        expect(accuracy).toBeGreaterThanOrEqual(0);
        expect(accuracy).toBeLessThanOrEqual(1);
        expect(leaked).toBe(0);
      }
      expect((r['second'] as { backend: string }).backend).toBe('webgl');
      expect(r['threads']).toBe('INVALID_ARGUMENT options.threads');
      expect(r['save']).toBe('NODE_ONLY');
    }, 300_000);
  },
);
