/**
 * The Node.js side of the library's platform layer, imported as `#platform` (package.json
 * "imports", condition "node"; under vitest and tsx, tsconfig "paths" and the vitest alias point
 * here). Bundlers building for the browser take browser.ts instead (condition "default"), so the
 * root entry carries no Node built-in. Both files export the same names
 * (test/platform.test.ts checks it).
 *
 * Modules that need files, worker threads or the core count import them from here rather than
 * from `node:*`.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendName } from '../models/tfjs/backend.js';

export { Buffer } from 'node:buffer';
export { mkdir, readFile, writeFile } from 'node:fs/promises';
export { availableParallelism } from 'node:os';
export { join } from 'node:path';
export { setImmediate } from 'node:timers';
export type { Worker } from 'node:worker_threads';
export { spawnWorker } from '../threads.js';
// Here because its random-js dependency has a `require("crypto")` that browser bundlers cannot
// resolve (esbuild and webpack stop on it), though nothing calls it; browser.ts has a stub.
export { RandomForestClassifier } from 'ml-random-forest';

/** Where the library runs: `'node'` here, `'browser'` in browser.ts. */
export const platformName: 'node' | 'browser' = 'node';

/** Whether {@link spawnWorker} works (ConvNet and forest `threads` > 1). */
export const workerThreads: boolean = true;

/** The tfjs backends `useFastestBackend` tries, fastest first: tfjs-node when installed. */
export const backendOrder: readonly BackendName[] = ['tensorflow', 'wasm', 'cpu'];

/**
 * tfjs's CPU backend prints "Hi, looks like you are running TensorFlow.js in Node.js…" on its
 * first tensor in Node, so any program that imports this library and makes a tensor before a
 * ConvNet picks its backend (a loader, an encoder on tensors, a user's own `tf.tensor`) would
 * print it. A library must not make its users' programs print, and the library chooses its
 * backend itself (`useFastestBackend`), so the advice is moot: the CPU backend's factory is
 * wrapped to create backends with that one notice already given. No tfjs flag is touched (PROD
 * or IS_TEST would hide every other tfjs warning too) and the engine's choice of backend is
 * unchanged.
 */
function quietCpuNotice(): void {
  const quiet = (backend: tf.KernelBackend): tf.KernelBackend => {
    // `firstUse` is the CPU backend's private flag for the notice; absent in another tfjs, harmless.
    if ('firstUse' in backend) (backend as unknown as { firstUse: boolean }).firstUse = false;
    return backend;
  };
  const engine = tf.engine();
  const existing = engine.registry['cpu'];
  if (existing !== undefined) {
    quiet(existing);
    return;
  }
  const factory = tf.findBackendFactory('cpu');
  if (factory === null || factory === undefined || engine.backendName === 'cpu') return;
  // Same name and priority (tfjs-backend-cpu registers 'cpu' at 1): only the factory changes.
  tf.removeBackend('cpu');
  tf.registerBackend('cpu', () => quiet(factory() as tf.KernelBackend), 1);
}

quietCpuNotice();
