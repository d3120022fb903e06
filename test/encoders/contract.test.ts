// One options contract for every encoder (issue #26, finding 1): the common options (numClasses,
// scale, seed) are accepted by every encoder and oracle, image or text, through the registry and
// the functions themselves; the ones a signal has no use for change nothing and are listed in its
// `ignoredOptions`; each signal's own options stay strict. The type tests below are checked by
// `tsc` (npm run typecheck), the rest at run time.
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  COMMON_ENCODER_OPTIONS,
  encoderNames,
  encoders,
  getEncoder,
  getImageEncoder,
  getTextEncoder,
  imageEncoderNames,
  injectLengthEncoding,
  injectMeanShift,
  injectMnemonic,
  injectMultipleLocations,
  injectOnePixel,
  injectOrthogonalNoise,
  injectPatternChar,
  injectPatternPixels,
  injectRandomPixel,
  recoverability,
  recoverLengthEncoding,
  recoverMeanShift,
  recoverMnemonic,
  recoverMultipleLocations,
  recoverOnePixel,
  recoverOrthogonalNoise,
  recoverPatternChar,
  recoverPatternPixels,
  recoverRandomPixel,
  textEncoderNames,
  type EncoderOptions,
  type ImageEncoderEntry,
  type ImageEncoderOptions,
  type TextEncoderEntry,
} from '../../src/encoders/index.js';
import { cyclicLabels, gridImages } from '../conformance/fixtures.js';
import { caught } from '../conformance/typedError.js';

const x = gridImages(8, 8, 8, 1);
const y = cyclicLabels(8, 4);
const texts = Array.from({ length: 8 }, (_, i) => `review number ${String(i)} `.repeat(30));

describe('the common options, through the registry (issue #26)', () => {
  it('every image signal takes { numClasses, seed } and { scale } (they threw UNKNOWN_OPTION for some)', () => {
    for (const name of imageEncoderNames) {
      const { inject, recover } = getImageEncoder(name);
      const a = inject(x, y, { numClasses: 4, seed: 1 });
      const b = inject(x, y, { scale: 2e-3 });
      expect(recover(a, { numClasses: 4, seed: 1 }).length, name).toBe(8);
      expect(recover(b, { numClasses: 4, scale: 2e-3 }).length, name).toBe(8);
      expect(recoverability(name, a, y, { numClasses: 4, seed: 1 }).n, name).toBe(8);
    }
  });

  it('every signal, image or text, takes all three, and its oracle recovers with them', () => {
    const common = { numClasses: 4, scale: 1e-3, seed: 1 };
    for (const name of encoderNames) {
      const entry = getEncoder(name);
      const r =
        entry.domain === 'image'
          ? recoverability(name, entry.inject(x, y, common), y, common)
          : recoverability(name, entry.inject(texts, y, common), y, common);
      expect(r.wrong, name).toBe(0);
      if (entry.information === 'complete') expect(r.accuracy, name).toBe(1);
    }
    for (const name of textEncoderNames)
      expect(getTextEncoder(name).recover(getTextEncoder(name).inject(texts, y, common), common)).toEqual(y);
  });

  it('says, for each signal, which common options it uses and which it ignores', () => {
    expect(COMMON_ENCODER_OPTIONS).toEqual(['numClasses', 'scale', 'seed']);
    const ignored = Object.fromEntries(encoderNames.map((n) => [n, encoders[n].ignoredOptions]));
    expect(ignored).toEqual({
      onePixel: ['seed'],
      patternPixels: ['seed'],
      randomPixel: [],
      multipleLocations: ['scale'],
      orthogonalNoise: [],
      meanShift: ['seed'],
      mnemonic: ['scale', 'seed'],
      lengthEncoding: ['scale', 'seed'],
      patternChar: ['scale', 'seed'],
    });
    for (const name of encoderNames) {
      const e = encoders[name];
      for (const o of COMMON_ENCODER_OPTIONS) {
        // Each common option is used or ignored, never both.
        expect(e.options.includes(o) !== (e.ignoredOptions as readonly string[]).includes(o), `${name}.${o}`).toBe(true);
      }
    }
  });

  it('an ignored option changes nothing, and resolve() leaves it out (a study cell key stays the same)', () => {
    expect(injectOnePixel(x, y, { seed: 9 })).toEqual(injectOnePixel(x, y));
    expect(injectMeanShift(x, y, { seed: 9 })).toEqual(injectMeanShift(x, y));
    expect(injectMultipleLocations(x, y, { scale: 0.5 })).toEqual(injectMultipleLocations(x, y));
    expect(injectMnemonic(texts, y, { scale: 2, seed: 9 })).toEqual(injectMnemonic(texts, y));
    const context = { numClasses: 4, shape: x.shape };
    expect(encoders.onePixel.resolve({ seed: 9, range: [0, 1] }, context)).toEqual(encoders.onePixel.resolve({}, context));
    expect(encoders.multipleLocations.resolve({ scale: 0.5 }, context)).toEqual(encoders.multipleLocations.resolve({}, context));
    expect(encoders.patternChar.resolve({ seed: 9, scale: 2 }, context)).toEqual(encoders.patternChar.resolve({}, context));
  });

  it('checks the values of ignored options like the used ones', () => {
    expect(caught(() => injectOnePixel(x, y, { seed: {} as never })).details).toMatchObject({ fn: 'injectOnePixel', arg: 'options.seed' });
    expect(caught(() => injectMultipleLocations(x, y, { scale: -1 })).details).toMatchObject({ arg: 'options.scale' });
    expect(caught(() => injectMnemonic(texts, y, { scale: 0 })).details).toMatchObject({ fn: 'injectMnemonic', arg: 'options.scale' });
    expect(caught(() => recoverPatternChar(texts, { seed: Number.NaN })).details).toMatchObject({ arg: 'options.seed' });
  });

  it("keeps each signal's own options strict", () => {
    // @ts-expect-error -- position is onePixel's option
    expect(caught(() => injectMeanShift(x, y, { position: [0, 0] })).code).toBe('UNKNOWN_OPTION');
    // @ts-expect-error -- minDistance is multipleLocations' option
    expect(caught(() => injectOrthogonalNoise(x, y, { minDistance: 2 })).code).toBe('UNKNOWN_OPTION');
    // @ts-expect-error -- range is the image signals' option
    expect(caught(() => injectMnemonic(texts, y, { range: [0, 1] })).code).toBe('UNKNOWN_OPTION');
    // @ts-expect-error -- symbols is mnemonic's option
    expect(caught(() => injectLengthEncoding(texts, y, { symbols: 'ab' })).code).toBe('UNKNOWN_OPTION');
    // Through the registry the type is every signal's options (the name is a value), so only run time says it.
    expect(caught(() => getImageEncoder('meanShift').inject(x, y, { position: [0, 0] })).details.arg).toBe('options.position');
  });
});

