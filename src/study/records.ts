/**
 * Study records: what one cell ran and measured, its key, and the results file that holds them
 * (JSON Lines, one record per line, written by one process at a time).
 */
import { createHash } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fstatSync,
  fsyncSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { BlindspotsError, fail } from '../errors.js';
import type { ModelParams, ParamValue } from '../models/model.js';
import { isPlainObject } from '../options.js';
import type { PackedPredictions } from './predictions.js';

/** The record format written by this version; readers refuse others with a DATA_FORMAT error. */
export const RECORD_SCHEMA = 2;

/** The signal name of the clean baseline cells. */
export const CLEAN = 'clean';

/** The suffix of the "signal only" control cells: blank inputs that carry just the signal. */
export const ONLY = ':only';

/** A split's content: sample count and a SHA-256 of its inputs and labels. */
export interface SplitIdentity {
  readonly n: number;
  readonly sha256: string;
}

/**
 * What data a cell ran on: its name, how the study made it (source, subset, split and their
 * seeds, dither) and a content hash of each split, so two machines with different files cannot
 * merge their records silently.
 */
export interface DataIdentity {
  readonly name: string;
  /** How the data was made from its source (dataset spec, subset size, split fraction and seed), when the study made it. */
  readonly preparation: { readonly [key: string]: ParamValue };
  /** The grid control: uniform noise of +-half a quantisation step added to every value, or null. */
  readonly dither: { readonly levels: number; readonly seed: number } | null;
  readonly train: SplitIdentity;
  readonly test: SplitIdentity;
}

/** One point of a learning curve: test accuracy, and with a shuffled label's signal, after an epoch. */
export interface CurvePoint {
  readonly epoch: number;
  readonly accuracy: number;
  /** Null for clean cells (no signal to shuffle). */
  readonly shuffledAccuracy: number | null;
  /** The L2 norm of the first kernel after the epoch (the layer that reads the input; tfjs ConvNets). */
  readonly firstKernelNorm?: number;
  /** The mean of the kernels' L2 norms. */
  readonly meanKernelNorm?: number;
  /** The learning rate of the epoch's last step. */
  readonly learningRate?: number;
  /**
   * The effective learning rate of the first kernel: learningRate / (firstKernelNorm² / its
   * output channels), the rate divided by one filter's mean squared norm (batch norm removes
   * each filter's scale, so a step turns it by about this much).
   */
  readonly effectiveLr?: number;
  /** The mean over kernels of their effective learning rates. */
  readonly meanEffectiveLr?: number;
}

/** One finished cell, as written to the results file: exactly what ran, and what it measured. */
export interface CellRecord {
  readonly schema: typeof RECORD_SCHEMA;
  /** SHA-256 (hex, 32 characters) of the canonical description: equal keys, same cell. */
  readonly key: string;
  /** The data's name (`data.name`), for tables. */
  readonly dataset: string;
  readonly data: DataIdentity;
  /** `clean`, a signal name, or `<signal>:only` for the control on blank inputs. */
  readonly signal: string;
  /** Every option the signal's encoder took, given or defaulted (`numClasses` and `seed` included); empty for clean cells. */
  readonly options: { readonly [name: string]: ParamValue };
  /** The swept options of this cell and their values, when the study swept the signal's options. */
  readonly sweep?: { readonly [name: string]: ParamValue };
  readonly model: string;
  /** The swept model options of this cell and their values, when the study swept the model's options. */
  readonly modelSweep?: { readonly [name: string]: ParamValue };
  /** The parameters the model reported it used (`model.params`). */
  readonly params: ModelParams;
  /** The cell's seed: the signal's parameters and the model's randomness. */
  readonly seed: number;
  /** Threads the model trained on. */
  readonly threads: number;
  /** Test accuracy with the signal in train and test (clean cells: without). */
  readonly accuracy: number;
  /**
   * Reliance: test accuracy when each test input carries the signal of another, randomly chosen
   * label (a seeded shuffle). Far below `accuracy` means the model reads the signal. Null for
   * clean cells.
   */
  readonly shuffledAccuracy: number | null;
  /** Per-epoch accuracies of models that train by epochs, when the study records curves. */
  readonly curve?: readonly CurvePoint[];
  /**
   * The test labels and each test image's prediction with its own signal and with the shuffled
   * one, packed (`unpackPredictions`), when the study keeps them (ConvNet cells by default).
   */
  readonly predictions?: PackedPredictions;
  readonly nTrain: number;
  readonly nTest: number;
  /**
   * Seconds spent training (`fit`), without the learning-curve evaluations between epochs and the
   * final predictions: a ResNet-20 cell of the `table1-resnet20` preset spent ~40% of its wall
   * time on those when they ran on one thread (0.2.0-dev; they now share the training threads).
   */
  readonly fitSeconds: number;
  /**
   * Where the model ran: the tfjs backend and, on wasm, which build of the library's kernels
   * (`wasm`, `wasm+native-avx512`, `wasm+native-avx2`, `wasm+native-baseline`), another backend's
   * name (`tensorflow`, `cpu`), or `js` for the classical models.
   */
  readonly backend: string;
  readonly version: string;
  /** When the cell finished (ISO 8601) and on which host. */
  readonly finishedAt: string;
  readonly host: string;
}

