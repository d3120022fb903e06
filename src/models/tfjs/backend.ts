import * as tf from '@tensorflow/tfjs';
import { backendOrder, platformName } from '#platform';
import { fail } from '../../errors.js';
import { compileConvModule } from '../../kernels/convModule.js';
import { registerWasmTrainingKernels } from '../../kernels/tfjs/index.js';

/**
 * A tfjs backend the library can train on: `tensorflow` (`@tensorflow/tfjs-node`), `webgl` (a
 * browser's GPU), `wasm` (with this library's training kernels), `cpu` (plain JavaScript).
 */
export type BackendName = 'tensorflow' | 'webgl' | 'wasm' | 'cpu';

/** Which backend is in use and why. */
export interface BackendInfo {
  /** The tfjs backend now active. */
  readonly name: BackendName;
  /** Backends tried before it and why each was skipped. */
  readonly skipped: readonly { readonly name: BackendName; readonly reason: string }[];
}

const NAMES: readonly BackendName[] = ['tensorflow', 'webgl', 'wasm', 'cpu'];
let current: Promise<BackendInfo> | undefined;

// A module the user may not have installed; the variable keeps TypeScript and bundlers from
// resolving it at build time.
const TFJS_NODE = '@tensorflow/tfjs-node';
// Node's module API, for the check below; a variable so that browser bundles do not see it.
const NODE_MODULE = 'node:module';

/** The part of `node:module` used here (the browser build's types have no Node). */
interface NodeModuleApi {
  createRequire(this: void, from: string): { resolve(id: string): string; (id: string): unknown };
}

/**
 * Why the installed `@tensorflow/tfjs-backend-wasm` cannot be used, if it would load another copy
 * of `@tensorflow/tfjs-core` than the user's `@tensorflow/tfjs` (Node only; undefined when it is
 * the same copy or when this cannot be told). Each tfjs-backend-wasm release requires exactly its
 * own tfjs-core version; installed for another tfjs (npm lays out a wasm 4.22.0 with a tfjs-core
 * 4.22.0 of its own beside a project's tfjs 4.21.0 when it installs the peer itself), importing it
 * loads that second tfjs-core, which prints tfjs's warnings ("Platform node has already been set",
 * "… is already registered") into the host program. The library does not import it and says
 * which version to install instead (test/pack.integration.test.ts makes that layout).
 */
