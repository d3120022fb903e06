import { resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, expectTypeOf, it } from 'vitest';
import * as DataModule from '../src/data/index.js';
import * as EncodersModule from '../src/encoders/index.js';
import { BlindspotsError } from '../src/errors.js';
import * as RootModule from '../src/index.js';
import * as ModelsModule from '../src/models/index.js';
import * as VitestModule from '../src/vitest/index.js';

// Every subpath exports the types its functions take and return and the error class they throw
// (issue #26, finding 6): `import { BlindspotsError, type ImageArray } from 'blindspots/encoders'`
// and `type FeatureMatrix` from 'blindspots/models' were TS2305 errors, `BlindspotsError` from
// 'blindspots/models' a run-time SyntaxError. The entries are checked from their sources, which
// are what package.json `exports` builds (blindspots/<sub> -> src/<sub>/index.ts).

/** The entries this check covers: every code entry of package.json. */
const ENTRIES = ['', 'encoders', 'models', 'data', 'vitest', 'study', 'queue'] as const;

/**
 * Types an entry may name without exporting: local aliases of built-in types, which a user writes
 * out (`Float32Array | Uint8Array | Int32Array` for writeNpy's data).
 */
const ALLOWED: Readonly<Record<string, readonly string[]>> = { data: ['NpyArray'] };

/** The library's named types that the exports of `entry` use in their signatures but the entry does not export. */
function missingTypes(program: ts.Program, entry: string): string[] {
  const checker = program.getTypeChecker();
  const srcDir = resolve('src');
  const file = program.getSourceFile(resolve('src', entry, 'index.ts'));
  if (file === undefined) throw new Error(`no entry ${entry}`);
  const moduleSymbol = checker.getSymbolAtLocation(file);
  if (moduleSymbol === undefined) throw new Error(`${entry} is not a module`);
  const resolveAlias = (s: ts.Symbol): ts.Symbol => (s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s);
  const exportsOf = checker.getExportsOfModule(moduleSymbol);
  const exported = new Set(exportsOf.map(resolveAlias));
  const ours = (s: ts.Symbol | undefined): boolean => s?.declarations?.some((d) => d.getSourceFile().fileName.startsWith(srcDir)) === true;
  const isPublic = (d: ts.Declaration | undefined): boolean => {
    if (d === undefined || !d.getSourceFile().fileName.startsWith(srcDir)) return false;
    const mods = ts.canHaveModifiers(d) ? (ts.getModifiers(d) ?? []) : [];
    if (mods.some((m) => m.kind === ts.SyntaxKind.PrivateKeyword || m.kind === ts.SyntaxKind.ProtectedKeyword)) return false;
    const name = (d as { name?: ts.Node }).name;
    return !(name !== undefined && ts.isPrivateIdentifier(name)) && !ts.getJSDocTags(d).some((t) => t.tagName.text === 'internal');
  };
  const missing = new Set<string>();
  const seen = new Set<ts.Type>();
  const named = (t: ts.Type, depth: number): void => {
    if (seen.has(t) || depth > 4) return;
    seen.add(t);
    if (t.aliasSymbol !== undefined) {
      if (ours(t.aliasSymbol) && !exported.has(t.aliasSymbol)) missing.add(t.aliasSymbol.getName());
      for (const a of t.aliasTypeArguments ?? []) named(a, depth + 1);
      return;
    }
    if (t.flags & ts.TypeFlags.TypeParameter) return;
    if (t.isUnionOrIntersection()) {
      for (const u of t.types) named(u, depth + 1);
      return;
    }
    const symbol = t.getSymbol();
    if (symbol !== undefined && symbol.flags & (ts.SymbolFlags.Interface | ts.SymbolFlags.Class | ts.SymbolFlags.Enum)) {
      if (ours(symbol) && !exported.has(symbol)) missing.add(symbol.getName());
      for (const a of checker.getTypeArguments(t as ts.TypeReference)) named(a, depth + 1);
      return;
    }
    // An anonymous object or function type: what it takes and gives.
    for (const sig of [...t.getCallSignatures(), ...t.getConstructSignatures()]) signature(sig, depth + 1);
    if (symbol !== undefined && symbol.flags & ts.SymbolFlags.TypeLiteral)
      for (const p of t.getProperties()) named(checker.getTypeOfSymbolAtLocation(p, file), depth + 1);
  };
  const signature = (sig: ts.Signature, depth: number): void => {
    for (const p of sig.getParameters()) named(checker.getTypeOfSymbolAtLocation(p, file), depth);
    named(sig.getReturnType(), depth);
  };
  const members = (t: ts.Type): void => {
    for (const p of t.getProperties()) {
      if (!isPublic(p.declarations?.[0])) continue;
      const pt = checker.getTypeOfSymbolAtLocation(p, file);
      if (p.flags & ts.SymbolFlags.Method) for (const sig of pt.getCallSignatures()) signature(sig, 1);
      else named(pt, 1);
    }
  };
  for (const s of exportsOf) {
    const target = resolveAlias(s);
    if (target.flags & ts.SymbolFlags.Function) {
      for (const sig of checker.getTypeOfSymbolAtLocation(target, file).getCallSignatures()) signature(sig, 0);
    } else if (target.flags & ts.SymbolFlags.Class) {
      for (const sig of checker.getTypeOfSymbolAtLocation(target, file).getConstructSignatures()) signature(sig, 0);
      members(checker.getDeclaredTypeOfSymbol(target));
    } else if (target.flags & ts.SymbolFlags.Interface) {
      members(checker.getDeclaredTypeOfSymbol(target));
    } else if (target.flags & ts.SymbolFlags.Variable) {
      const t = checker.getTypeOfSymbolAtLocation(target, file);
      if (t.getCallSignatures().length > 0) for (const sig of t.getCallSignatures()) signature(sig, 0);
      else named(t, 0);
    }
  }
  return [...missing].filter((n) => !(ALLOWED[entry] ?? []).includes(n)).sort();
}

