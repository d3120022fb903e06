// One worker thread of a forest (forest.ts spawns them): first touches its share of the row-major
// bins' pages (while the parent bins the features), fills that share once the bins are ready, then
// grows the trees it is handed one at a time and posts each back as it finishes.
import { parentPort } from 'node:worker_threads';
import { fillRowBins } from './binning.js';
import { growForestTree, type ForestJob } from './forestTree.js';

type Bins = Uint8Array | Uint16Array | Uint32Array;
type Message =
  | { prefault: Uint8Array; from: number; to: number }
  | { fill: { bins: Bins; rowBins: Bins; rows: number; cols: number; share: [number, number] } }
  | { job: ForestJob }
  | { t: number };

let job: ForestJob | undefined;

parentPort?.on('message', (msg: Message) => {
  if ('prefault' in msg) {
    // Nothing else writes these bytes until this worker fills them (messages arrive in order).
    for (let i = msg.from; i < msg.to; i += 4096) msg.prefault[i] = 0;
    return;
  }
  if ('fill' in msg) {
    const { bins, rowBins, rows, cols, share } = msg.fill;
    fillRowBins(bins, rowBins, rows, cols, share[0], share[1]);
    parentPort?.postMessage({ filled: true });
    return;
  }
  if ('job' in msg) {
    job = msg.job;
    return;
  }
  if (job === undefined) throw new Error('forest worker: a tree before its job');
  const tree = growForestTree(job, msg.t);
  parentPort?.postMessage({ t: msg.t, tree }, [
    tree.feature.buffer,
    tree.threshold.buffer,
    tree.left.buffer,
    tree.right.buffer,
    tree.value.buffer,
  ] as ArrayBuffer[]);
});
