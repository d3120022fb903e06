import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import {
  alphabetIndex,
  charCodes,
  classLengths,
  injectLengthEncoding,
  injectMnemonic,
  injectPatternChar,
  MAX_QUANTIZED_VALUES,
  MAX_TEXT_LENGTH,
  quantize,
  recoverLengthEncoding,
  recoverMnemonic,
  recoverPatternChar,
  ZHANG_ALPHABET,
} from '../../../src/encoders/index.js';
import { BlindspotsError, type ErrorCode } from '../../../src/errors.js';
import { LENGTH_ENCODING_OPTIONS } from '../../../src/encoders/text/lengthEncoding.js';
import { MNEMONIC_OPTIONS } from '../../../src/encoders/text/mnemonic.js';
import { PATTERN_CHAR_OPTIONS } from '../../../src/encoders/text/patternChar.js';
import { QUANTIZE_OPTIONS } from '../../../src/data/quantize.js';

/** The BlindspotsError `call` throws, after checking its code, public function and argument. */
function typedError(call: () => unknown, code: ErrorCode, fn: string, arg: string): BlindspotsError {
  let thrown: unknown;
  try {
    call();
  } catch (e) {
    thrown = e;
  }
  expect(thrown).toBeInstanceOf(BlindspotsError);
  const e = thrown as BlindspotsError;
  expect({ code: e.code, fn: e.details.fn, arg: e.details.arg }).toEqual({ code, fn, arg });
  return e;
}

