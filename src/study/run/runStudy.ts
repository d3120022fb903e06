import { isTextDataset, type ImageDataset, type TextDataset } from '../../data/dataset.js';
import type { FitProgress } from '../../models/model.js';
import type { ImageArray } from '../../types.js';
import { spawnWorker } from '../../threads.js';
import { planStudy, type Cell, type StudyConfig } from '../spec/plan.js';
import { openResultsFile } from '../store/resultsFile.js';
import type { CellRecord } from '../store/cellRecord.js';
import { applyDither } from './applyDither.js';
import { runCell, type CellData } from './runCell.js';

/**
 * Runs a study cell by cell (seed, then model, then signal — the clean baseline first), appending
 * each finished cell to `results` and skipping cells whose key is already there, so an
 * interrupted run loses at most the running cells and a rerun finishes them. The whole config is
 * checked before any training (see `planStudy`), and the results file is opened (and locked)
 * before the first cell, so an unusable path fails at once. Returns the records of the planned
 * cells (old and new), in cell order.
 *
 * @example
 * ```ts
 * import { runStudy, formatStudyTable } from 'blindspots/study';
 * const images = { data: new Float32Array(8 * 8 * 8), shape: [8, 8, 8, 1] as const }; // 8 blank 8x8 images
 * const train = { images, labels: Int32Array.of(0, 1, 0, 1, 0, 1, 0, 1), classNames: ['a', 'b'] };
 * const test = train;
 * const records = await runStudy({ dataset: 'toy', train, test, signals: ['onePixel'], models: ['decisionTree'], results: 'toy.jsonl' });
 * console.log(formatStudyTable(records));
 * ```
 */
export async function runStudy(config: StudyConfig): Promise<CellRecord[]> {
  const plan = planStudy(config);
  const file = config.results === undefined ? undefined : openResultsFile(config.results, 'runStudy');
  try {
    const done = new Map<string, CellRecord>();
    for (const r of file?.records ?? []) done.set(r.key, r);
    const out = new Array<CellRecord>(plan.cells.length);
    const pending: { index: number; cell: Cell }[] = [];
    let finished = 0;
    plan.cells.forEach((cell, index) => {
      const previous = done.get(cell.key);
      if (previous === undefined) pending.push({ index, cell });
      else {
        out[index] = previous;
        finished++;
      }
    });
    if (pending.length === 0) return out;
    const data: CellData = {
      data: plan.data,
      train: applyDither(plan.train, plan.data.dither, 'train'),
      test: applyDither(plan.test, plan.data.dither, 'test'),
    };
    const record = (index: number, r: CellRecord): void => {
      file?.append(r);
      out[index] = r;
      config.onCell?.(r, ++finished, plan.cells.length);
    };
    if (plan.parallel > 1 && pending.length > 1) {
      await runParallel(config, data, pending, plan.parallel, record);
      return out;
    }
    for (const { index, cell } of pending) {
      throwIfStudyAborted(config.abortSignal);
      const onProgress = config.onProgress;
      record(
        index,
        await runCell(data, cell, {
          ...(config.abortSignal === undefined ? {} : { signal: config.abortSignal }),
          ...(onProgress === undefined ? {} : { onProgress: (p: FitProgress) => onProgress(cell, p) }),
        }),
      );
    }
    return out;
  } finally {
    file?.close();
  }
}

function throwIfStudyAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) throw new DOMException('the study was aborted', 'AbortError');
}

function shareImages(d: ImageDataset<ImageArray> | TextDataset): ImageDataset<ImageArray> | TextDataset {
  if (isTextDataset(d)) return d;
  const data = new Float32Array(new SharedArrayBuffer(d.images.data.byteLength));
  data.set(d.images.data);
  return { ...d, images: { data, shape: d.images.shape } };
}

/** Runs cells on `parallel` worker threads, each cell a self-contained job (cell in, record out). */
async function runParallel(
  config: StudyConfig,
  data: CellData,
  pending: { index: number; cell: Cell }[],
  parallel: number,
  record: (index: number, r: CellRecord) => void,
): Promise<void> {
  const shared: CellData = { data: data.data, train: shareImages(data.train), test: shareImages(data.test) };
  const queue = [...pending];
  const workers = Array.from({ length: Math.min(parallel, pending.length) }, () => spawnWorker(import.meta.url, 'cellThread'));
  try {
    await Promise.all(
      workers.map(
        (worker) =>
          new Promise<void>((resolve, reject) => {
            const next = (): void => {
              if (config.abortSignal?.aborted === true) {
                reject(new DOMException('the study was aborted', 'AbortError'));
                return;
              }
              const job = queue.shift();
              if (job === undefined) {
                resolve();
                return;
              }
              const onMessage = (msg: { record?: CellRecord; error?: string; progress?: FitProgress }): void => {
                if (msg.progress !== undefined) {
                  config.onProgress?.(job.cell, msg.progress);
                  return;
                }
                worker.off('message', onMessage);
                if (msg.record === undefined) {
                  reject(
                    new Error(`study cell ${job.cell.model} on ${job.cell.signal} (key ${job.cell.key}) failed: ${String(msg.error)}`),
                  );
                  return;
                }
                record(job.index, msg.record);
                next();
              };
              worker.on('message', onMessage);
              worker.postMessage({ cell: job.cell, progress: config.onProgress !== undefined });
            };
            worker.once('error', reject);
            worker.postMessage({ data: shared });
            next();
          }),
      ),
    );
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
