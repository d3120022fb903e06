import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { injectOnePixel, ONE_PIXEL_OPTIONS, recoverOnePixel } from '../../src/encoders/image/onePixel.js';
import { BlindspotsError } from '../../src/errors.js';
import type { ImageInput, LabelsInput } from '../../src/types.js';
import { checkEncoder, missingCases, type EncoderUnderTest } from './encoderHarness.js';
import { cyclicLabels, gridImages } from './fixtures.js';

const c = { images: gridImages(8, 6, 6, 1), labels: cyclicLabels(8, 4), options: { numClasses: 4 } };

/** A conformant encoder to derive broken ones from. */
const good: EncoderUnderTest = {
  name: 'toyGood',
  information: 'complete',
  inject: (x, y, o) => injectOnePixel(x, y, o),
  recover: (x, o) => recoverOnePixel(x, o),
  options: ONE_PIXEL_OPTIONS.filter((o) => o !== 'seed' && o !== 'range'),
  recoverOptions: ONE_PIXEL_OPTIONS.filter((o) => o !== 'seed' && o !== 'range'),
  ignoredOptions: ['seed'],
};

function broken(name: string, inject: (x: ImageInput, y: LabelsInput, o?: Record<string, unknown>) => ImageInput): EncoderUnderTest {
  return { ...good, name, inject };
}

describe('the encoder conformance harness', () => {
  it('passes a conformant toy encoder', () => {
    expect(checkEncoder(good, c)).toEqual([]);
  });

  it('catches an encoder that mutates its input', () => {
    const bad = broken('mutates', (x, y, o) => {
      const out = injectOnePixel(x, y, o);
      if (!(x instanceof tf.Tensor)) x.data[1] = 0.5;
      return out;
    });
    expect(checkEncoder(bad, c).join('\n')).toMatch(/mutated/);
  });

  it('catches a non-deterministic encoder', () => {
    let calls = 0;
    const bad = broken('drifts', (x, y, o) => injectOnePixel(x, y, { ...o, scale: 1e-3 * (1 + (calls++ % 2)) }));
    expect(checkEncoder(bad, c).join('\n')).toMatch(/differ/);
  });

  it('catches an encoder that leaks tensors', () => {
    const bad = broken('leaks', (x, y, o) => {
      tf.zeros([1]);
      return injectOnePixel(x, y, o);
    });
    expect(checkEncoder(bad, c).join('\n')).toMatch(/leaked/);
  });

  it('catches an encoder whose bad-input errors are untyped', () => {
    const bad = broken('untyped', (x, y, o) => {
      if (Array.from(y as ArrayLike<number>).some((v) => v >= 4 || v < 0 || !Number.isInteger(v))) throw new Error('bad label');
      return injectOnePixel(x, y, o);
    });
    const failures = checkEncoder(bad, c).join('\n');
    expect(failures).toMatch(/not a BlindspotsError/);
  });

  it('catches an encoder that returns its input unchanged or of another kind', () => {
    expect(
      checkEncoder(
        broken('identity', (x) => x),
        c,
      ).join('\n'),
    ).toMatch(/returned/);
    expect(
      checkEncoder(
        broken('toTensor', (x, y, o) => {
          const out = injectOnePixel(x, y, o);
          return out instanceof tf.Tensor ? out : tf.tensor4d(out.data, [...out.shape]);
        }),
        c,
      ).join('\n'),
    ).toMatch(/plain input must give a plain batch/);
  });

  it('catches an oracle that decodes wrongly', () => {
    const bad: EncoderUnderTest = { ...good, name: 'liar', recover: (x, o) => recoverOnePixel(x, o).map((v) => (v + 1) % 4) };
    expect(checkEncoder(bad, c).join('\n')).toMatch(/wrongly/);
  });

  it('catches an encoder that accepts a misspelt option or null options', () => {
    const lenient = broken('lenient', (x, y, o) =>
      injectOnePixel(x, y, o === null || o === undefined ? {} : { numClasses: o.numClasses as number }),
    );
    const failures = checkEncoder(lenient, c).join('\n');
    expect(failures).toMatch(/misspelt option: no error thrown/);
    expect(failures).toMatch(/null options: no error thrown/);
  });

  it('catches an encoder that refuses a common option, or whose ignored option changes the output (issue #26)', () => {
    const strict = broken('strict', (x, y, o) => {
      if (o?.seed !== undefined) throw new BlindspotsError('UNKNOWN_OPTION', { fn: 'injectStrict', arg: 'options.seed' });
      return injectOnePixel(x, y, o);
    });
    expect(checkEncoder(strict, c).join('\n')).toMatch(/takes the common options .*: injectStrict: argument 'options\.seed'/);
    const leaky = broken('leaky', (x, y, o) => injectOnePixel(x, y, { ...o, scale: o?.seed === undefined ? 1e-3 : 2e-3 }));
    expect(checkEncoder(leaky, c).join('\n')).toMatch(
      /ignored option 'seed' changes nothing written or decoded: 'seed: 12345' changed the output/,
    );
    expect(checkEncoder({ ...good, name: 'unlisted', ignoredOptions: [] }, c).join('\n')).toMatch(/'seed' is neither used nor listed/);
  });

  it('catches an encoder that takes 0..255 images silently (issue #26)', () => {
    const lax = broken('lax', (x, y, o) => injectOnePixel(x, y, { ...o, range: [0, 1000] }));
    expect(checkEncoder(lax, c).join('\n')).toMatch(/0\.\.255 images \(the range found, and: divide by 255\): no error thrown/);
  });

  it('reports registered names that have no conformance case', () => {
    expect(missingCases(['onePixel', 'newSignal'], { onePixel: {} })).toEqual(['newSignal']);
  });
});
