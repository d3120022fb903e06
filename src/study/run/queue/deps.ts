/**
 * The queue's packages, BullMQ and ioredis, are optional peer dependencies: only
 * `blindspots/queue` (and `blindspots study --queue`, `blindspots worker`) use them, so they are
 * not installed for everyone (with their own dependencies, ~14 MB and an install script). They are
 * imported when a queue function first needs them; without them, that function fails with a
 * MISSING_DEPENDENCY error saying what to install.
 */
import type * as BullMQ from 'bullmq';
import type * as IORedis from 'ioredis';
import { fail } from '../../../errors.js';

/** What the queue needs installed beside the library. */
export const QUEUE_PACKAGES = ['bullmq', 'ioredis'] as const;

/** Whether `error` says that `specifier` itself (not one of its own imports) could not be found. */
function notFound(error: unknown, specifier: string): boolean {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') return false;
  const message = error instanceof Error ? error.message : '';
  return message.includes(`'${specifier}'`) || message.includes(`"${specifier}"`);
}

/**
 * Imports an optional package for `fn`; when it is not installed, a MISSING_DEPENDENCY error
 * naming `fn` and the packages to install (`needs`). Other failures (a package that is installed
 * but broken) are left as they are.
 *
 * @example
 * ```ts
 * import { importOptional } from './deps.js'; // internal
 * const bullmq = await importOptional<typeof import('bullmq')>('bullmq', 'startQueueWorker');
 * typeof bullmq.Queue; //=> 'function'
 * await importOptional('blindspots-no-such-package', 'startQueueWorker'); //=> throws MISSING_DEPENDENCY npm install bullmq ioredis
 * ```
 */
export async function importOptional<T>(specifier: string, fn: string, needs: readonly string[] = QUEUE_PACKAGES): Promise<T> {
  try {
    return (await import(/* @vite-ignore */ specifier)) as T;
  } catch (error) {
    if (!notFound(error, specifier)) throw error;
    throw fail(
      'MISSING_DEPENDENCY',
      fn,
      undefined,
      `the queue's packages ${needs.join(' and ')} (npm install ${needs.join(' ')})`,
      `${specifier} is not installed`,
    );
  }
}

/** BullMQ, for `fn`, or MISSING_DEPENDENCY. */
export function loadBullmq(fn: string): Promise<typeof BullMQ> {
  return importOptional<typeof BullMQ>('bullmq', fn);
}

/** ioredis, for `fn`, or MISSING_DEPENDENCY. */
export function loadIoredis(fn: string): Promise<typeof IORedis> {
  return importOptional<typeof IORedis>('ioredis', fn);
}
