/**
 * The commands' flags as commander gives them (strings), and their checks: a module of their own,
 * so that the queue's commands (loaded on demand) and the others share them without importing
 * each other.
 */
import { fail } from '../errors.js';

/** `blindspots study` options, as commander gives them. */
export interface StudyFlags {
  readonly preset?: string;
  readonly data?: string;
  readonly results?: string;
  readonly threads?: string;
  readonly parallel?: string;
  readonly shard?: string;
  readonly completions?: string;
  readonly queue?: string;
  readonly queueName?: string;
  readonly redisTimeout?: string;
}

/** `blindspots worker` flags, as commander gives them. */
export interface WorkerFlags {
  readonly queue: string;
  readonly queueName?: string;
  readonly concurrency?: string;
  readonly threads?: string;
  readonly data?: string;
  readonly idleExit?: string;
  readonly lockDuration?: string;
  readonly stalledInterval?: string;
  readonly redisTimeout?: string;
}

/** A positive integer flag, checked. */
export function intFlag(cmd: string, flag: string, raw: string | undefined, min = 1): number | undefined {
  if (raw === undefined) return undefined;
  const v = Number(raw);
  if (!Number.isInteger(v) || v < min) throw fail('INVALID_ARGUMENT', cmd, flag, `an integer >= ${String(min)}`, JSON.stringify(raw));
  return v;
}

/** A duration flag in seconds (decimals allowed), as milliseconds. */
export function secondsFlag(cmd: string, flag: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const v = Number(raw);
  if (!Number.isFinite(v) || v <= 0 || v > 86_400) throw fail('INVALID_ARGUMENT', cmd, flag, 'seconds in (0, 86400]', JSON.stringify(raw));
  return Math.round(v * 1000);
}
