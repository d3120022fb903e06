/**
 * The project's test command, one tier at a time, timed: `npm test` runs the unit tier,
 * `npm run test:all` the unit and integration tiers (what CI runs). The checks run in two lanes
 * on the two cores this project is built on — type-aware ESLint (cached in node_modules/.cache, so
 * only a clean clone lints everything) beside tsc on the library, tsc on the explorer page and
 * prettier — then vitest; every step runs even when
 * one before it failed, so one run reports every failure. Prints each step's time and the total,
 * against the unit tier's budget of 3 minutes on the 2-core machine (docs/contributing.md).
 *
 *   npx tsx scripts/test-tier.ts unit|all [vitest arguments…]
 */
import { spawn } from 'node:child_process';

const UNIT_BUDGET_SECONDS = 180;

const [tier, ...vitestArgs] = process.argv.slice(2);
if (tier !== 'unit' && tier !== 'all') {
  console.error('usage: npx tsx scripts/test-tier.ts unit|all [vitest arguments…]');
  process.exit(2);
}

interface Step {
  readonly name: string;
  readonly command: readonly string[];
  /** Print the output as it comes (vitest's progress) instead of once the step is over. */
  readonly live?: boolean;
}
interface Outcome {
  readonly name: string;
  readonly code: number;
  readonly seconds: number;
}

const bin = (name: string): string => `node_modules/.bin/${name}`;

/** Runs one step; a step whose output is buffered prints it whole, so parallel steps do not interleave. */
function run(step: Step): Promise<Outcome> {
  const started = performance.now();
  return new Promise((resolve) => {
    const [command = '', ...args] = step.command;
    const child = spawn(command, args, { stdio: step.live === true ? 'inherit' : ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    const finish = (code: number): void => {
      const seconds = (performance.now() - started) / 1000;
      if (step.live !== true) {
        const mark = code === 0 ? 'ok' : `FAILED (exit ${String(code)})`;
        process.stdout.write(`\n> ${step.name}: ${mark}, ${seconds.toFixed(1)} s\n${code === 0 ? '' : output}`);
      }
      resolve({ name: step.name, code, seconds });
    };
    child.on('error', (e) => {
      output += `${e.message}\n`;
      finish(127);
    });
    child.on('close', (code) => finish(code ?? 1));
  });
}

const wall = performance.now();
// Two lanes for the two cores: ESLint alone (the longest check) beside tsc, tsc on the page, prettier.
const [tscLane, lintLane] = await Promise.all([
  (async () => [
    await run({ name: 'typecheck (tsc: library, tests, scripts)', command: [bin('tsc'), '-p', 'tsconfig.json', '--noEmit'] }),
    await run({
      name: 'typecheck (tsc: the explorer page)',
      command: [bin('tsc'), '-p', 'examples/explorer/page/tsconfig.json', '--noEmit'],
    }),
    await run({ name: 'format (prettier --check)', command: ['npm', 'run', '--silent', 'format:check'] }),
  ])(),
  // --cache: a rerun lints only what changed (node_modules/.cache, so a clean clone starts cold).
  run({
    name: 'lint (eslint, type-aware)',
    command: [bin('eslint'), '--cache', '--cache-location', 'node_modules/.cache/eslint/', 'src', 'test', 'bench', 'examples', 'scripts'],
  }),
]);
const projects = tier === 'unit' ? ['--project', 'unit'] : [];
console.log(`\n> vitest: the ${tier === 'unit' ? 'unit tier' : 'unit and integration tiers'}`);
const vitest = await run({ name: 'vitest', command: [bin('vitest'), 'run', ...projects, ...vitestArgs], live: true });

const outcomes = [...tscLane, lintLane, vitest];
const total = (performance.now() - wall) / 1000;
const failed = outcomes.filter((o) => o.code !== 0);
console.log(`\n${tier === 'unit' ? 'npm test (unit tier)' : 'npm run test:all (unit and integration tiers)'}:`);
for (const o of outcomes) console.log(`  ${o.name.padEnd(44)} ${o.seconds.toFixed(1).padStart(6)} s  ${o.code === 0 ? 'ok' : 'FAILED'}`);
const budget = tier === 'unit' ? ` (budget: ${String(UNIT_BUDGET_SECONDS)} s on the project's idle 2-core machine)` : '';
console.log(`  total, wall clock: ${total.toFixed(1)} s${budget}; lint ran beside the other checks`);
if (failed.length > 0) {
  console.log(`  failed: ${failed.map((o) => o.name).join(', ')}`);
  process.exit(1);
}
