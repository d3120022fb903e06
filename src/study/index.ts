export * from './recoverabilityTable.js';
export * from './records.js';
export * from './plan.js';
export * from './runCell.js';
export * from './runStudy.js';
export * from './report.js';
export * from './prepare.js';
export * from './merge.js';
