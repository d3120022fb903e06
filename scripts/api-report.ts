/**
 * The public API surface of every package entry point (package.json `exports`): each exported
 * name with its kind and type, classes and interfaces with their public members. `docs/api.md` is
 * this report; a test regenerates it and fails on any difference, so the public surface changes
 * only on purpose (run `npm run api:update` and commit the new report with the change).
 *
 *   npx tsx scripts/api-report.ts [--write]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import ts from 'typescript';

const root = resolve(import.meta.dirname, '..');
const REPORT = join(root, 'docs', 'api.md');

/** The entry points: `exports` keys mapped to their source files. */
function entryPoints(): { name: string; file: string }[] {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { exports: Record<string, unknown> };
  return (
    Object.keys(pkg.exports)
      // Code entry points only: package.json and the study file's JSON Schema are data.
      .filter((k) => !k.endsWith('.json'))
      .map((k) => {
        const sub = k === '.' ? '' : k.slice(2);
        return { name: k === '.' ? 'blindspots' : `blindspots/${sub}`, file: join(root, 'src', sub, 'index.ts') };
      })
  );
}

/** The first line of each listing: the doc-snippet runner (scripts/snippets.ts) does not run it. */
export const API_NOT_RUN = '// not run: a listing of declarations, not a program (test/api.test.ts checks it against the code)';

const FLAGS =
  ts.TypeFormatFlags.NoTruncation | ts.TypeFormatFlags.UseAliasDefinedOutsideCurrentScope | ts.TypeFormatFlags.WriteArrayAsGenericType;

function kindOf(symbol: ts.Symbol): string {
  const f = symbol.flags;
  if (f & ts.SymbolFlags.Class) return 'class';
  if (f & ts.SymbolFlags.Function) return 'function';
  if (f & ts.SymbolFlags.Interface) return 'interface';
  if (f & ts.SymbolFlags.TypeAlias) return 'type';
  if (f & ts.SymbolFlags.Enum) return 'enum';
  if (f & ts.SymbolFlags.Variable) return 'const';
  return 'other';
}

function isPublic(decl: ts.Declaration | undefined): boolean {
  if (decl === undefined) return true;
  // Members inherited from the platform (Error's message, stack, captureStackTrace) are not ours.
  if (!decl.getSourceFile().fileName.startsWith(join(root, 'src'))) return false;
  const mods = ts.canHaveModifiers(decl) ? (ts.getModifiers(decl) ?? []) : [];
  if (mods.some((m) => m.kind === ts.SyntaxKind.PrivateKeyword || m.kind === ts.SyntaxKind.ProtectedKeyword)) return false;
  const name = (decl as { name?: ts.Node }).name;
  if (name !== undefined && ts.isPrivateIdentifier(name)) return false;
  // `@internal` members are not part of the surface.
  return !ts.getJSDocTags(decl).some((t) => t.tagName.text === 'internal');
}

/** One entry's lines: its signature and, for classes and interfaces, its public members. */
function describeSymbol(checker: ts.TypeChecker, symbol: ts.Symbol, at: ts.Node): string[] {
  const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
  const kind = kindOf(target);
  const name = symbol.getName();
  const decl = target.declarations?.[0];
  if (kind === 'function' || kind === 'const') {
    const type = checker.getTypeOfSymbolAtLocation(target, at);
    const sigs = type.getCallSignatures();
    if (kind === 'function' || (sigs.length > 0 && type.getProperties().length === 0)) {
      return sigs.map((s) => `${kind} ${name}${checker.signatureToString(s, undefined, FLAGS)}`);
    }
    return [`const ${name}: ${checker.typeToString(type, undefined, FLAGS)}`];
  }
  if (kind === 'type') {
    const type = checker.getDeclaredTypeOfSymbol(target);
    const text =
      decl !== undefined && ts.isTypeAliasDeclaration(decl)
        ? decl.type.getText().replace(/\s+/g, ' ')
        : checker.typeToString(type, undefined, FLAGS);
    return [`type ${name} = ${text}`];
  }
  if (kind === 'class' || kind === 'interface') {
    const lines = [`${kind} ${name}`];
    const type = checker.getDeclaredTypeOfSymbol(target);
    if (kind === 'class') {
      const ctorType = checker.getTypeOfSymbolAtLocation(target, at);
      for (const s of ctorType.getConstructSignatures()) lines.push(`  constructor${checker.signatureToString(s, undefined, FLAGS)}`);
      for (const p of ctorType.getProperties()) {
        if (p.getName() === 'prototype' || !isPublic(p.declarations?.[0])) continue;
        lines.push(`  static ${p.getName()}: ${checker.typeToString(checker.getTypeOfSymbolAtLocation(p, at), undefined, FLAGS)}`);
      }
    }
    for (const p of type.getProperties()) {
      const d = p.declarations?.[0];
      if (!isPublic(d)) continue;
      const t = checker.getTypeOfSymbolAtLocation(p, at);
      const sigs = t.getCallSignatures();
      const readonly =
        d !== undefined && ts.canHaveModifiers(d) && (ts.getModifiers(d) ?? []).some((m) => m.kind === ts.SyntaxKind.ReadonlyKeyword);
      const optional = (p.flags & ts.SymbolFlags.Optional) !== 0 ? '?' : '';
      if ((p.flags & ts.SymbolFlags.Method) !== 0 && sigs.length > 0) {
        for (const s of sigs) lines.push(`  ${p.getName()}${optional}${checker.signatureToString(s, undefined, FLAGS)}`);
      } else {
        lines.push(`  ${readonly ? 'readonly ' : ''}${p.getName()}${optional}: ${checker.typeToString(t, undefined, FLAGS)}`);
      }
    }
    return lines;
  }
  return [`${kind} ${name}`];
}

/** The report's text. */
export function apiReport(): string {
  const entries = entryPoints();
  const config = ts.parseJsonConfigFileContent(
    ts.readConfigFile(join(root, 'tsconfig.build.json'), (path) => ts.sys.readFile(path)).config,
    ts.sys,
    root,
  );
  const program = ts.createProgram(
    entries.map((e) => e.file),
    { ...config.options, noEmit: true },
  );
  const checker = program.getTypeChecker();
  const out = [
    '# Public API surface',
    '',
    'Generated by `npm run api:update` (scripts/api-report.ts) from the entry points in package.json `exports`. A test fails when the',
    "code's surface differs from this file: change it on purpose, regenerate, and say so in CHANGELOG.md.",
    '',
  ];
  for (const e of entries) {
    const source = program.getSourceFile(e.file);
    if (source === undefined) throw new Error(`no source file ${e.file}`);
    const moduleSymbol = checker.getSymbolAtLocation(source);
    if (moduleSymbol === undefined) throw new Error(`${e.file} is not a module`);
    const exports = checker.getExportsOfModule(moduleSymbol).sort((a, b) => a.getName().localeCompare(b.getName()));
    // The listing is TypeScript to read, not a program: the doc-snippet runner skips it, by this marker.
    out.push(`## ${e.name} (${String(exports.length)} names)`, '', '```ts', API_NOT_RUN);
    for (const s of exports) out.push(...describeSymbol(checker, s, source));
    out.push('```', '');
  }
  return `${out.join('\n')}`;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  const text = apiReport();
  if (process.argv.includes('--write')) {
    writeFileSync(REPORT, text);
    console.log(`wrote ${REPORT}`);
  } else {
    process.stdout.write(text);
  }
}
