/**
 * `blindspots/queue`: run a study's cells on any number of machines through a BullMQ queue on
 * Redis — a coordinator that enqueues and collects, workers that pull cells and run each in a
 * child process. Node-only. See docs/scale-out.md. (The code lives in src/study/run/queue; each
 * subpath's entry is src/<subpath>/index.ts.)
 */
export * from '../study/run/queue/index.js';
