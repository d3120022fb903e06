#!/usr/bin/env node
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { Worker } from 'node:worker_threads';
import { main } from './program.js';

/**
 * On Linux, run the CLI with glibc's huge-page malloc (`GLIBC_TUNABLES=glibc.malloc.hugetlb=1`):
 * fresh 600 MB arrays then cost ~0.1 s instead of ~2-3 s of page faults (docs/performance.md).
 * The tunable is read at process start, so the CLI starts itself again once with it set, and only
 * waits: the signals that stop a process (SIGINT, SIGTERM, SIGHUP) are passed on, and the second
 * process exits by itself when the first is gone (even after SIGKILL, which cannot be passed on).
 * `BLINDSPOTS_NO_HUGETLB=1` turns this off.
 */
function relaunchWithHugePages(): Promise<number> | undefined {
  const env = process.env;
  if (process.platform !== 'linux' || env.BLINDSPOTS_NO_HUGETLB === '1' || (env.GLIBC_TUNABLES ?? '').includes('glibc.malloc.hugetlb'))
    return undefined;
  const script = process.argv[1];
  if (script === undefined) return undefined;
  const tunables =
    env.GLIBC_TUNABLES === undefined || env.GLIBC_TUNABLES === ''
      ? 'glibc.malloc.hugetlb=1'
      : `${env.GLIBC_TUNABLES}:glibc.malloc.hugetlb=1`;
  const child = spawn(process.execPath, [...process.execArgv, script, ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...env, GLIBC_TUNABLES: tunables, BLINDSPOTS_PARENT_PID: String(process.pid) },
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => child.kill(signal));
  return new Promise((resolve) => {
    child.on('exit', (code, signal) => resolve(code ?? 128 + (signal === null ? 1 : (constants.signals[signal] ?? 1))));
  });
}

/**
 * In the relaunched process: a watchdog thread that kills this process when its parent is gone.
 * A thread, because the main thread can be busy in wasm training for seconds; SIGKILL, because a
 * handler on the busy main thread would not run. Records are whole lines written at once, so at
 * most the running cells are lost.
 */
function watchParent(): void {
  const parent = Number(process.env.BLINDSPOTS_PARENT_PID);
  if (!Number.isInteger(parent) || parent <= 0) return;
  const watchdog = new Worker(
    `const { workerData } = require('node:worker_threads');
     setInterval(() => { if (process.ppid !== workerData) process.kill(process.pid, 'SIGKILL'); }, 200);`,
    { eval: true, workerData: parent },
  );
  watchdog.unref();
}

// `blindspots report … | head` closes the pipe early: end quietly, as other command-line tools do.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
}

const relaunched = relaunchWithHugePages();
if (relaunched !== undefined) {
  process.exitCode = await relaunched;
} else {
  watchParent();
  process.exitCode = await main(process.argv.slice(2));
}
