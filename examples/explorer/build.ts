/**
 * The explorer page (`npm run explorer`): builds examples/explorer/page into
 * examples/explorer/dist and serves it on 127.0.0.1. Also the bundling and serving the browser
 * tests use (test/browser), so the page and the tests go through the same route.
 *
 *   npx tsx examples/explorer/build.ts [--port N] [--build-only] [--per-class N]
 *   npx tsx examples/explorer/build.ts --screenshot docs/img/explorer.png [--signal S] [--scale LOG10] [--epochs E]
 *
 * Bundling: esbuild, for the browser, with the library's `#platform` import mapped to
 * src/platform/browser.ts (what package.json "imports" gives bundlers outside Node when they
 * bundle the published package). tfjs-backend-wasm's `.wasm` files are copied next to the
 * bundle, where the wasm backend looks for them by default.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { builtinModules, createRequire } from 'node:module';
import { dirname, extname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { chromium, type Browser } from 'playwright-core';
import { loadFashionMnist } from '../../src/data/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');

/** The browser side of the library's platform layer (see src/platform). */
export const BROWSER_PLATFORM = join(root, 'src/platform/browser.ts');

/** Node's built-in modules, as a bundle must not import them (with or without `node:`). */
const NODE_BUILTINS = new Set(builtinModules);

/** What {@link bundleForBrowser} made. */
export interface Bundle {
  /** The bundle's path. */
  readonly file: string;
  /** Its size in bytes. */
  readonly bytes: number;
  /**
   * Node built-ins the bundle imports. Modules that dependencies disable for the browser through
   * their own package.json "browser" field (tfjs-backend-wasm's worker_threads, seedrandom's
   * crypto) become empty modules and are not counted.
   */
  readonly nodeImports: readonly string[];
  /** The library's own modules in the bundle (paths from the repository root). */
  readonly sources: readonly string[];
}

/**
 * Bundles `entry` (TypeScript importing the library from src/) for the browser as one ES module
 * `outfile`, and copies tfjs-backend-wasm's `.wasm` files next to it.
 */
export async function bundleForBrowser(entry: string, outfile: string): Promise<Bundle> {
  const result = await esbuild.build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    metafile: true,
    logLevel: 'silent',
    plugins: [
      {
        name: 'blindspots-platform',
        setup(build) {
          // Before tsconfig "paths", which name the Node side for tsc and tsx.
          build.onResolve({ filter: /^#platform$/ }, () => ({ path: BROWSER_PLATFORM }));
        },
      },
    ],
  });
  const nodeImports = new Set<string>();
  for (const input of Object.values(result.metafile.inputs)) {
    for (const imp of input.imports) {
      const name = imp.path.replace(/^node:/, '');
      if (imp.path.startsWith('node:') || (imp.external === true && NODE_BUILTINS.has(name))) nodeImports.add(imp.path);
    }
  }
  const wasmDir = dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
  for (const f of readdirSync(wasmDir)) if (f.endsWith('.wasm')) copyFileSync(join(wasmDir, f), join(dirname(outfile), f));
  const sources = Object.keys(result.metafile.inputs)
    .map((f) => relative(root, resolve(f)))
    .filter((f) => f.startsWith('src/'));
  return { file: outfile, bytes: statSync(outfile).size, nodeImports: [...nodeImports], sources };
}

/** The Chromium the tests and screenshots use: Debian's `chromium` (BLINDSPOTS_CHROMIUM overrides). */
export const CHROMIUM = process.env['BLINDSPOTS_CHROMIUM'] ?? '/usr/bin/chromium';

/** Headless Chromium through playwright-core (which never downloads a browser), off the network. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
};

/** A static server of `dir` on 127.0.0.1 (`port` 0: a free one). */
export async function serveStatic(dir: string, port = 0): Promise<{ url: string; close: () => Promise<void> }> {
  const base = resolve(dir);
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
    const file = resolve(base, `.${path.endsWith('/') ? `${path}index.html` : path}`);
    if ((file !== base && !file.startsWith(base + sep)) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
    res.end(readFileSync(file));
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(port, '127.0.0.1', ok);
  });
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${String(bound)}/`,
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  };
}

/**
 * Fashion-MNIST images for the page: `perClass` of each class, pixels as 8-bit values in base64.
 * Cached under node_modules/.cache: reading them parses the package's 149 MB of JSON (~15 s).
 */
function writeSample(outDir: string, perClass: number): number {
  const cache = join(root, 'node_modules/.cache/blindspots-explorer', `fashion-sample-${String(perClass)}.json`);
  if (!existsSync(cache)) {
    const { images, labels, classNames } = loadFashionMnist({ perClass, as: 'array' });
    const pixels = Uint8Array.from(images.data, (v) => Math.round(v * 255));
    const [n, height, width] = images.shape;
    const sample = { n, height, width, classNames, labels: [...labels], pixels: Buffer.from(pixels).toString('base64') };
    mkdirSync(dirname(cache), { recursive: true });
    writeFileSync(cache, JSON.stringify(sample));
  }
  copyFileSync(cache, join(outDir, 'fashion-sample.json'));
  return (JSON.parse(readFileSync(cache, 'utf8')) as { n: number }).n;
}

/** Builds the explorer into `outDir` (default examples/explorer/dist). */
export async function buildExplorer(outDir = join(here, 'dist'), perClass = 40): Promise<Bundle & { images: number }> {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const bundle = await bundleForBrowser(join(here, 'page/main.ts'), join(outDir, 'main.js'));
  copyFileSync(join(here, 'page/index.html'), join(outDir, 'index.html'));
  return { ...bundle, images: writeSample(outDir, perClass) };
}

/**
 * Opens the built page in headless Chromium, runs one comparison (`signal`, `scale` as the
 * slider's log10, ConvNet `epochs`) and saves a screenshot of the whole page to `file`.
 */
export async function screenshotExplorer(dir: string, file: string, signal: string, log10Scale: number, epochs: number): Promise<void> {
  const server = await serveStatic(dir);
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1040, height: 900 }, deviceScaleFactor: 1 });
    await page.goto(server.url);
    await page.waitForSelector('body[data-state="ready"]');
    await page.selectOption('#signal', signal);
    await page.locator('#scale').fill(String(log10Scale));
    await page.locator('#index').fill('95');
    await page.locator('#epochs').fill(String(epochs));
    await page.click('#run');
    await page.waitForSelector('body[data-state="done"], body[data-state="error"]', { timeout: 600_000 });
    mkdirSync(dirname(file), { recursive: true });
    await page.screenshot({ path: file, fullPage: true });
  } finally {
    await browser.close();
    await server.close();
  }
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const arg = (name: string): string | undefined => {
    const i = process.argv.indexOf(name);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  const built = await buildExplorer(undefined, Number(arg('--per-class') ?? 40));
  console.log(`built ${built.file} (${(built.bytes / 1e6).toFixed(1)} MB, ${String(built.images)} Fashion-MNIST images)`);
  const shot = arg('--screenshot');
  if (shot !== undefined) {
    await screenshotExplorer(
      dirname(built.file),
      shot,
      arg('--signal') ?? 'orthogonalNoise',
      Number(arg('--scale') ?? -3),
      Number(arg('--epochs') ?? 5),
    );
    console.log(`screenshot: ${shot}`);
  } else if (!process.argv.includes('--build-only')) {
    const { url } = await serveStatic(dirname(built.file), Number(arg('--port') ?? 8080));
    console.log(`explorer: ${url}  (Ctrl-C to stop)`);
  }
}
