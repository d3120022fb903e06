import * as tf from '@tensorflow/tfjs';
import { fail } from '../../errors.js';
import { registerWasmTrainingKernels } from './kernels/index.js';

/** A tfjs backend the library can train on, fastest first. */
export type BackendName = 'tensorflow' | 'wasm' | 'cpu';

/** Which backend is in use and why. */
export interface BackendInfo {
  /** The tfjs backend now active. */
  readonly name: BackendName;
  /** Backends tried before it and why each was skipped. */
  readonly skipped: readonly { readonly name: BackendName; readonly reason: string }[];
}

const ORDER: readonly BackendName[] = ['tensorflow', 'wasm', 'cpu'];
let current: Promise<BackendInfo> | undefined;

// A module the user may not have installed; the variable keeps TypeScript and bundlers from
// resolving it at build time.
const TFJS_NODE = '@tensorflow/tfjs-node';

async function tryBackend(name: BackendName): Promise<string | undefined> {
  try {
    if (name === 'tensorflow') await import(/* @vite-ignore */ TFJS_NODE);
    if (name === 'wasm') {
      await import('@tensorflow/tfjs-backend-wasm');
    }
    if (!(await tf.setBackend(name))) return 'tf.setBackend returned false';
    await tf.ready();
    if (name === 'wasm') registerWasmTrainingKernels();
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message.split('\n')[0] : String(error);
  }
}

/**
 * Switches tfjs to the fastest backend that works here and returns which one: `tensorflow`
 * (`@tensorflow/tfjs-node`, when the user has installed it), else `wasm` with this library's
 * training kernels (the package's wasm build has no `Conv2DBackpropFilter` and a slow
 * `Conv2DBackpropInput`), else `cpu`. The ConvNet models call it on first use; call it yourself to
 * choose when, or pass `prefer` to force an order (e.g. `['cpu']` for reference results).
 * Concurrent calls share one setup.
 *
 * @example
 * ```ts
 * import { useFastestBackend } from 'blindspots/models';
 * const { name } = await useFastestBackend();
 * console.log(`training on tfjs-${name}`);
 * ```
 */
export function useFastestBackend(options: { readonly prefer?: readonly BackendName[] } = {}): Promise<BackendInfo> {
  const prefer = options.prefer;
  if (prefer === undefined && current !== undefined) return current;
  if (prefer !== undefined) {
    for (const name of prefer) {
      if (!ORDER.includes(name))
        throw fail('INVALID_ARGUMENT', 'useFastestBackend', 'options.prefer', `names among ${ORDER.join(', ')}`, JSON.stringify(name));
    }
    if (prefer.length === 0) throw fail('INVALID_ARGUMENT', 'useFastestBackend', 'options.prefer', 'at least one backend name', '[]');
  }
  const order = prefer ?? ORDER;
  const setup = (async () => {
    const skipped: { name: BackendName; reason: string }[] = [];
    for (const name of order) {
      const reason = await tryBackend(name);
      if (reason === undefined) return { name, skipped };
      skipped.push({ name, reason });
    }
    throw fail(
      'NO_BACKEND',
      'useFastestBackend',
      'options.prefer',
      'a backend that initialises',
      skipped.map((s) => `${s.name}: ${s.reason}`).join('; '),
    );
  })();
  current = setup;
  return setup;
}
