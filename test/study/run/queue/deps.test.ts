/**
 * BullMQ and ioredis are optional peer dependencies (issue #26, finding 2): the queue imports them
 * when it needs them, and a missing one is a MISSING_DEPENDENCY error naming what to install. The
 * packed tarball's test (test/pack.integration.test.ts) sees the same error from `startQueueWorker` in a
 * project without them; here the loader meets a package that does not exist.
 */
import { describe, expect, it } from 'vitest';
import { BlindspotsError } from '../../../../src/errors.js';
import { importOptional, loadBullmq, loadIoredis, QUEUE_PACKAGES } from '../../../../src/study/run/queue/deps.js';

describe('the queue loads its optional peer dependencies on demand', () => {
  it('a package that is not installed: MISSING_DEPENDENCY naming the function and what to install', async () => {
    const error = await importOptional('blindspots-no-such-package', 'startQueueWorker').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BlindspotsError);
    expect(error).toMatchObject({ code: 'MISSING_DEPENDENCY', details: { fn: 'startQueueWorker' } });
    expect((error as Error).message).toContain('npm install bullmq ioredis');
    expect((error as Error).message).toContain('blindspots-no-such-package is not installed');
    expect(QUEUE_PACKAGES).toEqual(['bullmq', 'ioredis']);
  });

  it('an installed one loads (the repository has both as devDependencies)', async () => {
    expect(typeof (await loadBullmq('runStudyOnQueue')).Worker).toBe('function');
    expect(typeof (await loadIoredis('probeRedis')).Redis).toBe('function');
  });

  it('a failure inside an installed package is not mistaken for a missing one', async () => {
    // A module that exists but cannot be imported: the error is left as it is.
    const error = await importOptional('data:text/javascript,throw new Error("broken inside")', 'probeRedis').catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(BlindspotsError);
    expect((error as Error).message).toContain('broken inside');
  });
});
