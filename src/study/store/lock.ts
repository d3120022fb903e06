/**
 * The lock of a results file (`<file>.lock`, created with O_EXCL, holding the PID and host): one
 * writer per file on a host, and a dead writer's lock taken over.
 */
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { BlindspotsError, fail } from '../../errors.js';

/** The lock of a results file: who holds it. */
interface LockInfo {
  readonly pid: number;
  readonly host: string;
  readonly since: string;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    // EPERM: the process exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A killed process whose parent has not reaped it yet (a zombie) still answers signal 0.
  try {
    const stat = readFileSync(`/proc/${String(pid)}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return true;
  }
}

/**
 * Creates the lock at `lockPath` for this process, taking over the lock of a dead process on this
 * host; LOCKED naming the holder otherwise.
 */
export function acquireLock(fn: string, lockPath: string): void {
  const me: LockInfo = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(lockPath, 'wx');
      writeSync(fd, JSON.stringify(me));
      closeSync(fd);
      return;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST')
        throw fail('INVALID_ARGUMENT', fn, 'results', 'a folder where a lock file can be created', `${lockPath}: ${(e as Error).message}`);
    }
    let holder: Partial<LockInfo> = {};
    try {
      holder = JSON.parse(readFileSync(lockPath, 'utf8')) as Partial<LockInfo>;
    } catch {
      // A lock being written this instant, or garbage: treated as held by an unknown process.
    }
    const sameHost = holder.host === me.host;
    if (sameHost && typeof holder.pid === 'number' && !processAlive(holder.pid)) {
      // The holder died without releasing it (killed): take over.
      rmSync(lockPath, { force: true });
      continue;
    }
    throw new BlindspotsError(
      'LOCKED',
      {
        fn,
        arg: 'results',
        expected: 'a results file no other process is writing',
        received: `locked by PID ${String(holder.pid ?? '?')} on ${holder.host ?? '?'} since ${holder.since ?? '?'} (${lockPath})`,
      },
      `${fn}: the results file is being written by PID ${String(holder.pid ?? '?')} on ${holder.host ?? '?'} (since ${holder.since ?? '?'}); ` +
        `wait for it, stop it, or delete ${lockPath} if that process is gone`,
    );
  }
  throw fail('LOCKED', fn, 'results', 'a lock that can be taken', `${lockPath}: contended`);
}
