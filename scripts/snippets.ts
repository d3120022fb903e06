/**
 * Docs that are executed: finds every TypeScript code block of the project's Markdown files
 * (README.md, docs/*.md, any other tracked .md) and every TSDoc code block of `src/` (each
 * `@example`), and turns each into a module that `test/docs/snippets.integration.test.ts` imports and runs.
 *
 *   npx tsx scripts/snippets.ts            # list the snippets (file:line) and the ones not run
 *   npx tsx scripts/snippets.ts --write d  # write the generated modules into folder d
 *
 * The conventions a snippet follows (docs/contributing.md says the same for authors):
 *
 * - **Self-contained.** Each snippet is its own module, run in its own scope in a fresh
 *   working folder: it defines the data it uses (tiny inline images, a few texts). Files a user
 *   brings (the CIFAR-10 binary folder, IDX files, a Yelp CSV, a study's results file) are there
 *   as small stand-ins in the snippet's folder under the names the docs use (FIXTURES); the
 *   Redis the docs name, `redis://localhost:6379`, is a redis-server the test starts.
 * - **Imports as a user writes them.** `blindspots` and its subpaths (`blindspots/encoders`,
 *   `/models`, `/data`, `/study`, `/vitest`) resolve to the source (`src/index.ts`,
 *   `src/<sub>/index.ts`), so nothing needs building. An example on an internal helper, which no
 *   entry point exports, imports it relative to its own file (`from './textCodec.js'`), as code
 *   inside the library would; Markdown snippets import only the public entry points.
 * - **Printed values are checked.** A line `expression; //=> value` (or `const x = …; //=> value`)
 *   fails unless the value prints as the comment shows it: strings in single quotes, arrays
 *   `[1, 2]`, typed arrays `Int32Array [1, 2]`, objects `{ key: value }` in key order; `…` stands
 *   for any text. `//=> throws CODE` expects a thrown error with that `code` (a text after the
 *   code must appear in its message). Plain `//` comments are prose.
 * - **Not run, visibly.** A snippet whose first line is `// not run: <reason>` is skipped, and
 *   the test lists every such marker: use it only where running is impossible.
 *
 * A failure names the Markdown or source file and the line of the failing statement.
 */
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/** The project root (this file is in scripts/). */
export const ROOT = resolve(import.meta.dirname, '..');

/** One TypeScript code block of the docs. */
export interface Snippet {
  /** The file holding it, relative to the root, with `/` separators. */
  readonly file: string;
  /** 1-based line of its opening fence in that file. */
  readonly fence: number;
  /** 1-based line of its first line of code. */
  readonly line: number;
  readonly source: 'markdown' | 'tsdoc';
  /** The code, fence and comment prefixes removed. */
  readonly code: string;
  /** The reason given by a first line `// not run: <reason>`, if any. */
  readonly notRun?: string;
}

/** A doc block the runner cannot take (an `@example` without a TypeScript block). */
export interface SnippetProblem {
  readonly file: string;
  readonly line: number;
  readonly message: string;
}

/** The fence languages that are TypeScript and run. */
const TS_LANGUAGES = new Set(['ts', 'typescript']);

/** Folders never searched for docs. */
const SKIPPED_DIRS = new Set(['node_modules', 'dist', 'out']);

const NOT_RUN = /^\s*\/\/\s*not run:\s*(.+?)\s*$/;

/** Every Markdown file of the project (dot folders, node_modules, dist and outputs left out). */
export function markdownFiles(root = ROOT): string[] {
  return walk(root, root, (f) => f.endsWith('.md'));
}

/** Every TypeScript source file under src/. */
export function sourceFiles(root = ROOT): string[] {
  return walk(root, join(root, 'src'), (f) => f.endsWith('.ts'));
}

function walk(root: string, dir: string, keep: (file: string) => boolean): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      if (name.startsWith('.') || SKIPPED_DIRS.has(name)) return [];
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return walk(root, path, keep);
      return keep(name) ? [relative(root, path).split(sep).join('/')] : [];
    });
}

/** A fenced code block: its opening line (0-based), language, and content lines (0-based). */
interface Fence {
  readonly open: number;
  readonly language: string;
  readonly first: number;
  readonly lines: readonly string[];
}

