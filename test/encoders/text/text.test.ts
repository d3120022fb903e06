import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import {
  alphabetIndex,
  charCodes,
  classLengths,
  injectLengthEncoding,
  injectMnemonic,
  injectPatternChar,
  quantize,
  recoverLengthEncoding,
  recoverMnemonic,
  recoverPatternChar,
  ZHANG_ALPHABET,
} from '../../../src/encoders/index.js';
import { BlindspotsError } from '../../../src/errors.js';

describe('the Zhang alphabet and quantiser', () => {
  it("has the paper's 70 entries: letters, digits, punctuation, newline", () => {
    expect(ZHANG_ALPHABET.length).toBe(70);
    expect(ZHANG_ALPHABET.slice(0, 26).join('')).toBe('abcdefghijklmnopqrstuvwxyz');
    expect(ZHANG_ALPHABET[69]).toBe('\n');
    expect(alphabetIndex('-')).toBe(36); // first of its two entries
    expect(alphabetIndex(' ')).toBe(-1);
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
    expect(Array.from(charCodes(['AB'], { length: 2, order: 'forward', lowercase: false }).data)).toEqual([0, 0]);
  });

  it('rejects non-string texts with a typed error', () => {
    expect(() => charCodes([1 as unknown as string])).toThrow(BlindspotsError);
    expect(() => quantize(['a'], { order: 'sideways' as never })).toThrow(/'backward' or 'forward'/);
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
    expect(() => injectLengthEncoding(['a'], [0], { lengths: [3, 3] })).toThrow(/distinct positive integer lengths/);
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
  const { codePointLength, codePointOffset } = await import('../../../src/encoders/text/common.js');
  it('agree with Array.from on astral characters and lone surrogates', () => {
    for (const s of ['', 'abc', '😀', 'a😀b😀', '\ud83d', 'x\ude00y', '\ud83d\ud83d\ude00']) {
      const cps = Array.from(s);
      expect(codePointLength(s)).toBe(cps.length);
      for (let k = 0; k <= cps.length + 1; k++) expect(s.slice(0, codePointOffset(s, k))).toBe(cps.slice(0, k).join(''));
    }
  });
});
