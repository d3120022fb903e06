// The doc-snippet runner (scripts/snippets.ts), tested: no TypeScript block of the docs escapes
// it (a broad scan, independent of the runner's own parsing, finds every block that looks like
// TypeScript or JavaScript), the blocks it does not run are the ones allowed, and a broken
// snippet is reported with its file and line.
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { API_NOT_RUN } from '../../scripts/api-report.js';
import {
  findSnippets,
  formatValue,
  matches,
  moduleSource,
  ROOT,
  runSnippet,
  SnippetError,
  writeModules,
  type Snippet,
} from '../../scripts/snippets.js';
import { takeQueued } from './vitestShim.js';

/**
 * Snippets allowed to carry a `// not run:` marker, as `file: reason`, besides docs/api.md's
 * declaration listings. Add one only where running is impossible, and say so in the changelog.
 */
const ALLOWED_NOT_RUN: readonly string[] = [];

/** Every file under `root` with one of `exts`, skipping node_modules, .git, dist and dot folders. */
function filesUnder(root: string, dir: string, exts: readonly string[]): string[] {
  return readdirSync(dir).flatMap((name) => {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) return [];
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return filesUnder(root, path, exts);
    return exts.some((e) => name.endsWith(e)) ? [relative(root, path).split(sep).join('/')] : [];
  });
}

