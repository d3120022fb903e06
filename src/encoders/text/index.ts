export * from './alphabet.js';
export * from './quantize.js';
export * from './common.js';
export * from './mnemonic.js';
export * from './lengthEncoding.js';
export * from './patternChar.js';
