import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('source conventions', () => {
  it('no `as never` in src: the domain module types batches of either kind', () => {
    const offenders = files('src').filter((f) => readFileSync(f, 'utf8').includes('as never'));
    expect(offenders).toEqual([]);
  });
});

// The import graph of src, dynamic `import('./x.js')` included: test/imports.test.ts checks the
// static imports; a module loaded on demand still ties the two modules together (the CLI's study
// and queue commands once imported each other that way, and its modules could not be read apart).

/** Relative modules a source imports, re-exports or loads on demand, as .ts paths; comments are skipped (TSDoc examples import their own module). */
function relativeImports(file: string): string[] {
  const code = readFileSync(file, 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/^\s*\/\/.*$/gm, '');
  const specifiers = [
    ...code.matchAll(/^\s*(?:import|export)\b[^;]*?\bfrom\s*'(\.[^']+)'/gm),
    ...code.matchAll(/^\s*import\s*'(\.[^']+)'/gm),
    ...code.matchAll(/\bimport\(\s*'(\.[^']+)'\s*\)/g),
  ].map((m) => m[1] as string);
  return specifiers.map((s) => join(dirname(file), s.replace(/\.js$/, '.ts')));
}

/** The cycles a depth-first search of `graph` meets, each as the path that closes it. */
function importCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const cycles: string[][] = [];
  const visit = (f: string): void => {
    state.set(f, 'open');
    path.push(f);
    for (const g of graph.get(f) ?? []) {
      if (state.get(g) === 'open') cycles.push([...path.slice(path.indexOf(g)), g]);
      else if (state.get(g) === undefined && graph.has(g)) visit(g);
    }
    path.pop();
    state.set(f, 'done');
  };
  for (const f of graph.keys()) if (state.get(f) === undefined) visit(f);
  return cycles;
}

describe('module graph of src, modules loaded on demand included', () => {
  it('has no import cycle', () => {
    const graph = new Map(files('src').map((f) => [f, relativeImports(f)]));
    expect(graph.size).toBeGreaterThan(50);
    // The contract imports no model (an old cycle ran model.ts -> convNet.ts -> dataParallel.ts -> convNet.ts).
    expect((graph.get(join('src', 'models', 'model.ts')) ?? []).filter((f) => f.includes('/tfjs/'))).toEqual([]);
    expect(importCycles(graph)).toEqual([]);
  });

  it('sees a dynamic import, and finds the cycle it closes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cycle-'));
    try {
      const a = join(dir, 'a.ts');
      const b = join(dir, 'b.ts');
      writeFileSync(a, "/** @example import { x } from './a.js'; */\nexport const run = async () => (await import('./b.js')).y;\n");
      writeFileSync(b, "import type { Flags } from './c.js';\nexport {\n  run,\n} from './a.js';\n");
      expect(relativeImports(a)).toEqual([b]);
      expect(relativeImports(b)).toEqual([join(dir, 'c.ts'), a]);
      expect(importCycles(new Map([a, b].map((f) => [f, relativeImports(f)])))).toEqual([[a, b, a]]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
