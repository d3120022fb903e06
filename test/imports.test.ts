import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// What `npx madge --circular --extensions ts src` checks, without the dependency: no import cycle
// among src's modules, type-only imports and re-exports included (a type cycle still ties the
// modules' declarations together and made model.ts -> convNet.ts -> dataParallel.ts -> convNet.ts).

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? tsFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** An import or re-export of a relative module (its specifier in group 1). */
const IMPORT = /^\s*(?:import|export)\s[^;]*?from\s+'(\.[^']+)'/gms;

/** The relative modules a file imports or re-exports, as paths of .ts files. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers = [...text.matchAll(IMPORT)].map((m) => m[1] as string);
  return specifiers.map((s) => resolve(dirname(file), s.replace(/\.js$/, '.ts')));
}

/** Every cycle found by a depth-first search of `graph` (module -> modules it imports). */
function cyclesOf(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const found: string[][] = [];
  const visit = (f: string): void => {
    state.set(f, 'open');
    stack.push(f);
    for (const g of graph.get(f) ?? []) {
      if (!graph.has(g)) continue;
      if (state.get(g) === 'open') found.push([...stack.slice(stack.indexOf(g)), g]);
      else if (state.get(g) === undefined) visit(g);
    }
    stack.pop();
    state.set(f, 'done');
  };
  for (const f of graph.keys()) if (state.get(f) === undefined) visit(f);
  return found;
}

describe('module graph of src', () => {
  it('has no import cycle (type-only imports included)', () => {
    const files = tsFiles('src');
    expect(files.length).toBeGreaterThan(50);
    const graph = new Map(files.map((f) => [resolve(f), importsOf(f)]));
    // The contract imports no model (the old cycle ran model.ts -> convNet.ts -> dataParallel.ts -> convNet.ts).
    expect((graph.get(resolve('src/models/model.ts')) ?? []).filter((f) => f.includes('/tfjs/'))).toEqual([]);
    expect(cyclesOf(graph).map((c) => c.map((p) => relative('src', p)))).toEqual([]);
  });

  it('the search finds a cycle, type-only imports included', () => {
    const graph = new Map([
      ['model', ['convNet']],
      ['convNet', ['dataParallel']],
      ['dataParallel', ['convNet']],
    ]);
    expect(cyclesOf(graph)).toEqual([['convNet', 'dataParallel', 'convNet']]);
    const text =
      "import type { Network } from './convNet.js';\nexport {\n  a,\n  b,\n} from '../x/y.js';\nimport * as tf from '@tensorflow/tfjs';";
    expect([...text.matchAll(IMPORT)].map((m) => m[1])).toEqual(['./convNet.js', '../x/y.js']);
  });
});
