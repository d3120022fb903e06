export * from './model.js';
export * from './registry.js';
export { NotFittedError } from '../errors.js';
