export * from './fashionMnist.js';
export * from './spamAssassin.js';
export * from './split.js';
export * from './zhangCsv.js';