/**
 * JSON with object keys sorted at every level: the same value always gives the same text, so its
 * hash can be a key.
 *
 * @example
 * ```ts
 * import { canonicalJson } from 'blindspots/study';
 * canonicalJson({ b: 1, a: [2, { d: 3, c: 4 }] }); //=> '{"a":[2,{"c":4,"d":3}],"b":1}'
 * ```
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    isPlainObject(v)
      ? Object.fromEntries(
          Object.keys(v)
            .sort()
            .map((k) => [k, v[k]]),
        )
      : v,
  );
}

/**
 * The key of a description: the first 32 hex digits of the SHA-256 of its canonical JSON.
 *
 * @example
 * ```ts
 * import { hashKey } from 'blindspots/study';
 * hashKey({ a: 1, b: 2 }) === hashKey({ b: 2, a: 1 }); //=> true
 * ```
 */
export function hashKey(description: unknown): string {
  return createHash('sha256').update(canonicalJson(description)).digest('hex').slice(0, 32);
}

/** The fields a record must hold, with their JSON types (the reader checks them). */
const REQUIRED: Readonly<Record<string, 'string' | 'number' | 'object'>> = {
  key: 'string',
  dataset: 'string',
  data: 'object',
  signal: 'string',
  options: 'object',
  model: 'string',
  params: 'object',
  seed: 'number',
  threads: 'number',
  accuracy: 'number',
  nTrain: 'number',
  nTest: 'number',
  fitSeconds: 'number',
  backend: 'string',
  version: 'string',
};

/** Throws DATA_FORMAT (naming file and line) unless `value` is a record of this schema. */
function checkRecord(fn: string, value: unknown, where: string): CellRecord {
  if (!isPlainObject(value))
    throw fail(
      'DATA_FORMAT',
      fn,
      'results',
      `${where}: a cell record (a JSON object)`,
      value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value,
    );
  if (value.schema !== RECORD_SCHEMA) {
    throw fail(
      'DATA_FORMAT',
      fn,
      'results',
      `${where}: a record of schema ${String(RECORD_SCHEMA)} (files written before blindspots 0.2 have none: rerun the study into a new file)`,
      `schema ${JSON.stringify(value.schema) ?? 'missing'}`,
    );
  }
  for (const [field, type] of Object.entries(REQUIRED)) {
    const v = value[field];
    if (typeof v !== type || v === null)
      throw fail(
        'DATA_FORMAT',
        fn,
        'results',
        `${where}: a record with ${field} (${type})`,
        v === undefined ? 'missing' : JSON.stringify(v),
      );
  }
  const shuffled = value.shuffledAccuracy;
  if (shuffled !== null && typeof shuffled !== 'number')
    throw fail('DATA_FORMAT', fn, 'results', `${where}: shuffledAccuracy a number or null`, JSON.stringify(shuffled) ?? 'missing');
  return value as unknown as CellRecord;
}

/** Parses the complete lines of a results file's text; a torn last line (no newline) is left out. */
function parseLines(fn: string, path: string, text: string): { records: CellRecord[]; complete: number } {
  const complete = text.endsWith('\n') ? text.length : text.lastIndexOf('\n') + 1;
  const records: CellRecord[] = [];
  const lines = text.slice(0, complete).split('\n');
  lines.forEach((line, i) => {
    if (line.trim().length === 0) return;
    const where = `${path} line ${String(i + 1)}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw fail('DATA_FORMAT', fn, 'results', `${where}: a JSON cell record`, JSON.stringify(line.slice(0, 40)));
    }
    records.push(checkRecord(fn, value, where));
  });
  return { records, complete };
}

/**
 * Reads a results file without changing it: the records of its complete lines. A last line cut
 * short by an interrupted write is left out (only the study writing the file repairs it). A
 * missing file is an error (NOT_FOUND-like DATA_FORMAT naming the path); a line that is JSON but
 * not a record is a DATA_FORMAT error naming the file and line.
 *
 * @example
 * ```ts
 * import { readResults } from 'blindspots/study';
 * const records = readResults('study.jsonl');
 * ```
 */
export function readResults(path: string, fn = 'readResults'): CellRecord[] {
  if (typeof path !== 'string') throw fail('INVALID_ARGUMENT', fn, 'path', 'a file path', typeof path);
  if (!existsSync(path)) throw fail('DATA_FORMAT', fn, 'path', 'an existing results file', `${path}: not found`);
  if (statSync(path).isDirectory()) throw fail('DATA_FORMAT', fn, 'path', 'a results file', `${path}: a folder`);
  return parseLines(fn, path, readFileSync(path, 'utf8')).records;
}

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
  static open(path: string, fn = 'ResultsFile.open'): ResultsFile {
    if (typeof path !== 'string' || path.length === 0)
      throw fail('INVALID_ARGUMENT', fn, 'results', 'a file path', JSON.stringify(path) ?? String(path));
    const dir = dirname(path);
    if (!existsSync(dir)) throw fail('INVALID_ARGUMENT', fn, 'results', `a path in an existing folder`, `${path}: ${dir} does not exist`);
    if (!statSync(dir).isDirectory())
      throw fail('INVALID_ARGUMENT', fn, 'results', 'a path in a folder', `${path}: ${dir} is not a folder`);
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
      return new ResultsFile(path, fd, parsed.records, lockPath);
    } catch (e) {
      rmSync(lockPath, { force: true });
      throw e;
    }
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

function acquireLock(fn: string, lockPath: string): void {
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
