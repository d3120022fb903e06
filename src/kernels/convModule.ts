import { CONV_WASM_BASE64 } from './convWasm.js';

/** The part of the WebAssembly API used here (the project's lib setting has no DOM types). */
interface WasmCompileApi {
  Module: new (bytes: Uint8Array) => object;
  compile(bytes: Uint8Array): Promise<object>;
}

let compiled: object | undefined;

function wasmApi(): WasmCompileApi {
  return (globalThis as unknown as { WebAssembly: WasmCompileApi }).WebAssembly;
}

/** The C kernels' module bytes (src/kernels/*.c); `atob` rather than Node's Buffer so that the code also runs in a browser. */
export function convModuleBytes(): Uint8Array {
  return Uint8Array.from(atob(CONV_WASM_BASE64), (ch) => ch.charCodeAt(0));
}

/**
 * Compiles the training kernels' wasm module ahead of their first use. Browsers refuse to compile
 * a module of more than 4 KB synchronously on the main thread (this one is ~50 KB), so
 * `useFastestBackend` awaits this before it picks the wasm backend; in Node it only moves the
 * compile earlier.
 */
export async function compileConvModule(): Promise<void> {
  compiled ??= await wasmApi().compile(convModuleBytes());
}

/** The compiled module: the one {@link compileConvModule} made, else compiled now (synchronously). */
export function convModule(): object {
  compiled ??= new (wasmApi().Module)(convModuleBytes());
  return compiled;
}
