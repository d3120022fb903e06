export * from './recoverabilityTable.js';
