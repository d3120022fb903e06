import * as tf from '@tensorflow/tfjs';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { BlindspotsError, blindspotsMatchers, type SignalPair } from '../../src/vitest/index.js';
import { encoders, injectMeanShift, injectOnePixel, injectOrthogonalNoise, injectRandomPixel } from '../../src/encoders/index.js';
import type { ImageArray } from '../../src/types.js';
import { cyclicLabels, gridImages } from '../conformance/fixtures.js';

expect.extend(blindspotsMatchers);

/** The message of what `call` throws. */
function thrown(call: () => unknown): Error {
  try {
    call();
  } catch (e) {
    return e as Error;
  }
  throw new Error('nothing thrown');
}

describe('toRecoverLabels', () => {
  const x = gridImages(10, 8, 8, 3);
  const y = cyclicLabels(10, 5);

  it('passes when the oracle recovers the labels', () => {
    expect(injectOrthogonalNoise(x, y)).toRecoverLabels('orthogonalNoise', y);
    expect(injectOnePixel(x, y, { position: [1, 1] })).toRecoverLabels('onePixel', y, { position: [1, 1] });
  });

  it('fails, with the figures, when they are not there', () => {
    expect(() => expect(x).toRecoverLabels('orthogonalNoise', y)).toThrow(/got 0\.00% recovered \(0 wrong, 10 ambiguous of 10\)/);
    expect(x).not.toRecoverLabels('meanShift', y);
  });

  it('honours minAccuracy', () => {
    const half = x.data.slice();
    const enc = injectOnePixel(x, y);
    half.set(enc.data.subarray(0, 5 * 8 * 8 * 3));
    expect({ data: half, shape: x.shape }).toRecoverLabels('onePixel', y, { minAccuracy: 0.5 });
    expect({ data: half, shape: x.shape }).not.toRecoverLabels('onePixel', y, { minAccuracy: 0.9 });
    expect(thrown(() => expect(x).toRecoverLabels('onePixel', y, { minAccuracy: 2 }))).toMatchObject({
      code: 'INVALID_ARGUMENT',
      details: { fn: 'toRecoverLabels', arg: 'options.minAccuracy' },
    });
  });
});

