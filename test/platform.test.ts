/**
 * The platform layer (#platform): browser.ts must offer what node.ts offers, with the same types
 * (the assignment below fails the typecheck otherwise), and its stand-ins must behave as
 * documented. browser.ts has no Node built-in, so it also runs here.
 */
import { describe, expect, it } from 'vitest';
import * as browser from '../src/platform/browser.js';
import * as node from '../src/platform/node.js';
import { BlindspotsError } from '../src/index.js';

const sameShape: typeof node = browser;

function codeOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return e instanceof BlindspotsError ? e.code : String(e);
  }
  return 'no error';
}

describe('#platform', () => {
  it('has the same exports on both sides', () => {
    expect(Object.keys(browser).sort()).toEqual(Object.keys(sameShape).sort());
    expect(Object.keys(browser).sort()).toEqual(Object.keys(node).sort());
    expect([node.platformName, browser.platformName]).toEqual(['node', 'browser']);
    expect([node.workerThreads, browser.workerThreads]).toEqual([true, false]);
  });

  it('browser: files, workers and ml-random-forest are NODE_ONLY errors naming what to do instead', async () => {
    expect(codeOf(() => browser.spawnWorker(import.meta.url, 'forestThread'))).toBe('NODE_ONLY');
    expect(codeOf(() => new browser.RandomForestClassifier())).toBe('NODE_ONLY');
    await expect(browser.readFile('model/model.json')).rejects.toMatchObject({ code: 'NODE_ONLY' });
    await expect(browser.mkdir('model', { recursive: true })).rejects.toThrow(
      /^mkdir: expected Node\.js \(files; .*: model\), got a browser$/,
    );
    expect(() => browser.spawnWorker(import.meta.url, 'dataParallelReplica')).toThrow(
      /Node\.js .*worker threads for dataParallelReplica.*a browser/,
    );
  });

  it('browser: one core, posix joins, the bytes save assembles', () => {
    expect(browser.availableParallelism()).toBe(1);
    expect(browser.join('runs', 'resnet', 'model.json')).toBe('runs/resnet/model.json');
    expect(browser.join('/runs/', 'a')).toBe('/runs/a');
    const bytes = browser.Buffer.concat([
      browser.Buffer.from(new Uint8Array([1, 2]).buffer),
      browser.Buffer.from(new Uint8Array([3]).buffer),
    ]);
    expect([...bytes]).toEqual([1, 2, 3]);
  });

  it('browser: setImmediate runs callbacks in order, after the current task', async () => {
    const seen: number[] = [];
    await new Promise<void>((resolve) => {
      browser.setImmediate(() => seen.push(1));
      browser.setImmediate(() => seen.push(2));
      browser.setImmediate(() => resolve());
      seen.push(0);
    });
    expect(seen).toEqual([0, 1, 2]);
  });
});
