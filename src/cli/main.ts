#!/usr/bin/env node
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
  blindspots --version     print the version
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

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (e) {
  // Typed errors are the user's to fix: print the message, not a stack.
  if (!(e instanceof BlindspotsError)) throw e;
  console.error(`blindspots: ${e.message}`);
  process.exitCode = 2;
}
