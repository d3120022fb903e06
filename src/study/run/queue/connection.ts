/**
 * The Redis behind a queue: its URL checked, a probe that fails fast with QUEUE_UNAVAILABLE, and
 * a watch that turns a Redis lost mid-run into the same typed error within a bounded time.
 */
import type { RedisOptions as BullRedisOptions } from 'bullmq';
import type { Redis, RedisOptions } from 'ioredis';
import { BlindspotsError, fail } from '../../../errors.js';
import { checkOptions } from '../../../options.js';
import { checkInteger } from '../../../validate.js';
import { loadIoredis } from './deps.js';

/** A checked Redis URL: the options for ioredis/BullMQ and a printable form without the password. */
export interface RedisTarget {
  /** The URL as given, for messages, with any password replaced by `***`. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly db: number;
  readonly username?: string;
  readonly password?: string;
  /** `rediss://`: TLS. */
  readonly tls: boolean;
}

/**
 * Checks a Redis URL — `redis://[user:password@]host[:port][/db]` or `rediss://` for TLS — and
 * splits it into connection options. A malformed URL is an INVALID_ARGUMENT naming `queue` (the
 * option that takes it); whether a Redis answers there is {@link probeRedis}'s question.
 *
 * @example
 * ```ts
 * import { parseRedisUrl } from 'blindspots/queue';
 * parseRedisUrl('redis://:s3cret@redis.lab:6380/2');
 * //=> { url: 'redis://:***@redis.lab:6380/2', host: 'redis.lab', port: 6380, db: 2, password: 's3cret', tls: false }
 * parseRedisUrl('http://redis.lab'); //=> throws INVALID_ARGUMENT http: URL
 * ```
 */
export function parseRedisUrl(url: string): RedisTarget {
  return parseRedisUrlOf(url, 'parseRedisUrl');
}

/**
 * {@link parseRedisUrl} on behalf of `fn`, the function the user called, which its errors name.
 *
 * @example
 * ```ts
 * import { parseRedisUrlOf } from './connection.js'; // internal
 * parseRedisUrlOf('http://redis.lab', 'startQueueWorker'); //=> throws INVALID_ARGUMENT startQueueWorker: argument 'queue'
 * ```
 */
export function parseRedisUrlOf(url: string, fn: string): RedisTarget {
  // Every caller takes the URL as its `queue` option.
  const arg = 'queue';
  const expected = 'a Redis URL: redis://host[:port][/db] (rediss:// for TLS)';
  if (typeof url !== 'string' || url.length === 0) throw fail('INVALID_ARGUMENT', fn, arg, expected, JSON.stringify(url) ?? String(url));
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw fail('INVALID_ARGUMENT', fn, arg, expected, JSON.stringify(url));
  }
  const shown = u.password === '' ? url : url.replace(`:${u.password}@`, ':***@');
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:')
    throw fail('INVALID_ARGUMENT', fn, arg, expected, `${shown} (${u.protocol} URL)`);
  if (u.hostname === '') throw fail('INVALID_ARGUMENT', fn, arg, expected, `${shown} (no host)`);
  const path = u.pathname.replace(/^\//, '');
  if (!/^\d*$/.test(path) || Number(path) > 1_000_000)
    throw fail('INVALID_ARGUMENT', fn, arg, `${expected}, db a number`, `${shown} (path /${path})`);
  if (u.search !== '' || u.hash !== '') throw fail('INVALID_ARGUMENT', fn, arg, `${expected}, without ?query or #fragment`, shown);
  const port = u.port === '' ? 6379 : Number(u.port);
  return {
    url: shown,
    // IPv6 literals come bracketed from URL; sockets want them bare.
    host: u.hostname.replace(/^\[(.*)\]$/, '$1'),
    port,
    db: path === '' ? 0 : Number(path),
    ...(u.username === '' ? {} : { username: decodeURIComponent(u.username) }),
    ...(u.password === '' ? {} : { password: decodeURIComponent(u.password) }),
    tls: u.protocol === 'rediss:',
  };
}

