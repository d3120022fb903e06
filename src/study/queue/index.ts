/**
 * `blindspots/queue`: run a study's cells on any number of machines through a BullMQ queue on
 * Redis — a coordinator that enqueues and collects, workers that pull cells and run each in a
 * child process. Node-only.
 */
export * from './connection.js';
export * from './coordinator.js';
export * from './job.js';
export * from './worker.js';