describe('types: what each encoder and oracle accepts (checked by tsc)', () => {
  it('every encoder and oracle function takes the common options', () => {
    const common: EncoderOptions = { numClasses: 4, scale: 1e-3, seed: 1 };
    expectTypeOf(injectOnePixel).toBeCallableWith(x, y, common);
    expectTypeOf(injectPatternPixels).toBeCallableWith(x, y, common);
    expectTypeOf(injectRandomPixel).toBeCallableWith(x, y, common);
    expectTypeOf(injectMultipleLocations).toBeCallableWith(x, y, common);
    expectTypeOf(injectOrthogonalNoise).toBeCallableWith(x, y, common);
    expectTypeOf(injectMeanShift).toBeCallableWith(x, y, common);
    expectTypeOf(injectMnemonic).toBeCallableWith(texts, y, common);
    expectTypeOf(injectLengthEncoding).toBeCallableWith(texts, y, common);
    expectTypeOf(injectPatternChar).toBeCallableWith(texts, y, common);
    expectTypeOf(recoverOnePixel).toBeCallableWith(x, common);
    expectTypeOf(recoverPatternPixels).toBeCallableWith(x, common);
    expectTypeOf(recoverRandomPixel).toBeCallableWith(x, common);
    expectTypeOf(recoverMultipleLocations).toBeCallableWith(x, common);
    expectTypeOf(recoverOrthogonalNoise).toBeCallableWith(x, common);
    expectTypeOf(recoverMeanShift).toBeCallableWith(x, common);
    expectTypeOf(recoverMnemonic).toBeCallableWith(texts, common);
    expectTypeOf(recoverLengthEncoding).toBeCallableWith(texts, common);
    expectTypeOf(recoverPatternChar).toBeCallableWith(texts, common);
  });

  it('image encoders and oracles take range; the registry takes the common options for every name', () => {
    const withRange: ImageEncoderOptions = { numClasses: 4, range: [0, 255] };
    expectTypeOf(injectOnePixel).toBeCallableWith(x, y, withRange);
    expectTypeOf(recoverMeanShift).toBeCallableWith(x, withRange);
    expectTypeOf<EncoderOptions>().toExtend<NonNullable<Parameters<ImageEncoderEntry['inject']>[2]>>();
    expectTypeOf<EncoderOptions>().toExtend<NonNullable<Parameters<ImageEncoderEntry['recover']>[1]>>();
    expectTypeOf<EncoderOptions>().toExtend<NonNullable<Parameters<TextEncoderEntry['inject']>[2]>>();
    expectTypeOf<EncoderOptions>().toExtend<NonNullable<Parameters<TextEncoderEntry['recover']>[1]>>();
    expectTypeOf<ImageEncoderEntry['ignoredOptions']>().toEqualTypeOf<readonly ('numClasses' | 'scale' | 'seed')[]>();
    // Options of one signal only do not compile on another (see the @ts-expect-error lines above).
    expectTypeOf<ImageEncoderOptions>().not.toHaveProperty('position');
    expectTypeOf<EncoderOptions>().not.toHaveProperty('range');
  });
});
