import { describe, expect, it } from 'vitest';
import { KERNEL_PARAMS } from '../../src/kernels/bindings.js';
import { convModuleBytes } from '../../src/kernels/tfjs/wasm.js';

/** The parts of the WebAssembly API used here (the project's lib settings do not include DOM types). */
interface Descriptor {
  module?: string;
  name: string;
  kind: string;
}
const WebAssembly = (
  globalThis as unknown as {
    WebAssembly: {
      Module: { new (bytes: Uint8Array): object; exports(m: object): Descriptor[]; imports(m: object): Descriptor[] };
      Memory: new (d: { initial: number }) => object;
      Instance: new (m: object, imports: object) => { exports: Record<string, unknown> };
    };
  }
).WebAssembly;

// The generated bindings (src/kernels/bindings.ts, from the C prototypes; their freshness is
// test/kernels/bindings.test.ts's) against what the compiled module really exports: a module
// built from other sources than the bindings would shift arguments silently.
describe('the C kernels module exports', () => {
  const module = new WebAssembly.Module(convModuleBytes());

  it('exports exactly the functions the bindings declare, and imports only the backend memory', () => {
    const functions = WebAssembly.Module.exports(module)
      .filter((e) => e.kind === 'function')
      .map((e) => e.name)
      .sort();
    expect(functions).toEqual(Object.keys(KERNEL_PARAMS).sort());
    expect(WebAssembly.Module.imports(module)).toEqual([{ module: 'env', name: 'memory', kind: 'memory' }]);
  });

  it('each export takes as many parameters as its C prototype', () => {
    const memory = new WebAssembly.Memory({ initial: 256 });
    const instance = new WebAssembly.Instance(module, { env: { memory } });
    const names = Object.keys(KERNEL_PARAMS) as (keyof typeof KERNEL_PARAMS)[];
    const arity = Object.fromEntries(names.map((name) => [name, (instance.exports[name] as () => void).length]));
    expect(arity).toEqual(Object.fromEntries(names.map((name) => [name, KERNEL_PARAMS[name].params.length])));
  });
});