/** CommonMark-style fenced blocks of `lines` (a block left open runs to the end). */
function fences(lines: readonly string[]): Fence[] {
  const found: Fence[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = /^(\s*)(`{3,}|~{3,})\s*([^\s`]*)/.exec(lines[i] as string);
    if (m === null) continue;
    const indent = (m[1] as string).length;
    const marker = m[2] as string;
    const close = new RegExp(`^\\s*${marker[0] === '`' ? '`' : '~'}{${String(marker.length)},}\\s*$`);
    const body: string[] = [];
    let j = i + 1;
    while (j < lines.length && !close.test(lines[j] as string)) {
      const l = lines[j] as string;
      body.push(l.slice(Math.min(indent, l.length - l.trimStart().length)));
      j++;
    }
    found.push({ open: i, language: (m[3] as string).toLowerCase(), first: i + 1, lines: body });
    i = j;
  }
  return found;
}

function snippetOf(file: string, source: Snippet['source'], f: Fence): Snippet {
  const code = f.lines.join('\n');
  const notRun = NOT_RUN.exec(f.lines[0] ?? '')?.[1];
  return { file, fence: f.open + 1, line: f.first + 1, source, code, ...(notRun === undefined ? {} : { notRun }) };
}

/** The TypeScript blocks of a Markdown text. */
export function scanMarkdown(file: string, text: string): Snippet[] {
  return fences(text.split('\n'))
    .filter((f) => TS_LANGUAGES.has(f.language))
    .map((f) => snippetOf(file, 'markdown', f));
}

/**
 * The TypeScript blocks of a source file's doc comments (`/** … *\/`), and the `@example` tags
 * that hold none.
 */
export function scanTsdoc(file: string, text: string): { snippets: Snippet[]; problems: SnippetProblem[] } {
  const lines = text.split('\n');
  const snippets: Snippet[] = [];
  const problems: SnippetProblem[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^\s*\/\*\*/.test(lines[i] as string)) continue;
    let end = i;
    while (end < lines.length && !(lines[end] as string).includes('*/')) end++;
    // The comment's lines without their ` * ` prefix, at their own line numbers.
    const body = lines.map((l, k) => (k > i && k < end ? l.replace(/^\s*\* ?/, '') : ''));
    const blocks = fences(body.slice(0, end)).filter((f) => f.open > i);
    for (const f of blocks) if (TS_LANGUAGES.has(f.language)) snippets.push(snippetOf(file, 'tsdoc', f));
    for (let k = i + 1; k < end; k++) {
      if (!/^@example\b/.test(body[k] as string)) continue;
      const next = body.findIndex((l, n) => n > k && n < end && /^@\w+/.test(l));
      const until = next === -1 ? end : next;
      if (!blocks.some((f) => f.open > k && f.open < until && TS_LANGUAGES.has(f.language))) {
        problems.push({ file, line: k + 1, message: '@example without a ```ts block' });
      }
    }
    i = end;
  }
  return { snippets, problems };
}

/** Every snippet of the project, Markdown files first, and the doc blocks the runner cannot take. */
export function findSnippets(root = ROOT): { snippets: Snippet[]; problems: SnippetProblem[] } {
  const snippets = markdownFiles(root).flatMap((f) => scanMarkdown(f, readFileSync(join(root, f), 'utf8')));
  const problems: SnippetProblem[] = [];
  for (const f of sourceFiles(root)) {
    const found = scanTsdoc(f, readFileSync(join(root, f), 'utf8'));
    snippets.push(...found.snippets);
    problems.push(...found.problems);
  }
  return { snippets, problems };
}

/** The package's subpath entries (`blindspots/<sub>` → `src/<sub>/index.ts`). */
function subpaths(root: string): Set<string> {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { exports: Record<string, unknown> };
  return new Set(
    Object.keys(pkg.exports)
      .filter((k) => k.startsWith('./') && k !== './package.json')
      .map((k) => k.slice(2)),
  );
}

/** Where the generated modules find the runner's helpers. */
export interface ModulePaths {
  /** This file (its `check`). */
  readonly runtime: string;
  /** A stand-in for `vitest` whose `test` and `it` queue their bodies for the runner. */
  readonly vitest: string;
}