/**
 * ioredis options for a target (without retry policy: each user sets its own).
 *
 * @example
 * ```ts
 * import { Redis } from 'ioredis';
 * import { parseRedisUrl, redisOptions } from './connection.js'; // internal
 * redisOptions(parseRedisUrl('rediss://redis.lab/1')); //=> { host: 'redis.lab', port: 6379, db: 1, tls: { servername: 'redis.lab' } }
 * const client = new Redis(redisOptions(parseRedisUrl('redis://localhost:6379/1')));
 * await client.ping(); //=> 'PONG'
 * client.disconnect();
 * ```
 */
export function redisOptions(target: RedisTarget): RedisOptions {
  return {
    host: target.host,
    port: target.port,
    db: target.db,
    ...(target.username === undefined ? {} : { username: target.username }),
    ...(target.password === undefined ? {} : { password: target.password }),
    ...(target.tls ? { tls: { servername: target.host } } : {}),
  };
}

/** Connection options for BullMQ's clients, and the switch that ends their reconnecting. */
export interface BullConnection {
  readonly options: BullRedisOptions;
  /**
   * Stops every client made from `options` from reconnecting: each ends at its next attempt
   * (within 2 s), failing its pending commands, so that closing cannot wait for ever on a Redis
   * that is gone and no reconnect timer keeps the process alive.
   */
  stop(): void;
}

/**
 * Connection options for BullMQ's clients: reconnect for ever, a try every 0.2-2 s (BullMQ
 * requires `maxRetriesPerRequest: null` for workers' blocking commands), until `stop()`. Giving
 * up is the {@link RedisWatch}'s decision, so that every part of a process gives up at the same
 * time and with the same typed error.
 *
 * @example
 * ```ts
 * import { Queue } from 'bullmq';
 * import { bullConnection, parseRedisUrl } from 'blindspots/queue';
 * const connection = bullConnection(parseRedisUrl('redis://localhost:6379'));
 * const queue = new Queue('blindspots', { connection: connection.options });
 * await queue.count(); //=> 0
 * await queue.close();
 * ```
 */
export function bullConnection(target: RedisTarget): BullConnection {
  let stopped = false;
  return {
    options: {
      host: target.host,
      port: target.port,
      db: target.db,
      ...(target.username === undefined ? {} : { username: target.username }),
      ...(target.password === undefined ? {} : { password: target.password }),
      ...(target.tls ? { tls: { servername: target.host } } : {}),
      maxRetriesPerRequest: null,
      connectTimeout: 10_000,
      retryStrategy: (times: number) => (stopped ? null : Math.min(200 * times, 2000)),
    },
    stop: () => {
      stopped = true;
    },
  };
}

/**
 * The QUEUE_UNAVAILABLE error for a target.
 *
 * @example
 * ```ts
 * import { parseRedisUrl, queueUnavailable } from './connection.js'; // internal
 * const target = parseRedisUrl('redis://127.0.0.1:6379');
 * const connect = (): void => {
 *   throw queueUnavailable('blindspots worker', target, 'connect ECONNREFUSED 127.0.0.1:6379');
 * };
 * connect(); //=> throws QUEUE_UNAVAILABLE blindspots worker: no Redis at redis://127.0.0.1:6379: connect ECONNREFUSED
 * ```
 */
export function queueUnavailable(fn: string, target: RedisTarget, why: string): BlindspotsError {
  return new BlindspotsError(
    'QUEUE_UNAVAILABLE',
    { fn, arg: 'queue', expected: `a Redis answering at ${target.url}`, received: why },
    `${fn}: no Redis at ${target.url}: ${why}`,
  );
}

/** What the probe learnt about the server: its version and the settings BullMQ depends on. */
export interface RedisInfo {
  readonly version: string;
  /** `noeviction` is what BullMQ needs; null when CONFIG is not allowed (managed Redis). */
  readonly maxmemoryPolicy: string | null;
  /** Append-only file on (`yes`), or null when CONFIG is not allowed. */
  readonly appendonly: string | null;
  /** RDB snapshot schedule (`''` means none), or null when CONFIG is not allowed. */
  readonly save: string | null;
}

function message(e: unknown): string {
  return e instanceof Error ? e.message || e.name : String(e);
}

