/**
 * The results file a study writes (JSON Lines, one record per line, written by one process at a
 * time).
 */
import { closeSync, existsSync, fstatSync, fsyncSync, openSync, readSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { fail } from '../../errors.js';
import type { CellRecord } from './cellRecord.js';
import { acquireLock } from './lock.js';
import { parseLines } from './parseRecords.js';

/** The class's private constructor, for {@link openResultsFile}. */
let construct: (path: string, fd: number, records: readonly CellRecord[], lockPath: string) => ResultsFile;

/**
 * A results file open for appending by this process only. Opening takes a lock next to the file
 * (`<file>.lock`, created with O_EXCL, holding the PID and host): a second writer fails at once
 * with a LOCKED error naming the holder; the lock of a dead process on this host is taken over.
 * Opening also repairs a torn last line (the only write this class does besides appending).
 * Each record is one `write` of a whole line followed by `fsync`: a crash leaves the record or
 * nothing.
 *
 * The lock is per host: processes on other machines writing the same file over a network file
 * system are not detected; give each machine (or shard) its own file and merge them.
 *
 * @example
 * ```ts
 * import { ResultsFile } from 'blindspots/study';
 * const file = ResultsFile.open('study.jsonl');
 * console.log(file.records.length, 'cells already done');
 * file.close();
 * ```
 */
export class ResultsFile {
  private fd: number | undefined;
  private readonly release: () => void;

  static {
    // openResultsFile makes the instances from outside the class, which keeps the constructor
    // private: a ResultsFile is always a locked, repaired file.
    construct = (path, fd, records, lockPath) => new ResultsFile(path, fd, records, lockPath);
  }

  private constructor(
    readonly path: string,
    fd: number,
    /** The records in the file when it was opened. */
    readonly records: readonly CellRecord[],
    lockPath: string,
  ) {
    this.fd = fd;
    let released = false;
    this.release = () => {
      if (released) return;
      released = true;
      rmSync(lockPath, { force: true });
      process.off('exit', this.release);
    };
    // A normal exit (even process.exit) drops the lock; a killed process leaves it, stale.
    process.on('exit', this.release);
  }

  /** Opens (creating it if needed) the results file at `path`; see the class. */
  static open(path: string): ResultsFile {
    return openResultsFile(path, 'ResultsFile.open');
  }

  /** Appends one record as one line, durably (write + fsync). */
  append(record: CellRecord): void {
    if (this.fd === undefined) throw fail('INVALID_ARGUMENT', 'ResultsFile.append', 'this', 'an open results file', 'a closed one');
    writeSync(this.fd, `${JSON.stringify(record)}\n`);
    fsyncSync(this.fd);
  }

  /** Closes the file and releases the lock. */
  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    this.release();
  }
}

/**
 * {@link ResultsFile.open} on behalf of `fn`, the function the user called, which its errors name.
 *
 * @example
 * ```ts
 * import { openResultsFile } from './resultsFile.js'; // internal
 * openResultsFile('no-such-folder/study.jsonl', 'runStudy'); //=> throws INVALID_ARGUMENT runStudy: argument 'results'
 * ```
 */
export function openResultsFile(path: string, fn: string): ResultsFile {
  if (typeof path !== 'string' || path.length === 0)
    throw fail('INVALID_ARGUMENT', fn, 'results', 'a file path', JSON.stringify(path) ?? String(path));
  const dir = dirname(path);
  if (!existsSync(dir)) throw fail('INVALID_ARGUMENT', fn, 'results', `a path in an existing folder`, `${path}: ${dir} does not exist`);
  if (!statSync(dir).isDirectory()) throw fail('INVALID_ARGUMENT', fn, 'results', 'a path in a folder', `${path}: ${dir} is not a folder`);
  if (existsSync(path) && statSync(path).isDirectory()) throw fail('INVALID_ARGUMENT', fn, 'results', 'a file path', `${path}: a folder`);
  const lockPath = `${path}.lock`;
  acquireLock(fn, lockPath);
  try {
    let fd: number;
    try {
      fd = openSync(path, 'a+');
    } catch (e) {
      throw fail('INVALID_ARGUMENT', fn, 'results', 'a writable file', `${path}: ${(e as Error).message}`);
    }
    const size = fstatSync(fd).size;
    const buffer = Buffer.alloc(size);
    if (size > 0) readSync(fd, buffer, 0, size, 0);
    const text = buffer.toString('utf8');
    let parsed: ReturnType<typeof parseLines>;
    try {
      parsed = parseLines(fn, path, text);
    } catch (e) {
      closeSync(fd);
      throw e;
    }
    if (parsed.complete < text.length) {
      // A torn last line from an interrupted write: drop it so appends start on a clean line.
      closeSync(fd);
      writeFileSync(path, text.slice(0, parsed.complete));
      fd = openSync(path, 'a');
    }
    return construct(path, fd, parsed.records, lockPath);
  } catch (e) {
    rmSync(lockPath, { force: true });
    throw e;
  }
}
