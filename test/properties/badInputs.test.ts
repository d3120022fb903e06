/**
 * Property-based bad-input suite: every registered encoder, decoder and model, and the data and
 * study entry points, driven with generated bad inputs (wrong types, shapes, ranges, unknown keys,
 * null options, huge sizes). Each call must throw a BlindspotsError naming the function called —
 * never a raw error, never acceptance, never a non-finite result. Registry-driven: a new signal or
 * model is covered without edits here.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { splitDataset, subsample, take, dither } from '../../src/data/index.js';
import { encoderNames, encoders, type EncoderEntry } from '../../src/encoders/encoderRegistry.js';
import { recoverability } from '../../src/encoders/recoverability.js';
import { BlindspotsError } from '../../src/errors.js';
import { modelNames, models } from '../../src/models/modelRegistry.js';
import { planStudy, type StudyConfig } from '../../src/study/index.js';
import type { ImageArray } from '../../src/types.js';
import { cyclicLabels, gridImages } from '../conformance/fixtures.js';

const RUNS = { numRuns: 60, seed: 20261129 };

/** Throws unless `call` throws a BlindspotsError whose `fn` is `fn` (or starts with it, for methods). */
function expectTyped(fn: string | RegExp, call: () => unknown): void {
  let thrown: unknown;
  let result: unknown;
  try {
    result = call();
  } catch (e) {
    thrown = e;
  }
  if (thrown === undefined) throw new Error(`accepted (returned ${describeValue(result)})`);
  if (!(thrown instanceof BlindspotsError))
    throw new Error(`threw a raw ${String((thrown as Error)?.name)}: ${String((thrown as Error)?.message)}`);
  const ok = typeof fn === 'string' ? thrown.details.fn === fn : fn.test(thrown.details.fn);
  if (!ok) throw new Error(`the error names ${thrown.details.fn}, not ${String(fn)}: ${thrown.message}`);
}

async function expectTypedAsync(fn: string | RegExp, call: () => Promise<unknown>): Promise<void> {
  let thrown: unknown;
  try {
    await call();
  } catch (e) {
    thrown = e;
  }
  expectTyped(fn, () => {
    if (thrown !== undefined) throw thrown as Error;
    return 'a resolved promise';
  });
}

function describeValue(v: unknown): string {
  if (v instanceof Int32Array) return `Int32Array(${String(v.length)})`;
  if (Array.isArray(v)) return `array(${String(v.length)})`;
  return typeof v;
}

/** Values that no option of the library accepts. */
const badValue = fc.constantFrom<unknown>(Number.NaN, Number.POSITIVE_INFINITY, [Number.NaN], () => 1, Symbol('x'));

/** An options argument that is wrong: not an object, an unknown key, or a known key with a bad value. */
function badOptions(known: readonly string[], valid: Record<string, unknown>): fc.Arbitrary<unknown> {
  const unknownKey = fc
    .string({ minLength: 1, maxLength: 12 })
    .filter((k) => !known.includes(k) && k !== '__proto__' && k !== 'constructor')
    .map((k) => ({ ...valid, [k]: 1 }));
  const arbitraries: fc.Arbitrary<unknown>[] = [fc.constantFrom<unknown>(null, 'fast', 3, [1, 2], true), unknownKey];
  if (known.length > 0) {
    arbitraries.push(fc.tuple(fc.constantFrom(...known), badValue).map(([k, v]) => ({ ...valid, [k]: v })));
  }
  return fc.oneof(...arbitraries);
}

/** Labels that are wrong for `n` samples of `k` classes. */
function badLabels(n: number, k: number): fc.Arbitrary<unknown> {
  const ok = Array.from(cyclicLabels(n, k));
  return fc.oneof(
    fc.constantFrom<unknown>(null, 'labels', 7, ok.slice(1), [...ok, 0]),
    fc.tuple(fc.nat(n - 1), fc.constantFrom(2 ** 31, 2 ** 32, -1, 0.5, Number.NaN, Number.POSITIVE_INFINITY, k + 2 ** 40)).map(([i, v]) => {
      const y = ok.slice();
      y[i] = v;
      return y;
    }),
  );
}

const images = gridImages(6, 5, 5, 1);
const labels = cyclicLabels(6, 3);
const texts = Array.from({ length: 6 }, (_, i) => `a review number ${String(i)} `.repeat(30));

