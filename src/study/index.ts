export * from './recoverabilityTable.js';
export * from './runStudy.js';
export * from './report.js';
