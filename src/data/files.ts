/**
 * File helpers of the loaders and writers (internal, not exported from `blindspots/data`): every
 * problem with a path becomes a typed error naming the public function, the argument and the path,
 * never a raw `ENOENT`/`EISDIR` from node:fs.
 */
import { closeSync, lstatSync, mkdirSync, openSync, readFileSync, readlinkSync, statSync, writeSync, type Stats } from 'node:fs';
import { BlindspotsError, fail } from '../errors.js';
import { describe } from '../validate.js';

/**
 * Checks a path argument: a non-empty string. node:fs would read a number as a file descriptor
 * (0 is standard input: a read that never ends) and a Buffer or URL as a path nobody meant.
 */
export function checkPath(fn: string, arg: string, path: unknown): string {
  if (typeof path !== 'string' || path.length === 0) throw fail('INVALID_ARGUMENT', fn, arg, 'a path (a non-empty string)', describe(path));
  return path;
}

/** The problem {@link inspectPath} reports for a path where nothing is (not even a link). */
export const NO_SUCH_PATH = 'no such file or folder';

/** What is at `path`: its stats (links followed), or why there is nothing to read there. */
export function inspectPath(path: string): { stats: Stats; problem?: undefined } | { stats?: undefined; problem: string } {
  try {
    return { stats: statSync(path) };
  } catch (e) {
    let link: string | undefined;
    try {
      if (lstatSync(path).isSymbolicLink()) link = readlinkSync(path);
    } catch {
      link = undefined;
    }
    if (link !== undefined) return { problem: `a link to ${link}, which does not exist (a dangling link)` };
    return { problem: (e as NodeJS.ErrnoException).code === 'ENOENT' ? NO_SUCH_PATH : (e as Error).message };
  }
}

/** A description of a path that exists but is not a regular file. */
export function kindOf(stats: Stats): string {
  return stats.isDirectory() ? 'a folder, not a file' : 'not a regular file (a device, pipe or socket)';
}

/**
 * The bytes of a regular file, or a DATA_FORMAT error: `expected` says what should be there
 * (e.g. `a readable NPY file`), the received part names the path and what is there instead — no
 * such file, a folder, a dangling link, a device (whose read might never end), no permission.
 */
export function readRegularFile(fn: string, arg: string, path: string, expected: string): Buffer {
  const { stats, problem } = inspectPath(path);
  if (problem !== undefined) throw fail('DATA_FORMAT', fn, arg, expected, `${path}: ${problem}`);
  if (!stats.isFile()) throw fail('DATA_FORMAT', fn, arg, expected, `${path}: ${kindOf(stats)}`);
  try {
    return readFileSync(path);
  } catch (e) {
    // No permission, an I/O error, or a file above the largest Buffer (ERR_FS_FILE_TOO_LARGE).
    throw fail('DATA_FORMAT', fn, arg, expected, `${path}: ${(e as Error).message}`);
  }
}

/** Runs `body`; a raw error from node:fs inside it becomes DATA_FORMAT naming `path`. */
export function readingFile<T>(fn: string, arg: string, path: string, expected: string, body: () => T): T {
  try {
    return body();
  } catch (e) {
    if (e instanceof BlindspotsError) throw e;
    throw fail('DATA_FORMAT', fn, arg, expected, `${path}: ${(e as Error).message}`);
  }
}

/**
 * Creates (or truncates) `path` and writes `chunks` to it, or an INVALID_ARGUMENT error naming the
 * path (a missing parent folder, a folder, no permission). Callers validate everything before, so
 * nothing is written for input the library's readers would refuse.
 */
export function writeFile(fn: string, arg: string, path: string, write: (put: (chunk: Uint8Array | string) => void) => void): void {
  let fd: number;
  try {
    fd = openSync(path, 'w');
  } catch (e) {
    throw fail('INVALID_ARGUMENT', fn, arg, 'a path where a file can be written', `${path}: ${(e as Error).message}`);
  }
  try {
    write((chunk) => {
      if (typeof chunk === 'string') {
        writeSync(fd, chunk);
        return;
      }
      // Chunked: writeSync takes at most 2 GiB at once.
      for (let off = 0; off < chunk.length; off += 1 << 28) writeSync(fd, chunk.subarray(off, Math.min(chunk.length, off + (1 << 28))));
    });
  } finally {
    closeSync(fd);
  }
}

/** Creates a folder (and its parents), or an INVALID_ARGUMENT error naming it (a file is in the way, no permission). */
export function makeFolder(fn: string, arg: string, dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw fail('INVALID_ARGUMENT', fn, arg, 'a folder that exists or can be created', `${dir}: ${(e as Error).message}`);
  }
  const { stats } = inspectPath(dir);
  if (stats !== undefined && !stats.isDirectory()) throw fail('INVALID_ARGUMENT', fn, arg, 'a folder', `${dir}: ${kindOf(stats)}`);
}

/**
 * A zeroed Float32Array of `count` values, or a typed error (`code`, naming `arg`) when the engine
 * refuses it: above its largest typed array, or out of memory — both raw RangeErrors otherwise.
 */
export function allocFloat32(fn: string, arg: string, count: number, code: 'DATA_FORMAT' | 'INVALID_ARGUMENT', what: string): Float32Array {
  try {
    return new Float32Array(count);
  } catch (e) {
    throw fail(code, fn, arg, `${what} that fits in memory (${String(count)} float32 values)`, (e as Error).message);
  }
}