/** Images that are wrong: NaN/Infinity values, bad shapes, wrong types. */
const badImages: fc.Arbitrary<unknown> = fc.oneof(
  fc
    .tuple(fc.nat(images.data.length - 1), fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY))
    .map(([i, v]) => {
      const data = images.data.slice();
      data[i] = v;
      return { data, shape: images.shape };
    }),
  fc.constantFrom<unknown>(
    null,
    'images',
    { data: images.data, shape: [6, 5, 5] },
    { data: images.data, shape: [6, 5, 5, 2] },
    { data: images.data, shape: [6, -5, -5, 1] },
    { data: images.data, shape: [6, 5.5, 5, 1] },
    { data: Array.from(images.data), shape: images.shape },
    { data: new Float32Array(0), shape: [0, 5, 5, 1] },
  ),
);

/** Texts that are wrong: holes, non-strings, empty, not an array. */
const badTexts: fc.Arbitrary<unknown> = fc.oneof(
  fc.nat(texts.length - 1).map((i) => {
    // A hole: sparse arrays must not pass as texts.
    const t: unknown[] = new Array<unknown>(texts.length);
    texts.forEach((x, k) => {
      if (k !== i) t[k] = x;
    });
    return t;
  }),
  fc.tuple(fc.nat(texts.length - 1), fc.constantFrom<unknown>(null, 3, undefined, {}, '')).map(([i, v]) => {
    const t: unknown[] = texts.slice();
    t[i] = v;
    return t;
  }),
  fc.constantFrom<unknown>(null, 'texts', [], 42),
);

function validOptions(e: EncoderEntry): Record<string, unknown> {
  return e.options.includes('numClasses') ? { numClasses: 3 } : {};
}

describe('every encoder and decoder refuses bad input with a typed error naming it', () => {
  for (const name of encoderNames) {
    const e = encoders[name] as EncoderEntry;
    const x = e.domain === 'image' ? images : texts;
    const badX = e.domain === 'image' ? badImages : badTexts;
    const inject = (a: unknown, y: unknown, o: unknown) => (e.inject as (a: unknown, y: unknown, o: unknown) => unknown)(a, y, o);
    const recover = (a: unknown, o: unknown) => (e.recover as (a: unknown, o: unknown) => unknown)(a, o);
    const injectFn = e.inject.name;
    const recoverFn = e.recover.name;

    it(`${name}: bad options`, () => {
      fc.assert(
        fc.property(badOptions(e.options, validOptions(e)), (o) => {
          expectTyped(injectFn, () => inject(x, labels, o));
        }),
        RUNS,
      );
      fc.assert(
        fc.property(badOptions(e.recoverOptions, validOptions(e)), (o) => {
          expectTyped(recoverFn, () => recover(x, o));
        }),
        RUNS,
      );
    });

    it(`${name}: bad labels`, () => {
      fc.assert(
        fc.property(badLabels(6, 3), (y) => {
          expectTyped(injectFn, () => inject(x, y, validOptions(e)));
        }),
        RUNS,
      );
    });

    it(`${name}: bad inputs`, () => {
      fc.assert(
        fc.property(badX, (bad) => {
          expectTyped(injectFn, () => inject(bad, labels, validOptions(e)));
        }),
        RUNS,
      );
    });

    it(`${name}: accepted amplitudes give finite outputs, and overflowing ones are refused`, () => {
      if (!e.options.includes('scale')) return;
      fc.assert(
        fc.property(fc.double({ min: 1e-12, max: 1e40, noNaN: true }), (scale) => {
          let out: ImageArray;
          try {
            out = inject(x, labels, { numClasses: 3, scale }) as ImageArray;
          } catch (err) {
            expect(err).toBeInstanceOf(BlindspotsError);
            expect((err as BlindspotsError).details.arg).toBe('options.scale');
            return;
          }
          for (const v of out.data) if (!Number.isFinite(v)) throw new Error(`a non-finite value with scale ${String(scale)}`);
        }),
        RUNS,
      );
    });

    it(`recoverability('${name}'): bad options and labels`, () => {
      const encoded = inject(x, labels, validOptions(e));
      fc.assert(
        fc.property(badOptions([...new Set([...e.options, ...e.recoverOptions])], {}), (o) => {
          expectTyped('recoverability', () => recoverability(name, encoded as never, labels, o as never));
        }),
        RUNS,
      );
      fc.assert(
        fc.property(badLabels(6, 3), (y) => {
          expectTyped('recoverability', () => recoverability(name, encoded as never, y as never, {}));
        }),
        RUNS,
      );
    });
  }
});

