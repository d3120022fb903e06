#!/usr/bin/env node
import { spawnSync } from 'node:child_process';
import { encoders } from '../encoders/registry.js';
import { BlindspotsError } from '../errors.js';
import { encodeCommand } from './encode.js';
import { reportCommand, studyCommand } from './study.js';
import { VERSION } from '../version.js';

const HELP = `blindspots ${VERSION} — blind spots of convolutional networks (Hoffer, Fine & Soudry 2018)

Usage:
  blindspots signals       list the registered signals (family, information, recovery)
  blindspots encode ...    encode an image dataset with a signal and export it (--help for more)
  blindspots study <config.json>     run a study (signals x models x seeds), resumable
  blindspots report <results.jsonl>  tables from a study: --format md|csv|json|svg
  blindspots env           print version, Node and the glibc tunables in use
  blindspots --version     print the version

On Linux the CLI runs with GLIBC_TUNABLES=glibc.malloc.hugetlb=1 (it relaunches itself once):
large arrays then avoid seconds of page faults. BLINDSPOTS_NO_HUGETLB=1 turns this off.
  blindspots --help        this text

More commands (study, report) arrive with the study runner.`;

/** The CLI's entry point; returns the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const [command] = argv;
  if (command === undefined || command === '--help' || command === '-h') {
    console.log(HELP);
    return 0;
  }
  if (command === '--version' || command === '-v') {
    console.log(VERSION);
    return 0;
  }
  if (command === 'env') {
    // What the process runs with, for bug reports and to check the huge-page relaunch.
    console.log(
      JSON.stringify({
        version: VERSION,
        node: process.version,
        platform: process.platform,
        glibcTunables: process.env.GLIBC_TUNABLES ?? null,
      }),
    );
    return 0;
  }
  if (command === 'signals') {
    for (const e of Object.values(encoders)) {
      console.log(`${e.name.padEnd(18)} ${e.domain.padEnd(6)} ${e.family.padEnd(16)} ${e.information.padEnd(9)} ${e.recovery}`);
    }
    return 0;
  }
  if (command === 'encode') return encodeCommand(argv.slice(1));
  if (command === 'study') return studyCommand(argv.slice(1));
  if (command === 'report') return reportCommand(argv.slice(1));
  console.error(`blindspots: unknown command '${command}'\n\n${HELP}`);
  return 2;
}

/**
 * On Linux, run the CLI with glibc's huge-page malloc (`GLIBC_TUNABLES=glibc.malloc.hugetlb=1`):
 * fresh 600 MB arrays then cost ~0.1 s instead of ~2-3 s of page faults (docs/performance.md).
 * The tunable is read at process start, so the CLI starts itself again once with it set.
 * `BLINDSPOTS_NO_HUGETLB=1` turns this off.
 */
function relaunchWithHugePages(): number | undefined {
  const env = process.env;
  if (process.platform !== 'linux' || env.BLINDSPOTS_NO_HUGETLB === '1' || (env.GLIBC_TUNABLES ?? '').includes('glibc.malloc.hugetlb'))
    return undefined;
  const script = process.argv[1];
  if (script === undefined) return undefined;
  const tunables =
    env.GLIBC_TUNABLES === undefined || env.GLIBC_TUNABLES === ''
      ? 'glibc.malloc.hugetlb=1'
      : `${env.GLIBC_TUNABLES}:glibc.malloc.hugetlb=1`;
  const r = spawnSync(process.execPath, [...process.execArgv, script, ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...env, GLIBC_TUNABLES: tunables },
  });
  return r.status ?? 1;
}

const relaunched = relaunchWithHugePages();
if (relaunched !== undefined) process.exit(relaunched);
try {
  process.exitCode = await main(process.argv.slice(2));
} catch (e) {
  // Typed errors are the user's to fix: print the message, not a stack.
  if (!(e instanceof BlindspotsError)) throw e;
  console.error(`blindspots: ${e.message}`);
  process.exitCode = 2;
}
