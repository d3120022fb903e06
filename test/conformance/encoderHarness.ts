/**
 * The encoder conformance harness (after scikit-learn's check_estimator): one function that runs
 * every contract check on an encoder and returns the failures, so the suite can assert none and
 * the harness's own tests can assert that bad encoders are caught.
 */
import * as tf from '@tensorflow/tfjs';
import type { ErrorCode } from '../../src/errors.js';
import { assertTypedError, failureCollector, thrownBy } from './typedError.js';
import type { ImageArray, ImageInput, LabelsInput } from '../../src/types.js';

/** What the harness needs of an encoder: the registry entry's shape. */
export interface EncoderUnderTest {
  readonly name: string;
  readonly information: 'complete' | 'partial';
  readonly inject: (images: ImageInput, labels: LabelsInput, options?: Record<string, unknown>) => ImageInput;
  readonly recover: (encoded: ImageInput, options?: Record<string, unknown>) => Int32Array;
  /** The option names that shape what `inject` writes, and those `recover` uses. */
  readonly options: readonly string[];
  readonly recoverOptions: readonly string[];
  /** The common options (numClasses, scale, seed) the encoder accepts without effect; default none. */
  readonly ignoredOptions?: readonly string[];
}

/** The options every encoder takes, with values other than the defaults. */
export const COMMON_VALUES = { scale: 2e-3, seed: 12345 } as const;

/** The case's options that `names` declares (a case lists every option; each encoder takes its own). */
export function pickOptions<O extends Record<string, unknown>>(options: O, names: readonly string[]): O {
  return Object.fromEntries(Object.entries(options).filter(([k]) => names.includes(k))) as O;
}

/** A conformance entry: the data an encoder is checked on. */
export interface EncoderCase {
  /** Images on the k/255 grid, small. */
  readonly images: ImageArray;
  readonly labels: Int32Array;
  readonly options: Record<string, unknown> & { numClasses: number };
  /** A class count the signal cannot encode on these images, if it has a limit. */
  readonly tooManyClasses?: number;
}

function snapshot(x: ImageInput): Float32Array {
  return Float32Array.from(x instanceof tf.Tensor ? x.dataSync() : x.data);
}

function valuesOf(x: ImageInput): Float32Array {
  return x instanceof tf.Tensor ? (x.dataSync() as Float32Array) : x.data;
}

function sameBits(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false;
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < ua.length; i++) if (ua[i] !== ub[i]) return false;
  return true;
}

function dispose(x: unknown): void {
  if (x instanceof tf.Tensor) x.dispose();
}