describe('every subpath exports the types it takes and the error class it throws (issue #26)', () => {
  it('exports BlindspotsError from every subpath of the library code (it was undefined from models, encoders, data)', () => {
    const entries = { root: RootModule, encoders: EncodersModule, models: ModelsModule, data: DataModule, vitest: VitestModule };
    for (const [name, mod] of Object.entries(entries)) expect((mod as Record<string, unknown>).BlindspotsError, name).toBe(BlindspotsError);
  });

  it('the imports of the issue compile, and name the same types as the root', () => {
    expectTypeOf<EncodersModule.ImageArray>().toEqualTypeOf<RootModule.ImageArray>();
    expectTypeOf<EncodersModule.BlindspotsError>().toEqualTypeOf<RootModule.BlindspotsError>();
    expectTypeOf<ModelsModule.FeatureMatrix>().toEqualTypeOf<RootModule.FeatureMatrix>();
    expectTypeOf<ModelsModule.LabelsInput>().toEqualTypeOf<RootModule.LabelsInput>();
    expectTypeOf<DataModule.ImageArray>().toEqualTypeOf<RootModule.ImageArray>();
    expectTypeOf<DataModule.Seed>().toEqualTypeOf<RootModule.Seed>();
    expectTypeOf<VitestModule.ImageInput>().toEqualTypeOf<RootModule.ImageInput>();
    expectTypeOf<VitestModule.EncoderName>().toEqualTypeOf<RootModule.EncoderName>();
  });

  it('no export of an entry uses a library type the entry does not export', () => {
    const program = ts.createProgram(
      ENTRIES.map((e) => resolve('src', e, 'index.ts')),
      {
        strict: true,
        exactOptionalPropertyTypes: true,
        module: ts.ModuleKind.NodeNext,
        moduleResolution: ts.ModuleResolutionKind.NodeNext,
        target: ts.ScriptTarget.ES2022,
        skipLibCheck: true,
        noEmit: true,
        types: ['node'],
        paths: { '#platform': ['./src/platform/node.ts'] },
        baseUrl: '.',
      },
    );
    const gaps = Object.fromEntries(ENTRIES.map((e) => [`blindspots${e === '' ? '' : `/${e}`}`, missingTypes(program, e)]));
    expect(gaps).toEqual(Object.fromEntries(ENTRIES.map((e) => [`blindspots${e === '' ? '' : `/${e}`}`, []])));
  }, 180_000);
});