/** A fence opening a block of TypeScript or JavaScript, in Markdown or in a ` * ` doc comment. */
const CODE_FENCE = /^\s*(?:\*\s*)?(?:`{3,}|~{3,})\s*(ts|typescript|tsx|mts|cts|js|javascript|jsx|mjs|cjs)\b/i;

/** `file:line` of every fence that looks like TypeScript or JavaScript: Markdown anywhere, doc comments in src/. */
function codeFences(root: string): string[] {
  const found: string[] = [];
  const scan = (file: string, inComment: boolean): void => {
    readFileSync(join(root, file), 'utf8')
      .split('\n')
      .forEach((line, i) => {
        if (CODE_FENCE.test(line) && (!inComment || /^\s*\*/.test(line))) found.push(`${file}:${String(i + 1)}`);
      });
  };
  for (const f of filesUnder(root, root, ['.md'])) scan(f, false);
  for (const f of filesUnder(root, join(root, 'src'), ['.ts'])) scan(f, true);
  return found;
}

/** `file:line` of every `@example` tag in src/. */
function exampleTags(root: string): string[] {
  return filesUnder(root, join(root, 'src'), ['.ts']).flatMap((f) =>
    readFileSync(join(root, f), 'utf8')
      .split('\n')
      .flatMap((line, i) => (/^\s*\*\s*@example\b/.test(line) ? [`${f}:${String(i + 1)}`] : [])),
  );
}

describe('the doc-snippet runner', () => {
  const { snippets, problems } = findSnippets();

  it('takes every TypeScript or JavaScript block of the docs, and every @example', () => {
    const taken = new Set(snippets.map((s) => `${s.file}:${String(s.fence)}`));
    const missed = codeFences(ROOT).filter((f) => !taken.has(f));
    // A block in another language (```js, ```tsx) is not run: write it as ```ts.
    expect(missed).toEqual([]);
    const examples = exampleTags(ROOT);
    expect(examples.length).toBeGreaterThan(150);
    // Each @example is followed, in its comment, by a block the runner takes (problems lists those that are not).
    expect(problems).toEqual([]);
    const tsdoc = snippets.filter((s) => s.source === 'tsdoc');
    expect(tsdoc.length).toBeGreaterThanOrEqual(examples.length);
  });

  it("skips only docs/api.md's declaration listings and the allowed markers", () => {
    // docs/api.md holds one listing per entry point of package.json, each marked by its generator
    // (a listing without the marker is from an older report: npm run api:update).
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { exports: Record<string, unknown> };
    const entryPoints = Object.keys(pkg.exports).filter((k) => !k.endsWith('.json'));
    const listings = snippets.filter((s) => s.file === 'docs/api.md');
    expect(listings.length).toBe(entryPoints.length);
    const unmarked = listings.filter((s) => `// not run: ${s.notRun ?? ''}` !== API_NOT_RUN).map((s) => `docs/api.md:${String(s.line)}`);
    expect(unmarked).toEqual([]);
    const others = snippets
      .filter((s) => s.notRun !== undefined && !listings.includes(s))
      .map((s) => `${s.file}: ${s.notRun as string}`);
    expect(others).toEqual(ALLOWED_NOT_RUN);
  });

  it('prints values as the docs show them', () => {
    expect(formatValue(Int32Array.of(1, -2))).toBe('Int32Array [1, -2]');
    expect(formatValue({ a: 'x', b: [1, { c: null }], 'd-e': true })).toBe("{ a: 'x', b: [1, { c: null }], 'd-e': true }");
    expect(formatValue("it's\nok")).toBe("'it\\'s\\nok'");
    expect(matches('[1, 2, 3]', '[1, …]')).toBe(true);
    expect(matches('[1, 2, 3]', '[2, …]')).toBe(false);
    expect(matches('a   b', 'a b')).toBe(true);
  });

  describe('on a project with broken snippets', () => {
    const root = join(ROOT, '.tmp', `snippet-runner-${String(process.pid)}`);
    afterAll(() => rmSync(root, { recursive: true, force: true }));
    const write = (file: string, text: string): void => {
      mkdirSync(dirname(join(root, file)), { recursive: true });
      writeFileSync(join(root, file), text);
    };
    write('package.json', JSON.stringify({ exports: { '.': './dist/index.js', './extra': './dist/extra/index.js' } }));
    write('src/index.ts', 'export const one = 1;\n');
    write('src/extra/index.ts', 'export const two = 2;\n');
    write(
      'README.md',
      [
        '# A project', //                                    1
        '', //                                               2
        '```ts', //                                          3
        "import { one } from 'blindspots';", //              4
        "import { two } from 'blindspots/extra';", //        5
        'one + two; //=> 3', //                              6
        'one; //=> 2', //                                    7
        '```', //                                            8
        '', //                                               9
        '```typescript', //                                  10
        'const a = 1;', //                                   11
        "if (a > 0) throw new Error('boom');", //            12
        '```', //                                            13
        '', //                                               14
        '- a list', //                                       15
        '', //                                               16
        '  ```ts', //                                        17
        "  console.log('hi'); //=> hi", //                   18
        "  JSON.parse('{'); //=> throws SOME_CODE", //       19
        '  ```', //                                          20
        '', //                                               21
        '```ts', //                                          22
        '// not run: needs the network', //                  23
        "await fetch('https://example.org');", //            24
        '```', //                                            25
        '', //                                               26
        '```js', //                                          27
        'console.log(1);', //                                28
        '```', //                                            29
        '',
      ].join('\n'),
    );
    write(
      'src/thing.ts',
      [
        '/**', //                                            1
        ' * A thing.', //                                    2
        ' *', //                                             3
        ' * @example', //                                    4
        ' * ```ts', //                                       5
        " * import { one } from './index.js';", //           6
        ' * if (one > 1) console.log(one); //=> 1', //       7
        ' * ```', //                                         8
        ' */', //                                            9
        'export const thing = 1;', //                        10
        '', //                                               11
        '/**', //                                            12
        ' * @example', //                                    13
        ' * thing; // no block', //                          14
        ' */', //                                            15
        'export const other = 2;', //                        16
        '',
      ].join('\n'),
    );
    const found = findSnippets(root);
    const at = (file: string, line: number): Snippet => found.snippets.find((s) => s.file === file && s.line === line) as Snippet;

    it('finds the blocks, their first lines and the markers', () => {
      expect(found.snippets.map((s) => `${s.file}:${String(s.line)}${s.notRun === undefined ? '' : ` not run: ${s.notRun}`}`)).toEqual([
        'README.md:4',
        'README.md:11',
        'README.md:18',
        'README.md:23 not run: needs the network',
        'src/thing.ts:6',
      ]);
      expect(found.problems).toEqual([{ file: 'src/thing.ts', line: 13, message: '@example without a ```ts block' }]);
      expect(codeFences(root)).toContain('README.md:27');
    });

    const run = async (s: Snippet): Promise<string> => {
      const modules = writeModules([s], join(root, '.modules'), {
        runtime: join(ROOT, 'scripts', 'snippets.ts'),
        vitest: join(ROOT, 'test', 'docs', 'vitestShim.ts'),
      }, root);
      try {
        await runSnippet(s, modules.get(s) as string, { work: join(root, '.work'), queued: takeQueued });
        return 'ran';
      } catch (e) {
        return (e as Error).message.split('\n')[0] as string;
      }
    };

    it('reports a wrong //=> value with its file and line', async () => {
      expect(await run(at('README.md', 4))).toBe('README.md:7: the comment says //=> 2, the value is 1');
    });

    it('reports a thrown error at the line that threw', async () => {
      expect(await run(at('README.md', 11))).toBe('README.md:12: boom');
    });

    it('checks printed lines and thrown error codes', async () => {
      expect(await run(at('README.md', 18))).toMatch(/^README\.md:19: expected it to throw SOME_CODE, it threw undefined: /);
    });

    it('reports a //=> check that never ran, and resolves imports relative to a source file', async () => {
      expect(await run(at('src/thing.ts', 6))).toBe('src/thing.ts:7: this //=> check never ran');
    });

    it('refuses imports that are not entry points, and relative imports in Markdown', () => {
      const paths = { runtime: 'r.ts', vitest: 'v.ts' };
      const md: Snippet = { file: 'README.md', fence: 1, line: 2, source: 'markdown', code: "import { x } from 'blindspots/internal';" };
      expect(() => moduleSource(md, paths, root)).toThrow(SnippetError);
      expect(() => moduleSource(md, paths, root)).toThrow("README.md:2: 'blindspots/internal' is not an entry point");
      expect(() => moduleSource({ ...md, code: "import { x } from './x.js';" }, paths, root)).toThrow(/README\.md:2: a Markdown snippet imports '\.\/x\.js'/);
    });
  });
});