/**
 * `promise`, or a rejection after `ms`. The timer keeps the process alive: a promise that can no
 * longer settle (its sockets closed) must still end in the rejection, not in an empty event loop.
 *
 * @example
 * ```ts
 * import { withTimeout } from './connection.js'; // internal
 * await withTimeout(Promise.resolve('closed'), 2000, 'close'); //=> 'closed'
 * const never = new Promise<void>(() => undefined); // a close waiting on a Redis that is gone
 * await withTimeout(never, 100, 'close').catch((e: Error) => e.message); //=> 'close: no answer within 0.1 s'
 * ```
 */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${String(ms / 1000)} s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Connects once to the Redis of `target` and asks for its version and the settings BullMQ
 * depends on (eviction policy, persistence). Refused, unresolvable, silent (not Redis, or a
 * firewall dropping packets) or wrong password: a QUEUE_UNAVAILABLE error naming the URL within
 * `options.timeoutMs` (default 5000) — never a hang and never a retry loop.
 *
 * @example
 * ```ts
 * import { parseRedisUrl, probeRedis } from 'blindspots/queue';
 * const info = await probeRedis(parseRedisUrl('redis://localhost:6379'));
 * if (info.maxmemoryPolicy !== 'noeviction') console.warn('Redis may evict jobs');
 * // Nothing listening (port 1): an error within the timeout, not a hang.
 * await probeRedis(parseRedisUrl('redis://127.0.0.1:1'), { timeoutMs: 1000 }); //=> throws QUEUE_UNAVAILABLE no Redis at redis://127.0.0.1:1
 * await probeRedis(parseRedisUrl('redis://localhost:6379'), { timeoutMs: 0 }); //=> throws INVALID_ARGUMENT probeRedis: argument 'options.timeoutMs'
 * ```
 */
export async function probeRedis(target: RedisTarget, options: { readonly timeoutMs?: number } = {}): Promise<RedisInfo> {
  const fn = 'probeRedis';
  const o = checkOptions(fn, options, ['timeoutMs']);
  const timeoutMs = o.timeoutMs === undefined ? 5000 : checkInteger(fn, 'options.timeoutMs', o.timeoutMs, 1, 86_400_000);
  return probeRedisOf(target, fn, timeoutMs);
}

/**
 * {@link probeRedis} on behalf of `fn`, the function the user called, which its errors name.
 *
 * @example
 * ```ts
 * import { parseRedisUrl, probeRedisOf } from './connection.js'; // internal
 * await probeRedisOf(parseRedisUrl('redis://127.0.0.1:1'), 'startQueueWorker', 1000);
 * //=> throws QUEUE_UNAVAILABLE startQueueWorker: no Redis at redis://127.0.0.1:1
 * ```
 */