describe('every model refuses bad options and bad data with a typed error', () => {
  const features = { data: Float32Array.from({ length: 12 * 4 }, (_, i) => (i * 7) % 5), rows: 12, cols: 4 };
  for (const name of modelNames) {
    const entry = models[name];
    it(`${name}: registry options`, () => {
      fc.assert(
        fc.property(badOptions(entry.options, {}), (o) => {
          expectTyped(/./, () => entry.create({ seed: 1, options: o as Record<string, unknown> }).dispose());
        }),
        RUNS,
      );
      fc.assert(
        fc.property(fc.constantFrom<unknown>(Number.NaN, {}, [1], null, -1, 0.5), (threads) => {
          expectTyped(`models.${name}.create`, () => entry.create({ threads: threads as number }).dispose());
        }),
        { ...RUNS, numRuns: 6 },
      );
    });

    it(`${name}: bad labels at fit`, async () => {
      if (entry.inputKind !== 'features') return;
      await fc.assert(
        fc.asyncProperty(badLabels(12, 3), async (y) => {
          const m = entry.create({ seed: 1 });
          try {
            await expectTypedAsync(/\.fit$/, () => m.fit(features, y as never));
          } finally {
            m.dispose();
          }
        }),
        { ...RUNS, numRuns: 25 },
      );
    });
  }
});

describe('data entry points', () => {
  const ds = { images, labels, classNames: ['a', 'b', 'c'] };
  it('take, subsample, splitDataset and dither refuse bad arguments', () => {
    fc.assert(
      fc.property(fc.constantFrom<unknown>(0, -1, Number.NaN, 2 ** 40, 1.5, 7, '3', null), (size) => {
        expectTyped('subsample', () => subsample(ds, size as number));
      }),
      RUNS,
    );
    fc.assert(
      fc.property(fc.constantFrom<unknown>(0, 1, -0.5, Number.NaN, '0.2', null), (f) => {
        expectTyped('splitDataset', () => splitDataset(ds, f as number));
      }),
      RUNS,
    );
    fc.assert(
      fc.property(fc.constantFrom<unknown>([6], [-1], [0.5], [Number.NaN], null, 'x'), (idx) => {
        expectTyped('take', () => take(ds, idx as number[]));
      }),
      RUNS,
    );
    // Fewer labels than images: refused, not silently dropped.
    for (const f of [
      () => subsample({ ...ds, labels: labels.slice(1) }, 0.5),
      () => splitDataset({ ...ds, labels: labels.slice(1) }, 0.5),
    ]) {
      expect(f).toThrow(expect.objectContaining({ code: 'LENGTH_MISMATCH' }) as Error);
    }
    fc.assert(
      fc.property(badOptions(['levels', 'seed'], {}), (o) => {
        expectTyped('dither', () => dither(images, o as never));
      }),
      RUNS,
    );
  });
});

describe('study entry points', () => {
  const { train, test } = splitDataset({ images, labels, classNames: ['a', 'b', 'c'] }, 0.5, 0);
  const base: StudyConfig = { dataset: 'tiny', train, test, signals: ['onePixel'], models: ['gaussianNB'] };
  it('planStudy/runStudy refuse generated bad configs before any work', () => {
    const badConfig = fc.oneof(
      fc.constantFrom<unknown>(null, undefined, 'study.json', 3, []),
      badOptions(
        [
          'dataset',
          'train',
          'test',
          'signals',
          'models',
          'seeds',
          'control',
          'dither',
          'curves',
          'threads',
          'parallel',
          'results',
          'sweep',
          'shard',
          'modelOptions',
          'signalOptions',
        ],
        base as unknown as Record<string, unknown>,
      ),
      fc.constantFrom<unknown>(
        { ...base, signals: 'onePixel' },
        { ...base, signals: ['twoPixels'] },
        { ...base, models: [] },
        { ...base, models: ['svm'] },
        { ...base, seeds: '0' },
        { ...base, seeds: [1, 1] },
        { ...base, modelOptions: { gaussianNB: { varSmoothing: -1 } } },
        { ...base, modelOptions: { decisionTree: {} } },
        { ...base, signalOptions: { onePixel: { scale: 1e40 } } },
        { ...base, sweep: { onePixel: { scale: [] } } },
        { ...base, shard: { index: 2, count: 2 } },
        { ...base, dither: 'yes' },
        { ...base, curves: { every: 0 } },
        { ...base, train: { ...train, labels: train.labels.slice(1) } },
      ),
    );
    fc.assert(
      fc.property(badConfig, (config) => {
        expectTyped('runStudy', () => planStudy(config as StudyConfig));
      }),
      RUNS,
    );
  });
});
