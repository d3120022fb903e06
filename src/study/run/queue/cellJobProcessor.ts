/**
 * The BullMQ sandboxed processor of `blindspots worker`: runs in a child process of the worker
 * (one per concurrent cell, reused from cell to cell), so that seconds-long wasm training steps
 * never block the worker's event loop — which renews the cells' locks. Not exported: BullMQ loads
 * this file by path.
 */
import { Worker as Thread } from 'node:worker_threads';
import { UnrecoverableError, type SandboxedJob } from 'bullmq';
import { BlindspotsError } from '../../../errors.js';
import type { FitProgress } from '../../../models/model.js';
import { getModel } from '../../../models/modelRegistry.js';
import { VERSION } from '../../../version.js';
import { splitIdentity } from '../../spec/splitIdentity.js';
import { prepareStudyOf } from '../../spec/prepare.js';
import { canonicalJson } from '../../store/canonicalJson.js';
import type { CellRecord } from '../../store/cellRecord.js';
import { runCell, type CellData } from '../runCell.js';
import { applyDither } from '../applyDither.js';
import { dataSectionWithPath, mismatch, WORKER_ENV, type ChildOptions } from './cellProcessSettings.js';
import type { CellJobData } from './job.js';

const FN = 'blindspots worker';

/** Worker settings from the parent (threads, data path), read once. */
const options: ChildOptions = JSON.parse(process.env[WORKER_ENV] ?? '{}') as ChildOptions;

/** The data of each data section seen, made once per child process (a worker's cells usually share one). */
const cache = new Map<string, CellData>();

let watching = false;
/**
 * A thread that kills this process when its worker is gone (killed with -9: the IPC channel
 * closes, but a cell in a wasm step would train on for minutes, for nothing). A thread, because
 * the main thread may be busy for seconds; SIGKILL, because a handler on it would not run.
 */
function watchParent(): void {
  if (watching || process.send === undefined) return;
  watching = true;
  const thread = new Thread(
    `const { workerData } = require('node:worker_threads');
     setInterval(() => { if (process.ppid !== workerData) process.kill(process.pid, 'SIGKILL'); }, 200);`,
    { eval: true, workerData: process.ppid },
  );
  thread.unref();
}

function dataFor(job: CellJobData): CellData {
  const section = dataSectionWithPath(job.data, options.data);
  const cacheKey = canonicalJson({ section, dither: job.identity.dither });
  let data = cache.get(cacheKey);
  if (data === undefined) {
    const config = prepareStudyOf({ ...section, signals: [], models: [] }, FN);
    const made = {
      name: config.dataset,
      preparation: config.preparation ?? {},
      train: splitIdentity(config.train as CellData['train']),
      test: splitIdentity(config.test as CellData['test']),
    };
    const planned = job.identity;
    for (const [what, a, b] of [
      ['name', made.name, planned.name],
      ['preparation', canonicalJson(made.preparation), canonicalJson(planned.preparation)],
      [
        'train split',
        `${String(made.train.n)} samples, sha256 ${made.train.sha256}`,
        `${String(planned.train.n)} samples, sha256 ${planned.train.sha256}`,
      ],
      [
        'test split',
        `${String(made.test.n)} samples, sha256 ${made.test.sha256}`,
        `${String(planned.test.n)} samples, sha256 ${planned.test.sha256}`,
      ],
    ] as const) {
      if (a !== b) throw mismatch(FN, `data (${what})`, b, a);
    }
    data = {
      data: planned,
      train: applyDither(config.train as CellData['train'], planned.dither, 'train'),
      test: applyDither(config.test as CellData['test'], planned.dither, 'test'),
    };
    cache.set(cacheKey, data);
  }
  return data;
}

/**
 * Runs one queued cell: checks the library version and the data's identity against what the
 * coordinator planned (DATA_MISMATCH, not retried, otherwise), then `runCell`. The record is
 * the job's return value.
 */
export default async function processCell(job: SandboxedJob<CellJobData, CellRecord>): Promise<CellRecord> {
  watchParent();
  try {
    const { cell } = job.data;
    if (job.data.version !== VERSION) throw mismatch(FN, 'version', `blindspots ${job.data.version} (the coordinator's)`, VERSION);
    const data = dataFor(job.data);
    // A worker's --threads applies where threads do not change the result (they are not in the key).
    const threads = options.threads !== undefined && getModel(cell.model).threads === 'same-result' ? options.threads : cell.threads;
    // Progress after the first second, then every 2 s: short cells cost no Redis write for it.
    let last = Date.now() - 1000;
    const onProgress = (p: FitProgress): void => {
      const now = Date.now();
      if (now - last < 2000) return;
      last = now;
      job
        .updateProgress({ fraction: p.fraction, ...(p.etaSeconds === undefined ? {} : { etaSeconds: p.etaSeconds }) })
        .catch(() => undefined);
    };
    return await runCell(data, threads === cell.threads ? cell : { ...cell, threads }, { onProgress });
  } catch (e) {
    if (!(e instanceof BlindspotsError)) throw e;
    // The code travels in the message: BullMQ keeps only the message as the failure reason.
    const reason = `${e.code}: ${e.message}`;
    if (e.code === 'DATA_MISMATCH') throw Object.assign(new UnrecoverableError(reason), { cause: e });
    throw new Error(reason, { cause: e });
  }
}
