// A study cell worker: receives the data once, then cells; posts each cell's record back.
import { parentPort } from 'node:worker_threads';
import { runCell, type Cell, type CellData } from './runStudy.js';

let data: CellData | undefined;
parentPort?.on('message', (msg: { data?: CellData; cell?: Cell; key?: string }) => {
  if (msg.data !== undefined) {
    data = msg.data;
    return;
  }
  if (data === undefined || msg.cell === undefined || msg.key === undefined) return;
  runCell(data, msg.cell, msg.key).then(
    (record) => parentPort?.postMessage({ record }),
    (e: unknown) => parentPort?.postMessage({ error: e instanceof Error ? e.message : String(e) }),
  );
});