/** Runs every check; returns one message per failed check (empty: conformant). */
export function checkEncoder(enc: EncoderUnderTest, whole: EncoderCase): string[] {
  const { failures, check } = failureCollector(enc.name);
  const c = { ...whole, options: pickOptions(whole.options, enc.options) };
  const [n, h, w, ch] = c.images.shape;

  for (const kind of ['array', 'tensor'] as const) {
    check(`${kind}: same kind, shape and dtype; input not mutated; deterministic; no tensor leak`, () => {
      const before = tf.memory().numTensors;
      const input: ImageInput =
        kind === 'tensor' ? tf.tensor4d(c.images.data, [n, h, w, ch]) : { data: c.images.data.slice(), shape: c.images.shape };
      const original = snapshot(input);
      const a = enc.inject(input, c.labels, c.options);
      const b = enc.inject(input, c.labels, c.options);
      try {
        if (kind === 'tensor') {
          if (!(a instanceof tf.Tensor)) throw new Error('a tensor input must give a tensor');
          if (a.dtype !== 'float32') throw new Error(`dtype ${a.dtype}`);
          if (a === input) throw new Error('returned its input');
        } else if (a instanceof tf.Tensor) {
          throw new Error('a plain input must give a plain batch');
        } else if (a.data === (input as ImageArray).data) {
          throw new Error('returned the input buffer');
        }
        const shape = a instanceof tf.Tensor ? a.shape : [...a.shape];
        if (shape.join() !== [n, h, w, ch].join()) throw new Error(`shape [${shape.join()}]`);
        if (!sameBits(snapshot(input), original)) throw new Error('the input was mutated');
        if (!sameBits(valuesOf(a), valuesOf(b))) throw new Error('two calls with the same seed differ');
        if (sameBits(valuesOf(a), original)) throw new Error('the output equals the input: no signal');
        const recovered = enc.recover(a, c.options);
        const wrong = recovered.filter((v, i) => v !== -1 && v !== c.labels[i]).length;
        const ok = recovered.filter((v, i) => v === c.labels[i]).length;
        if (wrong > 0) throw new Error(`the oracle decoded ${String(wrong)} labels wrongly`);
        if (enc.information === 'complete' && ok !== n) throw new Error(`a complete signal's oracle recovered ${String(ok)}/${String(n)}`);
      } finally {
        dispose(a);
        dispose(b);
        dispose(input);
      }
      const after = tf.memory().numTensors;
      if (after !== before) throw new Error(`${String(after - before)} tensors leaked`);
    });
  }

  if (enc.options.includes('seed')) {
    check('seed: a different seed keeps the signal recoverable', () => {
      const options = { ...c.options, seed: 12345 };
      const a = enc.inject(c.images, c.labels, options);
      const recovered = enc.recover(a, options);
      if (recovered.some((v, i) => v !== -1 && v !== c.labels[i])) throw new Error('wrong labels with seed 12345');
    });
  }
  check('recover takes the options inject was given', () => {
    if (enc.options.some((o) => !enc.recoverOptions.includes(o))) throw new Error('recover rejects an option of inject');
  });
  const ignored = enc.ignoredOptions ?? [];
  check('takes the common options (numClasses, scale, seed), used or ignored, in inject and recover', () => {
    for (const o of ['scale', 'seed']) {
      if (!enc.options.includes(o) && !ignored.includes(o)) throw new Error(`'${o}' is neither used nor listed as ignored`);
    }
    const options = { ...c.options, ...COMMON_VALUES, ...pickOptions(whole.options, ['scale', 'seed']) };
    const a = enc.inject(c.images, c.labels, options);
    try {
      const recovered = enc.recover(a, options);
      if (enc.information === 'complete' && recovered.some((v, i) => v !== c.labels[i]))
        throw new Error('a complete signal is not recovered with the common options given');
    } finally {
      dispose(a);
    }
  });
  for (const o of ignored) {
    check(`the ignored option '${o}' changes nothing written or decoded`, () => {
      const value = COMMON_VALUES[o as keyof typeof COMMON_VALUES];
      const plain = enc.inject(c.images, c.labels, c.options);
      const withIt = enc.inject(c.images, c.labels, { ...c.options, [o]: value });
      try {
        if (!sameBits(valuesOf(plain), valuesOf(withIt))) throw new Error(`'${o}: ${String(value)}' changed the output`);
        const r1 = enc.recover(plain, c.options);
        const r2 = enc.recover(plain, { ...c.options, [o]: value });
        if (r1.join() !== r2.join()) throw new Error(`'${o}: ${String(value)}' changed what the oracle decodes`);
      } finally {
        dispose(plain);
        dispose(withIt);
      }
    });
  }

  // Registry entries hold the public functions themselves: their errors must name them.
  const publicName = (f: { name: string }, prefix: string): string | undefined =>
    new RegExp(`^${prefix}[A-Z]`).test(f.name) ? f.name : undefined;
  const injectFn = publicName(enc.inject, 'inject');
  const recoverFn = publicName(enc.recover, 'recover');
  const expectError = (what: string, code: ErrorCode, arg: string, call: () => unknown, fn = injectFn): void => {
    check(`typed error for ${what}`, () => {
      const before = tf.memory().numTensors;
      assertTypedError(
        thrownBy(() => dispose(call())),
        code,
        arg,
        fn,
      );
      if (tf.memory().numTensors !== before) throw new Error('tensors leaked on the error path');
    });
  };
  const K = c.options.numClasses;
  const bad = c.labels.slice();
  bad[0] = K;
  expectError('a label >= numClasses', 'LABEL_OUT_OF_RANGE', 'labels', () => enc.inject(c.images, bad, c.options));
  expectError('a negative label', 'LABEL_OUT_OF_RANGE', 'labels', () =>
    enc.inject(c.images, [-1, ...Array.from(c.labels).slice(1)], c.options),
  );
  expectError('a non-integer label', 'NON_INTEGER_LABEL', 'labels', () =>
    enc.inject(c.images, [0.5, ...Array.from(c.labels).slice(1)], c.options),
  );
  expectError('a label count that does not match the batch', 'LENGTH_MISMATCH', 'labels', () =>
    enc.inject(c.images, c.labels.subarray(1), c.options),
  );
  expectError('a misspelt option', 'UNKNOWN_OPTION', 'options.sede', () => enc.inject(c.images, c.labels, { ...c.options, sede: 1 }));
  expectError(
    'a misspelt decoder option',
    'UNKNOWN_OPTION',
    'options.sede',
    () => enc.recover(c.images, { ...c.options, sede: 1 }),
    recoverFn,
  );
  expectError('null options', 'INVALID_ARGUMENT', 'options', () =>
    enc.inject(c.images, c.labels, null as unknown as Record<string, unknown>),
  );
  if (enc.options.includes('scale')) {
    expectError('a scale that overflows float32', 'INVALID_ARGUMENT', 'options.scale', () =>
      enc.inject(c.images, c.labels, { ...c.options, scale: 1e39 }),
    );
  }
  expectError('a label of 2^32 (Int32Array would wrap it to 0)', 'LABEL_OUT_OF_RANGE', 'labels', () =>
    enc.inject(c.images, [2 ** 32, ...Array.from(c.labels).slice(1)], { ...c.options, numClasses: undefined }),
  );
  expectError('a rank-3 tensor', 'INVALID_SHAPE', 'images', () => {
    const t = tf.zeros([n, h, w]);
    try {
      return enc.inject(t as unknown as ImageInput, c.labels, c.options);
    } finally {
      t.dispose();
    }
  });
  expectError('an int32 tensor', 'INVALID_DTYPE', 'images', () => {
    const t = tf.zeros([n, h, w, ch], 'int32');
    try {
      return enc.inject(t as tf.Tensor4D, c.labels, c.options);
    } finally {
      t.dispose();
    }
  });
  expectError('an empty batch', 'EMPTY_INPUT', 'images', () =>
    enc.inject({ data: new Float32Array(0), shape: [0, h, w, ch] }, new Int32Array(0), c.options),
  );
  expectError('a NaN value', 'NON_FINITE', 'images', () => {
    const data = c.images.data.slice();
    data[data.length - 1] = Number.NaN;
    return enc.inject({ data, shape: c.images.shape }, c.labels, c.options);
  });
  const byte = { data: c.images.data.map((v) => Math.round(v * 255)), shape: c.images.shape };
  expectError('0..255 images (the range found, and: divide by 255)', 'INVALID_ARGUMENT', 'images', () => {
    try {
      return enc.inject(byte, c.labels, c.options);
    } catch (e) {
      if (e instanceof Error && !/divide by 255/.test(e.message)) throw new Error(`no hint in: ${e.message}`, { cause: e });
      throw e;
    }
  });
  expectError(
    '0..255 images given to the oracle',
    'INVALID_ARGUMENT',
    'encoded',
    () => enc.recover({ data: byte.data.map((v) => v + 1), shape: byte.shape }, c.options),
    recoverFn,
  );
  check('takes 0..255 images with options.range [0, 255]', () => {
    dispose(enc.inject(byte, c.labels, { ...c.options, range: [0, 255] }));
  });
  expectError('a data length that does not match the shape', 'INVALID_SHAPE', 'images', () =>
    enc.inject({ data: c.images.data.subarray(1), shape: c.images.shape }, c.labels, c.options),
  );
  if (enc.options.includes('scale')) {
    expectError('a non-positive scale', 'INVALID_ARGUMENT', 'options.scale', () =>
      enc.inject(c.images, c.labels, { ...c.options, scale: 0 }),
    );
  }
  if (c.tooManyClasses !== undefined) {
    const k = c.tooManyClasses;
    expectError(`numClasses ${String(k)} beyond the signal's capacity`, 'TOO_MANY_CLASSES', '', () =>
      enc.inject(c.images, c.labels, { ...c.options, numClasses: k }),
    );
  }
  expectError(
    'recover on a rank-2 input',
    'INVALID_SHAPE',
    'encoded',
    () => enc.recover({ data: new Float32Array(4), shape: [2, 2] as unknown as ImageArray['shape'] }, c.options),
    recoverFn,
  );
  return failures;
}

/** Names registered without a conformance case: the suite fails on any. */
export function missingCases(registered: readonly string[], cases: Readonly<Record<string, unknown>>): string[] {
  return registered.filter((name) => !Object.hasOwn(cases, name));
}