describe('toRecoverLabels: names, pairs and messages (issue #26)', () => {
  const x = gridImages(10, 8, 8, 3);
  const y = cyclicLabels(10, 5);

  it('takes the registered names only: a misspelt one does not compile, and at run time the error names the matcher', () => {
    // @ts-expect-error -- 'one-pixel' is not a registered signal name
    const e = thrown(() => expect(injectOnePixel(x, y)).toRecoverLabels('one-pixel', y));
    expect(e).toBeInstanceOf(BlindspotsError);
    expect(e).toMatchObject({ code: 'UNKNOWN_NAME', details: { fn: 'toRecoverLabels', arg: 'name' } });
    expect(e.message).toMatch(/^toRecoverLabels: argument 'name': expected one of onePixel, /);
    // A registered name of the other domain is a typed error naming the matcher too.
    expect(thrown(() => expect(x).toRecoverLabels('mnemonic', y))).toMatchObject({ details: { fn: 'toRecoverLabels', arg: 'encoded' } });
  });

  it('names the matcher and the options used in a failure, and the seed the batch was encoded with', () => {
    const e = thrown(() => expect(injectOrthogonalNoise(x, y, { seed: 7 })).toRecoverLabels('orthogonalNoise', y));
    expect(e.message).toMatch(/^toRecoverLabels\('orthogonalNoise'\): expected the oracle to recover >= 100% of the labels, got 0\.00%/);
    expect(e.message).toContain('options used: {"numClasses":5,"scale":0.001,"seed":0}');
    expect(e.message).toContain(
      'likely mismatch: with { seed: 7 } the oracle recovers 100.00% of the first 10 samples: was the batch encoded with { seed: 7 }?',
    );
  });

  it('suggests the scale the batch was encoded with', () => {
    const e = thrown(() => expect(injectOnePixel(x, y, { scale: 2e-3 })).toRecoverLabels('onePixel', y));
    expect(e.message).toContain('likely mismatch: with { scale: 0.002 } the oracle recovers 100.00%');
    expect(e.message).toContain('options used: {"numClasses":5,"scale":0.001,"position":[0,0]}');
  });

  it('says when a given option has no effect on the signal', () => {
    const e = thrown(() => expect(x).toRecoverLabels('meanShift', y, { seed: 3 }));
    expect(e.message).toContain('options used: {"numClasses":5,"scale":0.001} (seed: given, no effect on meanShift)');
  });

  it('says what the off-grid oracles need when every sample is ambiguous', () => {
    const grey = gridImages(10, 8, 8, 1);
    const real = { data: grey.data.map((v) => v * 0.999 + 1e-4), shape: grey.shape };
    const e = thrown(() => expect(injectRandomPixel(real, y)).toRecoverLabels('randomPixel', y));
    expect(e.message).toMatch(
      /likely mismatch: \d+ of 10 samples are ambiguous, and this oracle reads the off-grid residual: it needs clean images on the k\/255 grid/,
    );
  });

  it('says when labels come back as other classes (an order mismatch)', () => {
    const e = thrown(() => expect(injectMeanShift(x, y)).toRecoverLabels('meanShift', Int32Array.from(y).reverse()));
    expect(e.message).toMatch(/samples decoded to another class, .*are the labels in the order of the encoded batch\?/);
  });

  it('refuses 0..255 images with a typed error naming the matcher and the fix', () => {
    const byte = { data: x.data.map((v) => v * 255), shape: x.shape };
    const e = thrown(() => expect(byte).toRecoverLabels('orthogonalNoise', y));
    expect(e).toMatchObject({ code: 'INVALID_ARGUMENT', details: { fn: 'toRecoverLabels', arg: 'encoded' } });
    expect(e.message).toMatch(/divide by 255/);
  });

  it('checks an encoder/oracle pair of your own on the clean batch', () => {
    const mine = {
      name: 'lastValue',
      inject: (clean: ImageArray, labels: Int32Array) => {
        const data = clean.data.slice();
        const d = data.length / labels.length;
        labels.forEach((label, i) => (data[(i + 1) * d - 1] = label / 100));
        return { data, shape: clean.shape };
      },
      recover: (encoded: ImageArray, options: { offset?: number } = {}) => {
        const n = encoded.shape[0];
        const d = encoded.data.length / n;
        return Array.from({ length: n }, (_, i) => Math.round((encoded.data[(i + 1) * d - 1] ?? 0) * 100) + (options.offset ?? 0));
      },
    };
    expect(x).toRecoverLabels(mine, y);
    const e = thrown(() => expect(x).toRecoverLabels(mine, y, { offset: 1 }));
    expect(e.message).toMatch(
      /^toRecoverLabels\(lastValue\): expected the oracle to recover >= 100% of the labels, got 0\.00% recovered \(10 wrong/,
    );
    expect(e.message).toContain('options used: {"offset":1}');
    expect(e.message).toContain('likely mismatch: 10 samples decoded to another class: do inject and recover agree on the code');
    // A registry entry is a pair too: the round trip of the library's own encoder.
    expect(x).toRecoverLabels(encoders.meanShift, y);
    const t = tf.tensor4d(x.data, [...x.shape]);
    expect(t).toRecoverLabels(encoders.orthogonalNoise, y, { seed: 3 });
    t.dispose();
  });

  it('names 0..255 clean images and an oracle that decides nothing, for a pair', () => {
    const byte = { data: x.data.map((v) => v * 255), shape: x.shape };
    const blind: SignalPair<ImageArray, object> = { inject: (c) => c, recover: (c) => new Int32Array(c.shape[0]).fill(-1) };
    const e = thrown(() => expect(byte).toRecoverLabels(blind, y));
    expect(e.message).toMatch(/^toRecoverLabels\(inject\/recover\): /);
    expect(e.message).toMatch(/likely mismatch: the clean batch holds values in \[0, 255\] \(0\.\.255 images\? divide by 255\)/);
    expect(e.message).toMatch(/likely mismatch: the oracle decided no sample \(-1 for all\)/);
    const short: SignalPair<ImageArray, object> = { inject: (c) => c, recover: () => [0, 1] };
    expect(thrown(() => expect(x).toRecoverLabels(short, y))).toMatchObject({
      code: 'LENGTH_MISMATCH',
      details: { fn: 'toRecoverLabels', arg: 'signal.recover' },
    });
    expect(thrown(() => expect(x).toRecoverLabels({ inject: 1 } as never, y))).toMatchObject({
      code: 'INVALID_ARGUMENT',
      details: { fn: 'toRecoverLabels', arg: 'signal' },
    });
  });

  it('types: names are the registered union, pairs take their own options', () => {
    expectTypeOf<Parameters<typeof blindspotsMatchers.toRecoverLabels>[1]>().toEqualTypeOf<
      | 'onePixel'
      | 'patternPixels'
      | 'randomPixel'
      | 'multipleLocations'
      | 'orthogonalNoise'
      | 'meanShift'
      | 'mnemonic'
      | 'lengthEncoding'
      | 'patternChar'
      | SignalPair
    >();
    const pair: SignalPair<ImageArray, { offset?: number }> = { inject: (c) => c, recover: (c) => new Int32Array(c.shape[0]) };
    // The pair's options are checked against its own functions' options.
    // @ts-expect-error -- 'ofset' is not an option of this pair
    const misspelt = () => expect(x).toRecoverLabels(pair, y, { ofset: 1 });
    expect(misspelt).toBeTypeOf('function');
    // @ts-expect-error -- a misspelt option: the name form takes the signals' options (SignalOptions)
    const wrong = () => expect(x).toRecoverLabels('meanShift', y, { positon: [0, 0] });
    expect(wrong).toBeTypeOf('function');
  });
});
