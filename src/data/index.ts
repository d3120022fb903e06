export * from './fashionMnist.js';
