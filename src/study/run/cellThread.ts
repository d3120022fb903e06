// A thread of runStudy's parallel cells: receives the data once, then cells; posts each cell's
// progress (when asked) and record back.
import { parentPort } from 'node:worker_threads';
import type { FitProgress } from '../../models/model.js';
import type { Cell } from '../spec/plan.js';
import { runCell, type CellData } from './runCell.js';

let data: CellData | undefined;
parentPort?.on('message', (msg: { data?: CellData; cell?: Cell; progress?: boolean }) => {
  if (msg.data !== undefined) {
    data = msg.data;
    return;
  }
  if (data === undefined || msg.cell === undefined) return;
  const onProgress = msg.progress === true ? (progress: FitProgress) => parentPort?.postMessage({ progress }) : undefined;
  runCell(data, msg.cell, onProgress === undefined ? {} : { onProgress }).then(
    (record) => parentPort?.postMessage({ record }),
    (e: unknown) => parentPort?.postMessage({ error: e instanceof Error ? e.message : String(e) }),
  );
});
