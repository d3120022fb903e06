// The public encoders API: the signals, their oracles and parameter helpers, the registry and
// recoverability, with the types they take and the error class they throw. The shared boundaries
// (encodeImages, setPixel, …) stay internal.
export { BlindspotsError, type ErrorCode, type ErrorDetails } from '../errors.js';
export type { FeatureMatrix, ImageArray, ImageBatch, ImageInput, ImageShape, Labels, LabelsInput, Texts } from '../types.js';
export type { Seed } from '../random.js';
export { COMMON_ENCODER_OPTIONS, type CommonEncoderOption, type EncoderOptions } from './commonOptions.js';
export { DEFAULT_LEVELS, DEFAULT_SCALE, type Encoded, type ImageEncoderOptions, type ImageRecoverOptions } from './image/imageCodec.js';
export { injectOnePixel, recoverOnePixel, type OnePixelOptions } from './image/onePixel.js';
export { injectPatternPixels, patternPixelPositions, recoverPatternPixels, type PatternPixelsOptions } from './image/patternPixels.js';
export { injectRandomPixel, randomPixelPositions, recoverRandomPixel, type RandomPixelOptions } from './image/randomPixel.js';
export {
  injectMultipleLocations,
  multipleLocationsPairs,
  multipleLocationsValues,
  recoverMultipleLocations,
  type MultipleLocationsOptions,
} from './image/multipleLocations.js';
export {
  injectOrthogonalNoise,
  orthogonalNoiseVectors,
  recoverOrthogonalNoise,
  type OrthogonalNoiseOptions,
} from './image/orthogonalNoise.js';
export { injectMeanShift, recoverMeanShift, type MeanShiftOptions } from './image/meanShift.js';
export { MAX_TEXT_LENGTH, type TextEncoderOptions } from './text/textCodec.js';
export { DEFAULT_MNEMONIC_SYMBOLS, injectMnemonic, recoverMnemonic, type MnemonicOptions } from './text/mnemonic.js';
export {
  classLengths,
  DEFAULT_LENGTH_STEP,
  injectLengthEncoding,
  recoverLengthEncoding,
  type LengthEncodingOptions,
} from './text/lengthEncoding.js';
export { DEFAULT_PATTERN_POSITIONS, injectPatternChar, recoverPatternChar, type PatternCharOptions } from './text/patternChar.js';
export { ZHANG_ALPHABET, ZHANG_INPUT_LENGTH, alphabetIndex } from '../data/alphabet.js';
export { charCodes, MAX_QUANTIZED_VALUES, quantize, type QuantizeOptions } from '../data/quantize.js';
export {
  encoderNames,
  encoders,
  getEncoder,
  getImageEncoder,
  getTextEncoder,
  imageEncoderNames,
  textEncoderNames,
  type EncoderEntry,
  type EncoderName,
  type ImageEncoderEntry,
  type ImageEncoderName,
  type ImageSignalOptions,
  type ResolveContext,
  type ResolvedSignalOptions,
  type SignalFamily,
  type SignalInformation,
  type SignalOptions,
  type TextEncoderEntry,
  type TextEncoderName,
  type TextSignalOptions,
} from './encoderRegistry.js';
export { recoverability, type Recoverability } from './recoverability.js';
