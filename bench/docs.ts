import { readFileSync, writeFileSync } from 'node:fs';

/** The body of a benchmark's section of docs/performance.md (between its markers), if there is one. */
export function readPerformanceSection(name: string): string | undefined {
  const m = new RegExp(`<!-- bench:${name}:start -->\\n([\\s\\S]*?)\\n<!-- bench:${name}:end -->`).exec(
    readFileSync('docs/performance.md', 'utf8'),
  );
  return m?.[1];
}

/**
 * Puts a benchmark's section into docs/performance.md between its markers
 * (`<!-- bench:NAME:start -->` … `<!-- bench:NAME:end -->`), replacing what was there, or appends
 * it under `heading` the first time. Returns the path written.
 */
export function writePerformanceSection(name: string, body: string, heading: string): string {
  const path = 'docs/performance.md';
  const start = `<!-- bench:${name}:start -->`;
  const end = `<!-- bench:${name}:end -->`;
  const section = `${start}\n${body}\n${end}`;
  const doc = readFileSync(path, 'utf8');
  const re = new RegExp(`${start}[\\s\\S]*${end}`);
  writeFileSync(path, re.test(doc) ? doc.replace(re, () => section) : `${doc.trimEnd()}\n\n## ${heading}\n\n${section}\n`);
  return path;
}
