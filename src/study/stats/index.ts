export * from './binomialInterval.js';
export * from './mcnemarExact.js';
export * from './verdict.js';
export * from './pairedTest.js';
export * from './recordPairedTest.js';
export * from './aggregateSeeds.js';
