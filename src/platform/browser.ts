/**
 * The browser side of the library's platform layer: what bundlers take for `#platform` outside
 * Node (package.json "imports", condition "default"). It has node.ts's exports, without any Node
 * built-in:
 *
 * - files (ConvNet `save`/`load`): a `NODE_ONLY` error;
 * - worker threads: none (`workerThreads` is false), so `availableParallelism()` is 1 (a forest's
 *   `threads` fall back to one, which grows the same trees), a ConvNet's `threads` above 1 are an
 *   INVALID_ARGUMENT error from `fit` (as on backends other than wasm), and `spawnWorker` is a
 *   `NODE_ONLY` error;
 * - `setImmediate`: a message-channel task, which yields to rendering and input as Node's does to
 *   I/O;
 * - backends: webgl on a GPU, else wasm (with this library's training kernels), else cpu.
 *
 * The casts give the stubs node.ts's types so that both files type-check the same importers;
 * test/platform.test.ts checks the names match.
 */
import type * as NodeBuffer from 'node:buffer';
import type * as NodeFsPromises from 'node:fs/promises';
import type * as NodeOs from 'node:os';
import type * as NodePath from 'node:path';
import type * as NodeTimers from 'node:timers';
import type { spawnWorker as nodeSpawnWorker } from '../threads.js';
import type { RandomForestClassifier as MlRandomForestClassifier } from 'ml-random-forest';
import { fail } from '../errors.js';
import type { BackendName } from '../models/tfjs/backend.js';

export type { Worker } from 'node:worker_threads';

function nodeOnly(name: string, why: string): never {
  throw fail('NODE_ONLY', name, undefined, `Node.js (${why})`, 'a browser');
}

const files = 'files; in a browser, keep the fitted model in the page';
export const mkdir = ((path: string) => Promise.reject(failure('mkdir', path))) as typeof NodeFsPromises.mkdir;
export const readFile = ((path: string) => Promise.reject(failure('readFile', path))) as typeof NodeFsPromises.readFile;
export const writeFile = ((path: string) => Promise.reject(failure('writeFile', path))) as typeof NodeFsPromises.writeFile;

function failure(name: string, path: string): Error {
  try {
    return nodeOnly(name, `${files}: ${path}`);
  } catch (error) {
    return error as Error;
  }
}

/** Path segments joined with '/', as node:path's posix `join` for the relative and absolute paths the library builds. */
export const join = ((...parts: string[]) =>
  parts
    .filter((p) => p !== '')
    .join('/')
    .replace(/\/{2,}/g, '/')) as typeof NodePath.join;

/** The bytes `save` assembles before it writes; only `from(ArrayBuffer)` and `concat` are used. */
export const Buffer = {
  from: (data: ArrayBufferLike) => new Uint8Array(data),
  concat: (chunks: readonly Uint8Array[]) => {
    const out = new Uint8Array(chunks.reduce((s, c) => s + c.length, 0));
    let offset = 0;
    for (const c of chunks) {
      out.set(c, offset);
      offset += c.length;
    }
    return out;
  },
} as unknown as typeof NodeBuffer.Buffer;

/**
 * ml-random-forest (the `MlRandomForest` adapter) stays out of browser bundles: its random-js
 * dependency has a `require("crypto")` that bundlers cannot resolve. The library's own
 * `RandomForest` runs in a browser.
 */
export const RandomForestClassifier: typeof MlRandomForestClassifier = class {
  constructor() {
    nodeOnly('MlRandomForest', "ml-random-forest, whose random-js requires Node's crypto; use RandomForest in a browser");
  }
};

export const availableParallelism = (() => 1) as typeof NodeOs.availableParallelism;

export const spawnWorker = ((_moduleUrl: string, name: string) =>
  nodeOnly('spawnWorker', `worker threads for ${name}: use threads: 1 in a browser`)) as typeof nodeSpawnWorker;

// One channel for all tasks: a message is a macrotask (unlike a resolved promise) without
// setTimeout's 4 ms clamp on nested calls.
const queue: (() => void)[] = [];
let channel: InstanceType<typeof MessageChannel> | undefined;

export const setImmediate = ((callback: () => void) => {
  if (channel === undefined) {
    channel = new MessageChannel();
    // The DOM's MessagePort (node's typings have no `onmessage`; setting it also starts the port).
    (channel.port1 as unknown as { onmessage: () => void }).onmessage = () => queue.shift()?.();
  }
  queue.push(callback);
  channel.port2.postMessage(null);
}) as unknown as typeof NodeTimers.setImmediate;

/** Where the library runs: `'browser'` here, `'node'` in node.ts. */
export const platformName: 'node' | 'browser' = 'browser';

/** Whether {@link spawnWorker} works: not in a browser. */
export const workerThreads: boolean = false;

/** The tfjs backends `useFastestBackend` tries, fastest first, in a browser. */
export const backendOrder: readonly BackendName[] = ['webgl', 'wasm', 'cpu'];
