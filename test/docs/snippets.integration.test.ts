// Docs that are executed (issue #17): every TypeScript block of the Markdown docs and every TSDoc
// block of src/ runs here, each as its own module in its own working folder (scripts/snippets.ts
// says how). A failing snippet fails the test named `<file>:<line>`, and its message starts with
// the file and line of the statement that failed. test/docs/snippetRunner.test.ts tests the runner
// and that no TypeScript block escapes it. The blocks that name the Redis of the docs
// (redis://localhost:6379) run against a real redis-server, started for them on a free port.
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { findSnippets, ROOT, runSnippet, writeModules, type Snippet } from '../../scripts/snippets.js';
import type { ImageDataset } from '../../src/data/dataset.js';
import type { FashionMnistOptions } from '../../src/data/fashionMnist.js';
import type { ImageArray } from '../../src/types.js';
import { REDIS_SERVER, startRedis, type RedisServer } from '../helpers/redisServer.js';
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
const paths = { runtime: join(ROOT, 'scripts', 'snippets.ts'), vitest: join(ROOT, 'test', 'docs', 'vitestShim.ts') };
let modules = new Map<Snippet, string>();
let fixtures: string[] = [];

/** The Redis the docs use; a block naming it gets the URL of the runner's redis-server instead. */
const DOCS_REDIS = 'redis://localhost:6379';
/** The runner's redis-server, started by the first block that needs it. */
let redis: Promise<RedisServer> | undefined;

/** The redis-server of the blocks, emptied: each block sees an empty Redis. */
async function emptyRedis(): Promise<RedisServer> {
  redis ??= (() => {
    const dir = join(temp, 'redis');
    mkdirSync(dir, { recursive: true });
    return startRedis(dir);
  })();
  const server = await redis;
  const client = new Redis(server.url, { lazyConnect: true, maxRetriesPerRequest: 0 });
  try {
    await client.connect();
    await client.flushall();
  } finally {
    client.disconnect();
  }
  return server;
}

beforeAll(async () => {
  rmSync(temp, { recursive: true, force: true });
  modules = writeModules(snippets, join(temp, 'modules'), paths);
  mkdirSync(fixtureDir, { recursive: true });
  fixtures = await makeFixtures(fixtureDir);
});
afterAll(async () => {
  const server = await redis?.catch(() => undefined);
  await server?.stop();
  rmSync(temp, { recursive: true, force: true });
});

describe('doc snippets', () => {
  it('every @example holds a ```ts block', () => {
    expect(problems.map((p) => `${p.file}:${String(p.line)}: ${p.message}`)).toEqual([]);
  });

  for (const file of new Set(running.map((s) => s.file))) {
    describe(file, () => {
      for (const s of running.filter((x) => x.file === file)) {
        it(`${s.file}:${String(s.line)}`, async ({ skip }) => {
          const work = join(temp, `work-${String(s.line)}`);
          let snippet = s;
          let path = modules.get(s) as string;
          if (s.code.includes(DOCS_REDIS)) {
            if (REDIS_SERVER === undefined) skip('redis-server is not installed (Debian: apt-get install redis-server)');
            const server = await emptyRedis();
            snippet = { ...s, code: s.code.replaceAll(DOCS_REDIS, `redis://127.0.0.1:${String(server.port)}`) };
            path = writeModules([snippet], join(temp, 'modules-redis'), paths).get(snippet) as string;
          }
          await runSnippet(snippet, path, { work, fixtures: { dir: fixtureDir, names: fixtures }, queued: takeQueued });
        });
      }
    });
  }
});
