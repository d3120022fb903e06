export * from './image/index.js';
export * from './text/index.js';
export * from './registry.js';
export * from './recoverability.js';
