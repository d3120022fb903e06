// A forest worker: grows the trees it is given and posts each back as it finishes.
import { parentPort } from 'node:worker_threads';
import { growForestTree, type ForestJob } from './forest.js';

parentPort?.on('message', ({ job, ids }: { job: ForestJob; ids: number[] }) => {
  for (const t of ids) {
    const tree = growForestTree(job, t);
    parentPort?.postMessage({ t, tree }, [tree.feature.buffer, tree.threshold.buffer, tree.left.buffer, tree.right.buffer, tree.value.buffer] as ArrayBuffer[]);
  }
});
