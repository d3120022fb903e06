/**
 * Headless Chromium for the browser tests: Debian's `chromium` package driven by playwright-core
 * (see examples/explorer/build.ts). Tests skip, saying why, when there is no Chromium.
 */
import { existsSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { CHROMIUM } from '../../examples/explorer/build.js';

export { launchChromium } from '../../examples/explorer/build.js';

/** Why the browser tests skip here, or undefined when they run. */
export const chromiumMissing: string | undefined = existsSync(CHROMIUM)
  ? undefined
  : `no Chromium at ${CHROMIUM} (Debian: apt-get install chromium; or set BLINDSPOTS_CHROMIUM)`;

if (chromiumMissing !== undefined) console.warn(`browser tests skipped: ${chromiumMissing}`);

/** A new page that records its uncaught errors and console errors (for a failing test's message). */
export async function openPage(browser: Browser, url: string): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  await page.goto(url);
  return { page, errors };
}
