export { describeBackend, useFastestBackend, type BackendInfo, type BackendName, type BackendOptions } from './backend.js';
export { registerWasmTrainingKernels } from '../../kernels/tfjs/index.js';
export { loadModel } from './loadModel.js';
export {
  ConvNetModel,
  ImageConvNetModel,
  INIT_SCHEMES,
  THREADINGS,
  type ConvNetManifest,
  type InitScheme,
  type Threading,
  type TrainOptions,
} from './convNet.js';
export { ResNet, STRIDE_PADDINGS, type ResNetOptions, type StridePadding } from './resnet.js';
export { CharCNN, charCnnOutputLength, type CharCNNOptions } from './charCnn.js';
export { Perceptron } from './perceptron.js';
export { ShallowMaxNN, type ShallowMaxNNOptions } from './shallowMax.js';
