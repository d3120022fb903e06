import { describe, expect, it } from 'vitest';
import { CONV_EXPORT_ARITY, convModuleBytes } from '../../src/models/tfjs/kernels/wasm.js';

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

// The TypeScript signatures of conv.c's exports (ConvKernels, tied to CONV_EXPORT_ARITY by the
// compiler) against what the compiled module really exports: a parameter added in C but not in
// the glue would otherwise shift every later argument silently.
describe('conv.c module exports', () => {
  const module = new WebAssembly.Module(convModuleBytes());

  it('exports exactly the functions the glue declares, and imports only the backend memory', () => {
    const functions = WebAssembly.Module.exports(module)
      .filter((e) => e.kind === 'function')
      .map((e) => e.name)
      .sort();
    expect(functions).toEqual(Object.keys(CONV_EXPORT_ARITY).sort());
    expect(WebAssembly.Module.imports(module)).toEqual([{ module: 'env', name: 'memory', kind: 'memory' }]);
  });

  it('each export takes as many parameters as its TypeScript signature', () => {
    const memory = new WebAssembly.Memory({ initial: 256 });
    const instance = new WebAssembly.Instance(module, { env: { memory } });
    const arity = Object.fromEntries(Object.keys(CONV_EXPORT_ARITY).map((name) => [name, (instance.exports[name] as () => void).length]));
    expect(arity).toEqual(CONV_EXPORT_ARITY);
  });
});
