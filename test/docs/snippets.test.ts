// Docs that are executed (issue #17): every TypeScript block of the Markdown docs and every TSDoc
// block of src/ runs here, each as its own module in its own working folder (scripts/snippets.ts
// says how). A failing snippet fails the test named `<file>:<line>`, and its message starts with
// the file and line of the statement that failed. test/docs/snippetRunner.test.ts tests the runner
// and that no TypeScript block escapes it.
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { findSnippets, ROOT, runSnippet, writeModules, type Snippet } from '../../scripts/snippets.js';
import type { ImageDataset } from '../../src/data/dataset.js';
import type { FashionMnistOptions } from '../../src/data/fashionMnist.js';
import type { ImageArray } from '../../src/types.js';
import { makeFixtures } from './snippetFixtures.js';
import { takeQueued } from './vitestShim.js';

// Fashion-MNIST's loader parses ~100 MB of JSON on every call (seconds); the snippets that show it
// share one parse per option set, each call getting its own copy of what the loader returned.
vi.mock('../../src/data/fashionMnist.ts', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../src/data/fashionMnist.js')>();
  const loaded = new Map<string, ImageDataset<ImageArray>>();
  const load = (options: FashionMnistOptions = {}): ImageDataset<ImageArray | tf.Tensor4D> => {
    const key = JSON.stringify({ perClass: options.perClass, dir: options.dir });
    const ds = loaded.get(key) ?? actual.loadFashionMnist({ ...options, as: 'array' });
    loaded.set(key, ds);
    const { data, shape } = ds.images;
    const images = options.as === 'array' ? { data: data.slice(), shape } : tf.tensor4d(data.slice(), [...shape]);
    return { ...ds, images, labels: ds.labels.slice() };
  };
  return { ...actual, loadFashionMnist: load };
});

const { snippets, problems } = findSnippets();
const running = snippets.filter((s) => s.notRun === undefined);
const temp = join(ROOT, '.tmp', `snippets-${String(process.pid)}`);
const fixtureDir = join(temp, 'fixtures');
let modules = new Map<Snippet, string>();
let fixtures: string[] = [];

beforeAll(async () => {
  rmSync(temp, { recursive: true, force: true });
  modules = writeModules(snippets, join(temp, 'modules'), {
    runtime: join(ROOT, 'scripts', 'snippets.ts'),
    vitest: join(ROOT, 'test', 'docs', 'vitestShim.ts'),
  });
  mkdirSync(fixtureDir, { recursive: true });
  fixtures = await makeFixtures(fixtureDir);
});
afterAll(() => rmSync(temp, { recursive: true, force: true }));

describe('doc snippets', () => {
  it('every @example holds a ```ts block', () => {
    expect(problems.map((p) => `${p.file}:${String(p.line)}: ${p.message}`)).toEqual([]);
  });

  for (const file of new Set(running.map((s) => s.file))) {
    describe(file, () => {
      for (const s of running.filter((x) => x.file === file)) {
        it(`${s.file}:${String(s.line)}`, async () => {
          const work = join(temp, `work-${String(s.line)}`);
          await runSnippet(s, modules.get(s) as string, { work, fixtures: { dir: fixtureDir, names: fixtures }, queued: takeQueued });
        });
      }
    });
  }
});