/** The error of a snippet that does not follow the conventions (a bad import, a bad `//=>`). */
export class SnippetError extends Error {
  override readonly name = 'SnippetError';
}

/**
 * The module that runs a snippet. Line 1 imports the runner's helpers; the snippet's line k is
 * the module's line k + 1, so a stack trace's line gives the doc's line (`docLine`).
 */
export function moduleSource(snippet: Snippet, paths: ModulePaths, root = ROOT): string {
  const subs = subpaths(root);
  const where = (k: number): string => `${snippet.file}:${String(snippet.line + k)}`;
  const specifier = (spec: string, k: number): string => {
    if (spec === 'blindspots') return join(root, 'src', 'index.ts');
    if (spec.startsWith('blindspots/')) {
      const sub = spec.slice('blindspots/'.length);
      if (!subs.has(sub)) throw new SnippetError(`${where(k)}: '${spec}' is not an entry point of the package`);
      return join(root, 'src', sub, 'index.ts');
    }
    if (spec === 'vitest') return paths.vitest;
    if (spec.startsWith('.')) {
      if (snippet.source === 'markdown') {
        throw new SnippetError(`${where(k)}: a Markdown snippet imports '${spec}'; import from 'blindspots' or its subpaths`);
      }
      return resolve(root, dirname(snippet.file), spec.replace(/\.js$/, '.ts'));
    }
    return spec;
  };
  const code = snippet.code.split('\n');
  // A line holding only `//=> value` states the value of the line above it.
  const ONLY = /^\s*\/\/=>/;
  const below = (k: number): string | undefined => {
    const next = code[k + 1];
    return next !== undefined && ONLY.test(next) ? next.trim().slice(4).trim() : undefined;
  };
  const checks: string[] = [];
  const lines = code.map((line, k) => {
    const imported = line.replace(
      /(\bfrom\s+|\bimport\s+|\bimport\s*\(\s*)(['"])([^'"]+)\2/g,
      (_m, lead: string, q: string, spec: string) => `${lead}${q}${specifier(spec, k)}${q}`,
    );
    if (ONLY.test(line)) return imported;
    const at = imported.indexOf('//=>');
    const expected = at === -1 ? below(k) : imported.slice(at + 4).trim();
    if (expected === undefined) return imported;
    checks.push(where(k));
    return checked(at === -1 ? imported : imported.slice(0, at).trimEnd(), expected, where(k));
  });
  const helpers = 'check as __check, logged as __logged, expectChecks as __expectChecks';
  const header = `import { ${helpers} } from ${JSON.stringify(paths.runtime)}; __expectChecks(${JSON.stringify(checks)});`;
  return [header, ...lines, 'export {};', ''].join('\n');
}

/**
 * A line `statement; //=> expected` rewritten to run the statement and check its value: what a
 * `console.log` on it prints, the variable a declaration defines, or the expression's value.
 */
function checked(code: string, expected: string, where: string): string {
  const m = /^(\s*)(.*?);?$/.exec(code) as RegExpExecArray;
  const indent = m[1] as string;
  const statement = m[2] as string;
  const args = `${JSON.stringify(expected)}, ${JSON.stringify(where)}`;
  const logs = statement.split('console.log(').length - 1;
  if (logs > 1) throw new SnippetError(`${where}: '//=>' after more than one console.log`);
  if (logs === 1) return `${indent}${statement.replace('console.log(', `__logged(${args}, `)};`;
  const declaration = /^(const|let|var)\s+([A-Za-z_$][\w$]*)\s*(?::[^=]+)?=\s*(.+)$/.exec(statement);
  if (declaration !== null) {
    if (expected.startsWith('throws')) throw new SnippetError(`${where}: '//=> throws' on a declaration; write the call as a statement`);
    return `${indent}${statement}; await __check(async () => ${declaration[2] as string}, ${args});`;
  }
  if (/^(const|let|var)\s/.test(statement)) throw new SnippetError(`${where}: '//=>' on a destructuring; check one expression`);
  if (statement === '') throw new SnippetError(`${where}: '//=>' needs a statement before it`);
  return `${indent}await __check(async () => (${statement}), ${args});`;
}

/** The doc line of line `moduleLine` of a snippet's generated module. */
export function docLine(snippet: Snippet, moduleLine: number): number {
  return snippet.line + Math.max(0, moduleLine - 2);
}

/** A value printed as the docs show it (see the header): the text `//=>` comments are checked against. */
export function formatValue(value: unknown): string {
  if (typeof value === 'string') return `'${value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/'/g, "\\'")}'`;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return `[${value.map(formatValue).join(', ')}]`;
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    const items = Array.from(value as unknown as ArrayLike<number>, (v) => formatValue(v));
    return `${value.constructor.name} [${items.join(', ')}]`;
  }
  if (typeof value === 'object') {
    const proto = Object.getPrototypeOf(value) as object | null;
    const entries = Object.entries(value).map(([k, v]) => `${/^[A-Za-z_$][\w$]*$/.test(k) ? k : `'${k}'`}: ${formatValue(v)}`);
    const body = entries.length === 0 ? '{}' : `{ ${entries.join(', ')} }`;
    return proto === Object.prototype || proto === null ? body : `${value.constructor.name} ${body}`;
  }
  if (typeof value === 'function') return `[Function ${value.name}]`;
  return (value as symbol).toString();
}

/** Whether `actual` reads as `expected`: equal up to whitespace, `…` matching any text. */
export function matches(actual: string, expected: string, whole = true): boolean {
  const norm = (s: string): string => s.replace(/\s+/g, ' ').trim();
  const pattern = norm(expected)
    .split('…')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*?');
  return new RegExp(whole ? `^${pattern}$` : pattern, 's').test(norm(actual));
}

/** The `//=>` checks of the modules run so far that have not run yet (file:line). */
const unreached = new Set<string>();

/** Called first by each generated module: the checks it holds, each of which must run. */
export function expectChecks(wheres: readonly string[]): void {
  for (const w of wheres) unreached.add(w);
}

/** The checks declared by the modules run so far that never ran (in a branch not taken), and forgets them. */
export function takeUnreached(): string[] {
  const left = [...unreached];
  unreached.clear();
  return left;
}

/** The check behind `//=>` on a value (see the header). */
export async function check(run: () => Promise<unknown>, expected: string, where: string): Promise<void> {
  unreached.delete(where);
  const throws = /^throws\s+([A-Z_]+)\s*(.*)$/.exec(expected);
  let value: unknown;
  try {
    value = await run();
  } catch (e) {
    if (throws === null) throw e;
    const code = (e as { code?: unknown }).code;
    const message = e instanceof Error ? e.message : String(e);
    if (code !== throws[1])
      throw new SnippetError(`${where}: expected it to throw ${throws[1] as string}, it threw ${String(code)}: ${message}`);
    if (throws[2] !== '' && !matches(message, throws[2] as string, false)) {
      throw new SnippetError(
        `${where}: expected the ${throws[1] as string} message to contain ${throws[2] as string}, it reads: ${message}`,
      );
    }
    return;
  }
  if (throws !== null) throw new SnippetError(`${where}: expected it to throw ${throws[1] as string}, it returned ${formatValue(value)}`);
  const actual = formatValue(value);
  if (!matches(actual, expected)) throw new SnippetError(`${where}: the comment says //=> ${expected}, the value is ${actual}`);
}

/** `console.log` with a `//=>` comment: prints, and checks the printed line (strings as they are, other values formatted). */
export function logged(expected: string, where: string, ...args: unknown[]): void {
  unreached.delete(where);
  console.log(...args);
  const printed = args.map((a) => (typeof a === 'string' ? a : formatValue(a))).join(' ');
  if (!matches(printed, expected)) throw new SnippetError(`${where}: the comment says //=> ${expected}, it printed ${printed}`);
}

/** Where and with what a snippet runs (see {@link runSnippet}). */
export interface RunOptions {
  /** An empty folder: the snippet's working folder, removed afterwards. */
  readonly work: string;
  /** Stand-ins for the user's files: each one the snippet's code names is copied into `work`. */
  readonly fixtures?: { readonly dir: string; readonly names: readonly string[] };
  /** The tests a snippet's `test(...)` queued (the vitest stand-in's `takeQueued`). */
  readonly queued?: () => readonly { readonly body: () => unknown }[];
}

/** A snippet's error, naming the doc file and the line of the statement that failed. */
function located(s: Snippet, path: string, e: unknown, output: readonly string[]): Error {
  if (e instanceof SnippetError) return e;
  const err = e instanceof Error ? e : new Error(String(e));
  const escaped = path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const m = new RegExp(`${escaped}:(\\d+)`).exec(`${err.message}\n${err.stack ?? ''}`);
  const line = m === null ? s.line : docLine(s, Number(m[1]));
  const printed = output.length === 0 ? '' : `\nIt printed:\n${output.join('\n')}`;
  return new Error(`${s.file}:${String(line)}: ${err.message}${printed}`, { cause: err });
}

/**
 * Runs a snippet's generated module (`path`, from {@link writeModules}) in `options.work`, then
 * the tests it queued; console output is captured and returned. A failure is an error whose
 * message starts with the doc file and the line of the statement that failed.
 */
export async function runSnippet(s: Snippet, path: string, options: RunOptions): Promise<string[]> {
  const { work, fixtures } = options;
  mkdirSync(work, { recursive: true });
  if (fixtures !== undefined) {
    for (const f of fixtures.names) if (s.code.includes(f)) cpSync(join(fixtures.dir, f), join(work, f), { recursive: true });
  }
  const output: string[] = [];
  const methods = ['log', 'info', 'warn', 'error', 'debug'] as const;
  const saved = methods.map((m) => Object.getOwnPropertyDescriptor(console, m) as PropertyDescriptor);
  for (const m of methods) console[m] = (...args: unknown[]): void => void output.push(args.map(String).join(' '));
  const cwd = process.cwd();
  process.chdir(work);
  takeUnreached();
  try {
    await import(path);
    for (const t of options.queued?.() ?? []) await t.body();
    const unreached = takeUnreached();
    if (unreached.length > 0) throw new SnippetError(`${unreached.join(', ')}: this //=> check never ran`);
  } catch (e) {
    throw located(s, path, e, output);
  } finally {
    process.chdir(cwd);
    methods.forEach((m, k) => Object.defineProperty(console, m, saved[k] as PropertyDescriptor));
    rmSync(work, { recursive: true, force: true });
  }
  return output;
}

/** The generated module's file name for a snippet. */
export function moduleName(snippet: Snippet): string {
  return `${snippet.file.replace(/[^\w.-]+/g, '_')}_${String(snippet.line)}.ts`;
}

/** Writes the modules of `snippets` (those that run) into `dir`; returns their paths by snippet. */
export function writeModules(snippets: readonly Snippet[], dir: string, paths: ModulePaths, root = ROOT): Map<Snippet, string> {
  mkdirSync(dir, { recursive: true });
  const out = new Map<Snippet, string>();
  for (const s of snippets) {
    if (s.notRun !== undefined) continue;
    const path = join(dir, moduleName(s));
    writeFileSync(path, moduleSource(s, paths, root));
    out.set(s, path);
  }
  return out;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  const { snippets, problems } = findSnippets();
  const at = process.argv.indexOf('--write');
  if (at !== -1) {
    const dir = resolve(process.argv[at + 1] ?? '.tmp/snippets');
    const written = writeModules(snippets, dir, { runtime: import.meta.filename, vitest: join(ROOT, 'test', 'docs', 'vitestShim.ts') });
    console.log(`${String(written.size)} modules in ${dir}`);
  } else {
    for (const s of snippets)
      console.log(`${s.file}:${String(s.line)} ${s.source}${s.notRun === undefined ? '' : ` — not run: ${s.notRun}`}`);
    const count = (source: Snippet['source']): number => snippets.filter((s) => s.source === source && s.notRun === undefined).length;
    console.log(
      `\n${String(count('markdown'))} Markdown blocks and ${String(count('tsdoc'))} TSDoc blocks run; ${String(snippets.filter((s) => s.notRun !== undefined).length)} not run`,
    );
  }
  for (const p of problems) console.error(`${p.file}:${String(p.line)}: ${p.message}`);
  if (problems.length > 0) process.exitCode = 1;
}