async function wasmCoreMismatch(): Promise<string | undefined> {
  if (platformName !== 'node') return undefined;
  try {
    const { createRequire } = (await import(/* @vite-ignore */ NODE_MODULE)) as NodeModuleApi;
    const here = createRequire(import.meta.url);
    const tfjs = createRequire(here.resolve('@tensorflow/tfjs/package.json'));
    const wasm = createRequire(here.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
    const core = (from: typeof here): string => from.resolve('@tensorflow/tfjs-core/package.json');
    if (core(tfjs) === core(wasm)) return undefined;
    const version = (from: typeof here, name: string): string => String((from(`${name}/package.json`) as { version?: unknown }).version);
    return (
      `@tensorflow/tfjs-backend-wasm ${version(here, '@tensorflow/tfjs-backend-wasm')} would load its own @tensorflow/tfjs-core ` +
      `${version(wasm, '@tensorflow/tfjs-core')} beside the ${tf.version_core} of @tensorflow/tfjs: ` +
      `npm install @tensorflow/tfjs-backend-wasm@${tf.version_core}`
    );
  } catch {
    // Not resolvable this way (a bundle, Yarn PnP, not installed): the import below decides.
    return undefined;
  }
}

/**
 * The renderer of the webgl backend's context when it is a software one (SwiftShader, llvmpipe):
 * a browser without a usable GPU still offers WebGL that way, and trains slower on it than on wasm
 * (docs/browser.md has the timings).
 */
function softwareRenderer(): string | undefined {
  type Gl = { getExtension(name: string): { UNMASKED_RENDERER_WEBGL: number } | null; getParameter(p: number): unknown; RENDERER: number };
  const gl = (tf.backend() as unknown as { gpgpu?: { gl?: Gl } }).gpgpu?.gl;
  if (gl === undefined) return undefined;
  const info = gl.getExtension('WEBGL_debug_renderer_info');
  const renderer = String(gl.getParameter(info === null ? gl.RENDERER : info.UNMASKED_RENDERER_WEBGL));
  return /swiftshader|llvmpipe|softpipe|software|basic render driver/i.test(renderer) ? renderer : undefined;
}

async function tryBackend(name: BackendName, acceptSoftware: boolean): Promise<string | undefined> {
  try {
    if (name === 'tensorflow') await import(/* @vite-ignore */ TFJS_NODE);
    if (name === 'wasm') {
      const mismatch = await wasmCoreMismatch();
      if (mismatch !== undefined) return mismatch;
      await import('@tensorflow/tfjs-backend-wasm');
      // Before the backend is chosen: a browser refuses to compile the kernels synchronously.
      await compileConvModule();
    }
    const handlers = processHandlers();
    try {
      if (!(await tf.setBackend(name))) return 'tf.setBackend returned false';
      await tf.ready();
    } finally {
      handlers.restore();
    }
    if (name === 'webgl' && !acceptSoftware) {
      const renderer = softwareRenderer();
      if (renderer !== undefined) return `a software renderer, not a GPU (${renderer})`;
    }
    if (name === 'wasm') registerWasmTrainingKernels();
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message.split('\n')[0] : String(error);
  }
}

/** The process events whose handlers tfjs-wasm's emscripten glue adds (they rethrow). */
const PROCESS_EVENTS = ['uncaughtException', 'unhandledRejection'] as const;

/**
 * Remembers the process's handlers of the events above and, on `restore`, removes the ones added
 * since. The wasm backend's emscripten glue installs handlers that rethrow, so that an unhandled
 * rejection anywhere in the host program — nothing to do with tfjs — would end the process (exit
 * code 7); a library must not change its host's behaviour. Nothing to do where there is no Node
 * `process` (a browser).
 */
function processHandlers(): { restore: () => void } {
  type Listener = (...args: unknown[]) => void;
  const proc = (globalThis as { process?: { listeners(e: string): Listener[]; removeListener(e: string, l: Listener): void } }).process;
  if (proc === undefined || typeof proc.listeners !== 'function') return { restore: () => undefined };
  const before = new Map(PROCESS_EVENTS.map((e) => [e, new Set(proc.listeners(e))]));
  return {
    restore: () => {
      for (const e of PROCESS_EVENTS) {
        const had = before.get(e) as Set<unknown>;
        for (const l of proc.listeners(e)) if (!had.has(l)) proc.removeListener(e, l);
      }
    },
  };
}

/** Options of {@link useFastestBackend}. */
export interface BackendOptions {
  /** Backends to try, in order, instead of the platform's (e.g. `['cpu']` for reference results). */
  readonly prefer?: readonly BackendName[];
  /**
   * Called once with a line naming the backend chosen and why the faster ones were skipped, e.g.
   * `tfjs backend: wasm (skipped tensorflow: Cannot find package '@tensorflow/tfjs-node' …)`.
   * Nothing is printed otherwise: the library keeps tfjs quiet (see docs/models.md).
   */
  readonly log?: (line: string) => void;
}

/** The line {@link BackendOptions.log} receives. */
export function describeBackend(info: BackendInfo): string {
  const skipped = info.skipped.map((s) => `${s.name}: ${s.reason}`).join('; ');
  return `tfjs backend: ${info.name}${skipped === '' ? '' : ` (skipped ${skipped})`}`;
}

/**
 * Switches tfjs to the fastest backend that works here and returns which one. In Node:
 * `tensorflow` (`@tensorflow/tfjs-node`, when the user has installed it), else `wasm` with this
 * library's training kernels (the package's wasm build has no `Conv2DBackpropFilter` and a slow
 * `Conv2DBackpropInput`), else `cpu`. In a browser: `webgl` on a GPU (not on a software renderer
 * such as SwiftShader, unless `prefer` names it), else `wasm` (its `.wasm` files are fetched from
 * the page's folder unless you call `setWasmPaths` from `@tensorflow/tfjs-backend-wasm` first),
 * else `cpu`. It sets tfjs's process-wide backend, as `tf.setBackend` does: call it when your
 * program wants the library's choice. The models call it only when tfjs has no backend yet; once
 * one is active (yours, or tfjs's default after your first tensor) they train on it
 * (docs/models.md, "Backends"). Pass `prefer` to force an order, or `log` to be told the choice.
 * Concurrent calls share one setup; a later call without `prefer` makes the same choice active
 * again if the program has switched since.
 *
 * @example
 * ```ts
 * import { useFastestBackend } from 'blindspots/models';
 * const { name } = await useFastestBackend({ log: console.error }); // prints e.g. tfjs backend: wasm (skipped tensorflow: …)
 * ```
 */
export function useFastestBackend(options: BackendOptions = {}): Promise<BackendInfo> {
  const { prefer, log } = options;
  const report = (setup: Promise<BackendInfo>): Promise<BackendInfo> =>
    log === undefined ? setup : setup.then((info) => (log(describeBackend(info)), info));
  if (prefer === undefined && current !== undefined) {
    return report(
      current.then(async (info) => {
        // The program switched since (tf.setBackend): asked again, make the choice active again.
        if (activeBackend() !== info.name) {
          await tf.setBackend(info.name);
          await tf.ready();
        }
        return info;
      }),
    );
  }
  if (prefer !== undefined) {
    for (const name of prefer) {
      if (!NAMES.includes(name))
        throw fail('INVALID_ARGUMENT', 'useFastestBackend', 'options.prefer', `names among ${NAMES.join(', ')}`, JSON.stringify(name));
    }
    if (prefer.length === 0) throw fail('INVALID_ARGUMENT', 'useFastestBackend', 'options.prefer', 'at least one backend name', '[]');
  }
  const order = prefer ?? backendOrder;
  const setup = (async () => {
    const skipped: { name: BackendName; reason: string }[] = [];
    for (const name of order) {
      const reason = await tryBackend(name, prefer !== undefined);
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
  return report(setup);
}

/** tfjs's active backend, or undefined before tfjs has one (no `tf.setBackend`, `tf.ready` or tensor yet). */
function activeBackend(): string | undefined {
  return (tf.getBackend() as string | null | undefined) ?? undefined;
}

/**
 * The backend the tfjs models run on, made ready — the library's backend policy: the program's
 * backend is left as it is. When tfjs already has an active backend (the program called
 * `tf.setBackend` or `tf.ready`, made a tensor — tfjs then picks its default — or called
 * {@link useFastestBackend}), the models use it and never switch away from it; on `wasm` the
 * library's training kernels are registered first. When tfjs has none yet, the models take
 * {@link useFastestBackend}'s choice, which then stays active, as tfjs's own first choice would.
 */
export async function modelBackend(): Promise<string> {
  // A first use under way (another model's, concurrently) decides first.
  if (current !== undefined) await current.catch(() => undefined);
  const active = activeBackend();
  if (active === undefined) return (await useFastestBackend()).name;
  await tf.ready();
  if (active === 'wasm') {
    await compileConvModule();
    registerWasmTrainingKernels();
  }
  return activeBackend() ?? active;
}
