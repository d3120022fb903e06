/**
 * The command line of a benchmark or script. Each key of `defaults` is a flag: `--name value` for
 * a number or a string, `--name a,b` for a list (of numbers or strings, as its default), `--name`
 * alone for a boolean (whose default must be false). An unknown flag, a flag without its value, a
 * stray argument or a number that does not parse stops the run with the usage (exit 2): a misspelt
 * `--step 10` must not measure the defaults and print them as if they were what was asked.
 * `choices` lists the values a string or list flag may take.
 *
 *   const { steps, nets, 'no-write': noWrite } = benchArgs('npm run bench:x -- [--steps 5] [--nets a,b] [--no-write]',
 *     { steps: 5, nets: ['a', 'b'], 'no-write': false });
 */
import { parseArgs } from 'node:util';

type Value = number | string | boolean | readonly number[] | readonly string[];
type Parsed<D extends Readonly<Record<string, Value>>> = {
  -readonly [K in keyof D]: D[K] extends number
    ? number
    : D[K] extends boolean
      ? boolean
      : D[K] extends string
        ? string
        : D[K] extends readonly number[]
          ? number[]
          : string[];
};

export function benchArgs<const D extends Readonly<Record<string, Value>>>(
  usage: string,
  defaults: D,
  {
    choices = {},
    argv = process.argv.slice(2),
  }: { readonly choices?: { readonly [K in keyof D]?: readonly string[] }; readonly argv?: readonly string[] } = {},
): Parsed<D> {
  const stop = (why: string): never => {
    console.error(`${why}\nusage: ${usage}`);
    process.exit(2);
  };
  const number = (name: string, text: string): number => {
    const n = Number(text);
    return text.trim() === '' || !Number.isFinite(n) ? stop(`--${name}: expected a number, got ${JSON.stringify(text)}`) : n;
  };
  const options = Object.fromEntries(
    Object.entries(defaults).map(([name, value]) => [
      name,
      { type: typeof value === 'boolean' ? ('boolean' as const) : ('string' as const) },
    ]),
  );
  let values: Record<string, string | boolean | undefined> = {};
  try {
    ({ values } = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }) as { values: typeof values });
  } catch (e) {
    stop(e instanceof Error ? e.message : String(e));
  }
  const out: Record<string, Value> = {};
  for (const [name, fallback] of Object.entries(defaults)) {
    const given = values[name];
    if (given === undefined || typeof given === 'boolean') out[name] = given ?? fallback;
    else if (typeof fallback === 'number') out[name] = number(name, given);
    else if (Array.isArray(fallback)) {
      const items = given.split(',');
      if (items.some((s) => s.trim() === '')) stop(`--${name}: expected a comma-separated list, got ${JSON.stringify(given)}`);
      out[name] = typeof fallback[0] === 'number' ? items.map((s) => number(name, s)) : items;
    } else out[name] = given;
  }
  for (const [name, allowed] of Object.entries(choices) as [string, readonly string[] | undefined][]) {
    const value = out[name];
    const bad = (Array.isArray(value) ? value : [value]).filter((v) => !allowed?.includes(String(v)));
    if (bad.length > 0)
      stop(`--${name}: expected one of ${allowed?.join(', ') ?? ''}, got ${bad.map((v) => JSON.stringify(v)).join(', ')}`);
  }
  return out as Parsed<D>;
}
