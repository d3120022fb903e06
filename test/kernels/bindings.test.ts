import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { renderBindings } from '../../scripts/build-wasm.js';
import { type KernelDecl, parseKernels, readKernelSources, renderBindingsH, renderBindingsTs } from '../../scripts/kernel-bindings.js';
import {
  KERNEL_PARAMS,
  type KernelName,
  type Kernels,
  type NativePositionalKernels,
  type PositionalKernels,
  bindKernels,
  bindNativeKernels,
} from '../../src/kernels/bindings.js';

// The kernels' bindings are generated from their C prototypes (scripts/kernel-bindings.ts), for
// the wasm module (src/kernels/bindings.ts) and the native addon (native/bindings.h). These
// tests need no compiler, so they run everywhere: the committed bindings are what the sources
// give, they pass every named argument to its C position, and a parameter swapped in C changes
// them (so the freshness check fails until they are regenerated, and the glue, which names every
// argument, still passes H as H).

const names = Object.keys(KERNEL_PARAMS) as KernelName[];

/** Positional kernels that record the arguments of each call. */
function recorder(): { calls: Map<string, unknown[]>; kernels: PositionalKernels & NativePositionalKernels } {
  const calls = new Map<string, unknown[]>();
  const kernels = Object.fromEntries(names.map((n) => [n, (...args: unknown[]) => calls.set(n, args)])) as unknown as PositionalKernels &
    NativePositionalKernels;
  return { calls, kernels };
}

/** For each kernel, arguments naming each parameter by its position: { x: 0, dy: 1, ... }. */
const numbered = (name: KernelName): Record<string, number> => Object.fromEntries(KERNEL_PARAMS[name].params.map(([p], i) => [p, i]));

describe('generated kernel bindings', () => {
  it('src/kernels/bindings.ts and native/bindings.h are what src/kernels/*.c generate', async () => {
    for (const [path, text] of await renderBindings())
      expect(readFileSync(path, 'utf8'), `${path} is stale: run npm run build:wasm`).toBe(text);
  });

  it('parses every exported kernel with its parameters in C order', () => {
    const kernels = parseKernels(readKernelSources());
    expect(kernels.map((k) => k.name).sort()).toEqual([...names].sort());
    const conv = kernels.find((k) => k.name === 'conv2dBackpropFilter') as KernelDecl;
    expect(conv.file).toBe('conv.c');
    expect(conv.params.slice(0, 6)).toEqual([
      { name: 'x', type: 'const f32 *' },
      { name: 'dy', type: 'const f32 *' },
      { name: 'dw', type: 'f32 *' },
      { name: 'N', type: 'int' },
      { name: 'H', type: 'int' },
      { name: 'W', type: 'int' },
    ]);
    expect(kernels.find((k) => k.name === 'sgdMomentum')?.params.at(-1)).toEqual({ name: 'wd', type: 'f32' });
  });

  it('passes each named argument to its position, for the wasm and the native kernels', () => {
    const wasm = recorder();
    const native = recorder();
    const memory = { buffer: new ArrayBuffer(8) };
    const bound = bindKernels(wasm.kernels);
    const boundNative = bindNativeKernels(native.kernels, memory);
    for (const name of names) {
      const args = numbered(name);
      (bound[name] as unknown as (a: Record<string, number>) => void)(args);
      (boundNative[name] as unknown as (a: Record<string, number>) => void)(args);
      const positions = KERNEL_PARAMS[name].params.map((_, i) => i);
      expect(wasm.calls.get(name), name).toEqual(positions);
      expect(native.calls.get(name), name).toEqual([memory.buffer, ...positions]);
    }
  });

  it('a parameter swapped in C changes the bindings: the check fails and the arguments follow the C order', async () => {
    const sources = readKernelSources().map((s) =>
      s.file === 'conv.c'
        ? {
            ...s,
            text: s.text.replace(
              'void conv2dBackpropFilter(const f32 *x, const f32 *dy, f32 *dw, int N, int H, int W,',
              'void conv2dBackpropFilter(const f32 *x, const f32 *dy, f32 *dw, int N, int W, int H,',
            ),
          }
        : s,
    );
    expect(sources.find((s) => s.file === 'conv.c')?.text).toContain('int N, int W, int H,');
    const swapped = parseKernels(sources);
    const ts = await renderBindingsTs(swapped);
    // What `npm run build:wasm -- --check` and the freshness test compare: both files differ.
    expect(ts).not.toBe(readFileSync('src/kernels/bindings.ts', 'utf8'));
    expect(renderBindingsH(swapped)).not.toBe(readFileSync('native/bindings.h', 'utf8'));
    // The regenerated binding passes the glue's H where the C now wants it.
    const dir = '.tmp/bindings-test';
    mkdirSync(dir, { recursive: true });
    try {
      writeFileSync(`${dir}/swapped.ts`, ts);
      const mod = (await import(/* @vite-ignore */ pathToFileURL(resolve(dir, 'swapped.ts')).href)) as { bindKernels: typeof bindKernels };
      const { calls, kernels } = recorder();
      const args = { ...numbered('conv2dBackpropFilter'), H: 100, W: 200 } as unknown as Parameters<Kernels['conv2dBackpropFilter']>[0];
      mod.bindKernels(kernels).conv2dBackpropFilter(args);
      expect(calls.get('conv2dBackpropFilter')?.slice(3, 6)).toEqual([3, 200, 100]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects prototypes it cannot bind', () => {
    const parse = (text: string) => parseKernels([{ file: 'x.c', text }]);
    expect(() => parse('EXPORT(a)\nvoid b(int n) {\n}\n')).toThrow(/followed by function b/);
    expect(() => parse('EXPORT(a)\nvoid a(float *x) {\n}\n')).toThrow(/cannot read parameter/);
    expect(() => parse('EXPORT(a)\nvoid a(int n, f32 n) {\n}\n')).toThrow(/repeated parameter/);
    expect(parse('// doc\nEXPORT(a)\nvoid a(const f32 *x,\n       int n) {\n}\n')).toEqual([
      {
        name: 'a',
        file: 'x.c',
        doc: 'doc',
        params: [
          { name: 'x', type: 'const f32 *' },
          { name: 'n', type: 'int' },
        ],
      },
    ]);
  });
});

// Compile-time: a call that leaves out or misnames a size does not type-check (npm run typecheck).
export function typeChecks(k: Kernels): void {
  // @ts-expect-error: C is missing
  k.flipFilter({ w: 0, wf: 0, KH: 3, KW: 3, F: 8 });
  // @ts-expect-error: there is no parameter named Hin
  k.padImages({ x: 0, xp: 0, N: 1, Hin: 1, W: 1, C: 1, Hp: 1, Wp: 1, pt: 0, pl: 0 });
}
