/**
 * What a doc snippet gets for `import … from 'vitest'` (scripts/snippets.ts): vitest's own
 * `expect`, and a `test`/`it` that queue their bodies for the snippet runner, which runs them
 * after the snippet's module, inside the snippet's own test — vitest refuses tests declared
 * inside a running test.
 */
export { expect, vi } from 'vitest';

type Body = () => unknown;
const queued: { name: string; body: Body }[] = [];

/** Queues a snippet's test. */
export function test(name: string, body: Body): void {
  queued.push({ name, body });
}
export const it = test;

/** Runs a snippet's `describe` body at once (its tests are queued). */
export function describe(_name: string, body: () => void): void {
  body();
}

/** The tests queued since the last call, removed from the queue. */
export function takeQueued(): { name: string; body: Body }[] {
  return queued.splice(0, queued.length);
}
