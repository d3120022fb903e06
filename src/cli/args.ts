import { fail } from '../errors.js';

/** Parsed `--key value` flags and positional arguments of a command. */
export interface ParsedArgs {
  readonly flags: ReadonlyMap<string, string>;
  readonly positional: readonly string[];
}

/**
 * Parses `--key value`, `--key=value` and bare `--switch` (value 'true' when the next word is
 * another flag or missing). Unknown flags are an error listing the known ones.
 */
export function parseArgs(command: string, argv: readonly string[], known: readonly string[]): ParsedArgs {
  const flags = new Map<string, string>();
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (!a.startsWith('--')) {
      positional.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const key = eq > 0 ? a.slice(2, eq) : a.slice(2);
    if (!known.includes(key))
      throw fail('INVALID_ARGUMENT', `blindspots ${command}`, `--${key}`, `one of ${known.map((k) => `--${k}`).join(', ')}`, a);
    if (eq > 0) flags.set(key, a.slice(eq + 1));
    else if (i + 1 < argv.length && !(argv[i + 1] as string).startsWith('--')) flags.set(key, argv[++i] as string);
    else flags.set(key, 'true');
  }
  return { flags, positional };
}

/** A number flag, checked. */
export function numberFlag(command: string, args: ParsedArgs, key: string): number | undefined {
  const raw = args.flags.get(key);
  if (raw === undefined) return undefined;
  const v = Number(raw);
  if (!Number.isFinite(v)) throw fail('INVALID_ARGUMENT', `blindspots ${command}`, `--${key}`, 'a number', JSON.stringify(raw));
  return v;
}