export async function probeRedisOf(target: RedisTarget, fn: string, timeoutMs: number): Promise<RedisInfo> {
  const { Redis } = await loadIoredis(fn);
  const client = new Redis({
    ...redisOptions(target),
    lazyConnect: true,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  // Kept for the message (the rejected connect only says "Connection is closed"); a listener
  // also keeps ioredis from printing it.
  let socketError: string | undefined;
  client.on('error', (e: unknown) => (socketError = message(e)));
  try {
    await withTimeout(client.connect(), timeoutMs, 'connect');
    const version = /redis_version:([^\r\n]+)/.exec(await withTimeout(client.info('server'), timeoutMs, 'INFO'))?.[1] ?? '?';
    const config = async (name: string): Promise<string | null> => {
      try {
        const [, value] = (await withTimeout(client.config('GET', name), timeoutMs, 'CONFIG GET')) as string[];
        return value ?? null;
      } catch {
        return null;
      }
    };
    return {
      version,
      maxmemoryPolicy: await config('maxmemory-policy'),
      appendonly: await config('appendonly'),
      save: await config('save'),
    };
  } catch (e) {
    const why = message(e);
    throw queueUnavailable(fn, target, socketError !== undefined && /Connection is closed/.test(why) ? socketError : why);
  } finally {
    client.disconnect();
  }
}

/**
 * Warnings about a Redis that BullMQ cannot rely on: an eviction policy other than `noeviction`
 * (Redis may drop jobs under memory pressure), and no persistence at all (a Redis restart empties
 * the queue: finished cells are safe in the results file, queued ones are enqueued again by the
 * next coordinator run).
 *
 * @example
 * ```ts
 * import { parseRedisUrl, probeRedis, redisWarnings } from 'blindspots/queue';
 * for (const w of redisWarnings(await probeRedis(parseRedisUrl('redis://localhost:6379')))) console.warn(w);
 * redisWarnings({ version: '7.0.15', maxmemoryPolicy: 'allkeys-lru', appendonly: 'yes', save: '' });
 * //=> ['maxmemory-policy is allkeys-lru: Redis may evict queued cells; set it to noeviction']
 * ```
 */
export function redisWarnings(info: RedisInfo): string[] {
  const out: string[] = [];
  if (info.maxmemoryPolicy !== null && info.maxmemoryPolicy !== 'noeviction')
    out.push(`maxmemory-policy is ${info.maxmemoryPolicy}: Redis may evict queued cells; set it to noeviction`);
  if (info.appendonly === 'no' && info.save === '')
    out.push('Redis has no persistence (appendonly no, no save points): a Redis restart empties the queue (run the coordinator again)');
  return out;
}

/**
 * Watches a Redis: a PING every second on a connection of its own; when none has succeeded for
 * `timeoutMs`, `lost` settles with a QUEUE_UNAVAILABLE error naming the URL and the last error.
 * BullMQ's clients reconnect for ever by themselves; this is what bounds the wait.
 *
 * @example
 * ```ts
 * import { parseRedisUrl, RedisWatch } from 'blindspots/queue';
 * const watch = new RedisWatch(parseRedisUrl('redis://localhost:6379'), 'myRunner', 60_000);
 * const work = new Promise((resolve) => setTimeout(resolve, 500, 'done')); // anything that needs Redis
 * await Promise.race([work, watch.lost]); //=> 'done'
 * watch.stop();
 * // A Redis that does not answer (nothing at port 1) for longer than the timeout:
 * const gone = new RedisWatch(parseRedisUrl('redis://127.0.0.1:1'), 'myRunner', 500);
 * await gone.lost; //=> throws QUEUE_UNAVAILABLE myRunner: no Redis at redis://127.0.0.1:1: lost for more than 0.5 s
 * ```
 */
export class RedisWatch {
  /** Rejects with QUEUE_UNAVAILABLE when Redis has not answered for the timeout; never resolves. */
  readonly lost: Promise<never>;
  // Made once ioredis is loaded (an optional peer dependency, imported on first use).
  private client: Redis | undefined;
  private readonly timer: NodeJS.Timeout;
  private lastOk = Date.now();
  private lastError = 'no answer';
  private stopped = false;

  constructor(target: RedisTarget, fn: string, timeoutMs: number) {
    let reject: (e: Error) => void = () => undefined;
    this.lost = new Promise<never>((_, r) => (reject = r));
    // Nobody may be awaiting `lost` at the moment it rejects.
    this.lost.catch(() => undefined);
    const period = Math.max(100, Math.min(1000, timeoutMs / 4));
    loadIoredis(fn).then(
      ({ Redis }) => {
        if (this.stopped) return;
        this.client = new Redis({
          ...redisOptions(target),
          connectTimeout: Math.max(period, 1000),
          commandTimeout: Math.max(period, 1000),
          maxRetriesPerRequest: 0,
          enableOfflineQueue: false,
          retryStrategy: () => period,
        });
        this.client.on('error', (e: unknown) => (this.lastError = message(e)));
      },
      (e: unknown) => {
        // MISSING_DEPENDENCY: the watch cannot watch.
        this.stop();
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
    this.timer = setInterval(() => {
      if (this.stopped) return;
      if (Date.now() - this.lastOk > timeoutMs) {
        this.stop();
        reject(queueUnavailable(fn, target, `lost for more than ${String(timeoutMs / 1000)} s (${this.lastError})`));
        return;
      }
      this.client?.ping().then(
        () => (this.lastOk = Date.now()),
        (e: unknown) => (this.lastError = message(e)),
      );
    }, period);
    this.timer.unref();
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.timer);
    this.client?.disconnect();
  }
}