describe('the Zhang alphabet and quantiser', () => {
  it("has the paper's 70 entries: letters, digits, punctuation, newline", () => {
    expect(ZHANG_ALPHABET.length).toBe(70);
    expect(ZHANG_ALPHABET.slice(0, 26).join('')).toBe('abcdefghijklmnopqrstuvwxyz');
    expect(ZHANG_ALPHABET[69]).toBe('\n');
    expect(alphabetIndex('-')).toBe(36); // first of its two entries
    expect(alphabetIndex(' ')).toBe(-1);
    typedError(() => alphabetIndex(97 as never), 'INVALID_ARGUMENT', 'alphabetIndex', 'ch');
  });

  it('one-hot, backward order, lowercased, unknown characters and padding all-zero', () => {
    const before = tf.memory().numTensors;
    const x = quantize(['Ab c', 'é!'], { length: 6 });
    expect(x.shape).toEqual([2, 6, 70]);
    const v = x.arraySync();
    const hot = (row: number[]) => row.indexOf(1);
    // 'Ab c' backward: c, ' ', b, a
    expect(v[0]!.map(hot)).toEqual([2, -1, 1, 0, -1, -1]);
    // 'é!' backward: '!', 'é' (not in the alphabet)
    expect(v[1]!.map(hot)).toEqual([alphabetIndex('!'), -1, -1, -1, -1, -1]);
    expect(v[0]!.every((row) => row.reduce((a, b) => a + b, 0) <= 1)).toBe(true);
    x.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('keeps the last `length` characters backward, the first ones forward; an emoji is one position', () => {
    const long = 'x'.repeat(1100) + 'abc';
    expect(Array.from(charCodes([long]).data.subarray(0, 3))).toEqual([3, 2, 1]);
    expect(charCodes([long]).cols).toBe(1014);
    expect(Array.from(charCodes(['a😀b'], { length: 4, order: 'forward' }).data)).toEqual([1, 0, 2, 0]);
    expect(Array.from(charCodes(['a😀b'], { length: 4 }).data)).toEqual([2, 0, 1, 0]);
    // Lone surrogates are one position each, in both orders.
    expect(Array.from(charCodes(['\ude00a\ud83d'], { length: 4 }).data)).toEqual([0, 1, 0, 0]);
    expect(Array.from(charCodes(['\ude00a\ud83d'], { length: 4, order: 'forward' }).data)).toEqual([0, 1, 0, 0]);
    expect(Array.from(charCodes(['AB'], { length: 2, order: 'forward', lowercase: false }).data)).toEqual([0, 0]);
  });

  it('rejects non-string texts with a typed error', () => {
    expect(() => charCodes([1 as unknown as string])).toThrow(BlindspotsError);
    expect(() => quantize(['a'], { order: 'sideways' as never })).toThrow(/one of "backward", "forward"/);
  });
});

describe('injectMnemonic', () => {
  it('replaces the first character (a code point) by the class symbol', () => {
    expect(injectMnemonic(['great food', '😀 emoji'], [3, 11])).toEqual(['3reat food', 'b emoji']);
    expect(recoverMnemonic(['3reat food', 'b emoji', 'zzz'], { numClasses: 12 })).toEqual(Int32Array.of(3, 11, -1));
  });
  it('takes custom symbols and refers to their count in errors', () => {
    expect(injectMnemonic(['ab', 'cd'], [0, 1], { symbols: '#@' })).toEqual(['#b', '@d']);
    expect(() => injectMnemonic(['ab'], [2], { symbols: '#@' })).toThrow(/at most 2 classes/);
    expect(() => injectMnemonic(['ab'], [0], { symbols: '##' })).toThrow(/distinct characters/);
  });
});

describe('injectLengthEncoding', () => {
  it('cuts or space-pads to the class length (50 * (k + 1) by default)', () => {
    const [a, b] = injectLengthEncoding(['short', 'y'.repeat(500)], [1, 2]);
    expect(a).toBe('short' + ' '.repeat(95));
    expect(b).toBe('y'.repeat(150));
    expect(classLengths(3)).toEqual([50, 100, 150]);
    expect(recoverLengthEncoding([a as string, b as string, 'abc'])).toEqual(Int32Array.of(1, 2, -1));
  });
  it('counts code points, and takes custom lengths', () => {
    const [t] = injectLengthEncoding(['😀😀😀😀'], [0], { lengths: [2, 5] });
    expect(Array.from(t as string).length).toBe(2);
    expect(() => injectLengthEncoding(['a'], [0], { lengths: [3, 3] })).toThrow(/distinct integer lengths in \[1, 1048576\]/);
    expect(() => injectLengthEncoding(['a'], [2], { lengths: [3, 4] })).toThrow(/at most 2 classes/);
  });
  it('after quantisation a space-padded text looks like the unpadded one (the documented ambiguity)', () => {
    const [padded] = injectLengthEncoding(['abc'], [0]);
    expect(Array.from(charCodes([padded as string], { order: 'forward' }).data)).toEqual(
      Array.from(charCodes(['abc'], { order: 'forward' }).data),
    );
  });
});

describe('injectPatternChar', () => {
  const base = 'x'.repeat(250);
  it("writes '0' at position k for each 1 bit of the label, leaves 0 bits unchanged", () => {
    const [t] = injectPatternChar([base], [5]);
    const chars = Array.from(t as string);
    expect([chars[50], chars[150], chars[200]]).toEqual(['0', 'x', '0']);
    expect(chars.filter((c) => c === '0').length).toBe(2);
  });
  it('pads short texts with spaces to the last position (or rejects them on request)', () => {
    const [t] = injectPatternChar(['tiny'], [4]);
    expect(Array.from(t as string).length).toBe(201);
    expect((t as string).startsWith('tiny ')).toBe(true);
    expect(Array.from(t as string)[200]).toBe('0');
    expect(() => injectPatternChar(['tiny'], [4], { shortTexts: 'error' })).toThrow(/at least 201 characters/);
  });
  it('is partial: a natural 0 at a 0-bit position decodes as a 1 bit', () => {
    const natural = 'x'.repeat(150) + '0' + 'x'.repeat(99);
    expect(recoverPatternChar(injectPatternChar([natural], [1]))).toEqual(Int32Array.of(3));
    expect(() => injectPatternChar([base], [8])).toThrow(/at most 8 classes/);
  });
});

describe('code point helpers', async () => {
  const { codePointLength, codePointOffset } = await import('../../../src/encoders/text/textCodec.js');
  it('agree with Array.from on astral characters and lone surrogates', () => {
    for (const s of ['', 'abc', '😀', 'a😀b😀', '\ud83d', 'x\ude00y', '\ud83d\ud83d\ude00']) {
      const cps = Array.from(s);
      expect(codePointLength(s)).toBe(cps.length);
      for (let k = 0; k <= cps.length + 1; k++) expect(s.slice(0, codePointOffset(s, k))).toBe(cps.slice(0, k).join(''));
    }
  });
});

describe('typed errors at every text boundary (issue #13)', () => {
  const texts = ['x'.repeat(250), 'y'.repeat(250)];

  it('declares its option names (the common ones first: scale and seed are accepted without effect)', () => {
    expect(MNEMONIC_OPTIONS).toEqual(['numClasses', 'scale', 'seed', 'symbols']);
    expect(LENGTH_ENCODING_OPTIONS).toEqual(['numClasses', 'scale', 'seed', 'lengths']);
    expect(PATTERN_CHAR_OPTIONS).toEqual(['numClasses', 'scale', 'seed', 'positions', 'mark', 'shortTexts']);
    expect(QUANTIZE_OPTIONS).toEqual(['length', 'order', 'lowercase']);
  });

  // [public function, a call with these options]
  const calls: [string, (options: unknown) => unknown][] = [
    ['injectMnemonic', (o) => injectMnemonic(texts, [0, 1], o as never)],
    ['recoverMnemonic', (o) => recoverMnemonic(texts, o as never)],
    ['injectLengthEncoding', (o) => injectLengthEncoding(texts, [0, 1], o as never)],
    ['recoverLengthEncoding', (o) => recoverLengthEncoding(texts, o as never)],
    ['injectPatternChar', (o) => injectPatternChar(texts, [0, 1], o as never)],
    ['recoverPatternChar', (o) => recoverPatternChar(texts, o as never)],
    ['quantize', (o) => (quantize(texts, o as never) as { dispose?: () => void }).dispose?.()],
    ['charCodes', (o) => charCodes(texts, o as never)],
    ['classLengths', (o) => classLengths(2, o as never)],
  ];

  it.each(calls)('%s: an unknown option is UNKNOWN_OPTION with the closest name; non-objects are INVALID_ARGUMENT', (fn, call) => {
    const e = typedError(() => call({ numClases: 2 }), 'UNKNOWN_OPTION', fn, 'options.numClases');
    if (fn === 'quantize' || fn === 'charCodes') expect(e.message).toMatch(/one of length, order, lowercase/);
    else expect(e.message).toMatch(/did you mean 'numClasses'\?/);
    for (const bad of [null, 'numClasses', 5, [2], true]) typedError(() => call(bad), 'INVALID_ARGUMENT', fn, 'options');
    // undefined options and undefined values are absent options.
    call(undefined);
    call({ numClasses: undefined });
  });

  it('suggests the option meant', () => {
    expect(
      typedError(() => injectMnemonic(texts, [0, 1], { symbol: '#@' } as never), 'UNKNOWN_OPTION', 'injectMnemonic', 'options.symbol')
        .message,
    ).toMatch(/did you mean 'symbols'/);
    expect(
      typedError(
        () => injectLengthEncoding(texts, [0, 1], { length: [3, 4] } as never),
        'UNKNOWN_OPTION',
        'injectLengthEncoding',
        'options.length',
      ).message,
    ).toMatch(/did you mean 'lengths'/);
    expect(
      typedError(() => recoverPatternChar(texts, { position: [3] } as never), 'UNKNOWN_OPTION', 'recoverPatternChar', 'options.position')
        .message,
    ).toMatch(/did you mean 'positions'/);
    expect(
      typedError(() => charCodes(texts, { ordre: 'forward' } as never), 'UNKNOWN_OPTION', 'charCodes', 'options.ordre').message,
    ).toMatch(/did you mean 'order'/);
  });

  it('booleans must be booleans and choices one of theirs', () => {
    // 'false' used to lowercase (any non-true value did).
    typedError(() => quantize(['AB'], { lowercase: 'false' as never }), 'INVALID_ARGUMENT', 'quantize', 'options.lowercase');
    typedError(() => charCodes(['AB'], { lowercase: 0 as never }), 'INVALID_ARGUMENT', 'charCodes', 'options.lowercase');
    typedError(() => charCodes(['AB'], { order: 'Forward' as never }), 'INVALID_ARGUMENT', 'charCodes', 'options.order');
    typedError(
      () => injectPatternChar(texts, [0, 1], { shortTexts: 'Error' as never }),
      'INVALID_ARGUMENT',
      'injectPatternChar',
      'options.shortTexts',
    );
    typedError(
      () => recoverPatternChar(texts, { shortTexts: 'skip' as never }),
      'INVALID_ARGUMENT',
      'recoverPatternChar',
      'options.shortTexts',
    );
  });

  it('refuses option values that would exhaust memory or throw a raw error', () => {
    // An object with a huge length used to be spread into an array.
    typedError(
      () => injectMnemonic(texts, [0, 1], { symbols: { length: 2 ** 30 } as never }),
      'INVALID_ARGUMENT',
      'injectMnemonic',
      'options.symbols',
    );
    // A BigInt made the error message itself throw a TypeError.
    typedError(
      () => injectLengthEncoding(texts, [0, 1], { lengths: [1n, 2n] as never }),
      'INVALID_ARGUMENT',
      'injectLengthEncoding',
      'options.lengths',
    );
    typedError(() => classLengths(Number.NaN), 'INVALID_ARGUMENT', 'classLengths', 'numClasses');
    typedError(() => classLengths(2, { lengths: [0, 1] }), 'INVALID_ARGUMENT', 'classLengths', 'options.lengths');
  });

  it.each([
    ['injectMnemonic', (y: number[]) => injectMnemonic(texts, y)],
    ['injectLengthEncoding', (y: number[]) => injectLengthEncoding(texts, y)],
    ['injectPatternChar', (y: number[]) => injectPatternChar(texts, y)],
  ] as const)('%s: labels of 2^31 and above are LABEL_OUT_OF_RANGE, not wrapped to small classes', (fn, call) => {
    for (const big of [2 ** 31, 2 ** 32, 2 ** 32 + 1]) typedError(() => call([0, big]), 'LABEL_OUT_OF_RANGE', fn, 'labels');
  });

  it('caps lengths and positions at MAX_TEXT_LENGTH instead of exhausting the heap', () => {
    expect(MAX_TEXT_LENGTH).toBe(2 ** 20);
    // 2^30 used to end the process (heap out of memory); 1e9 threw a raw RangeError.
    typedError(() => injectPatternChar(['a'], [1], { positions: [2 ** 30] }), 'INVALID_ARGUMENT', 'injectPatternChar', 'options.positions');
    typedError(
      () => recoverPatternChar(['a'], { positions: [MAX_TEXT_LENGTH] }),
      'INVALID_ARGUMENT',
      'recoverPatternChar',
      'options.positions',
    );
    typedError(() => injectLengthEncoding(['a'], [0], { lengths: [1e9] }), 'INVALID_ARGUMENT', 'injectLengthEncoding', 'options.lengths');
    typedError(
      () => recoverLengthEncoding(['a'], { lengths: [MAX_TEXT_LENGTH + 1] }),
      'INVALID_ARGUMENT',
      'recoverLengthEncoding',
      'options.lengths',
    );
    typedError(() => quantize(['a'], { length: MAX_TEXT_LENGTH + 1 }), 'INVALID_ARGUMENT', 'quantize', 'options.length');
    // The caps themselves are allowed.
    expect(Array.from(injectPatternChar(['a'], [1], { positions: [MAX_TEXT_LENGTH - 1] })[0] as string).length).toBe(MAX_TEXT_LENGTH);
    expect((injectLengthEncoding(['a'], [0], { lengths: [MAX_TEXT_LENGTH] })[0] as string).length).toBe(MAX_TEXT_LENGTH);
  });

  it('refuses a quantised output above MAX_QUANTIZED_VALUES before allocating it', () => {
    const perCall = Math.floor(MAX_QUANTIZED_VALUES / (1014 * 70));
    const many = new Array<string>(perCall + 1).fill('a');
    expect(typedError(() => quantize(many), 'INVALID_ARGUMENT', 'quantize', 'texts').message).toMatch(/MAX_QUANTIZED_VALUES/);
    typedError(() => charCodes(new Array<string>(2048).fill('a'), { length: MAX_TEXT_LENGTH }), 'INVALID_ARGUMENT', 'charCodes', 'texts');
  });

  it('sparse arrays of texts are INVALID_ARGUMENT naming the hole, in encoders, decoders and quantisers', () => {
    // A hole at index 1, as `new Array(3)` or a deleted element leaves.
    const sparse = new Array<string>(3);
    sparse[0] = 'x'.repeat(250);
    sparse[2] = 'y'.repeat(250);

    const hole = /a hole at index 1/;
    expect(typedError(() => injectMnemonic(sparse, [0, 1, 2]), 'INVALID_ARGUMENT', 'injectMnemonic', 'texts').message).toMatch(hole);
    typedError(() => injectLengthEncoding(sparse, [0, 1, 2]), 'INVALID_ARGUMENT', 'injectLengthEncoding', 'texts');
    typedError(() => injectPatternChar(sparse, [0, 1, 2]), 'INVALID_ARGUMENT', 'injectPatternChar', 'texts');
    typedError(() => recoverMnemonic(sparse), 'INVALID_ARGUMENT', 'recoverMnemonic', 'encoded');
    typedError(() => recoverLengthEncoding(sparse), 'INVALID_ARGUMENT', 'recoverLengthEncoding', 'encoded');
    typedError(() => recoverPatternChar(sparse), 'INVALID_ARGUMENT', 'recoverPatternChar', 'encoded');
    expect(typedError(() => quantize(sparse), 'INVALID_ARGUMENT', 'quantize', 'texts').message).toMatch(hole);
    typedError(() => charCodes(new Array<string>(3)), 'INVALID_ARGUMENT', 'charCodes', 'texts');
  });

  it('quantize([]) and charCodes([]) are EMPTY_INPUT, as everywhere else; empty strings stay valid', () => {
    typedError(() => quantize([]), 'EMPTY_INPUT', 'quantize', 'texts');
    typedError(() => charCodes([]), 'EMPTY_INPUT', 'charCodes', 'texts');
    typedError(() => charCodes('abc' as never), 'INVALID_ARGUMENT', 'charCodes', 'texts');
    expect(Array.from(charCodes([''], { length: 2 }).data)).toEqual([0, 0]);
  });
});
