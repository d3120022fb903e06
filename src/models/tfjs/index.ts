export * from './backend.js';
export { registerWasmTrainingKernels } from './kernels/index.js';
export { ConvNetModel, ImageConvNetModel, type TrainOptions, type ConvNetManifest } from './convNet.js';
export * from './resnet.js';
export * from './charCnn.js';
export * from './perceptron.js';
export * from './shallowMax.js';
