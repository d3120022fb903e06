import type {} from 'vitest';
import { calledAs, fail } from '../errors.js';
import { recoverability, type Recoverability } from '../encoders/recoverability.js';
import {
  encoderEntryOf,
  encoders,
  type EncoderEntry,
  type EncoderName,
  type ImageSignalOptions,
  type SignalOptions,
  type TextSignalOptions,
} from '../encoders/encoderRegistry.js';
import { isTensor, readImages } from '../images.js';
import { isPlainObject } from '../options.js';
import type { ImageArray, ImageInput, LabelsInput, Texts } from '../types.js';
import { checkLabels, checkNumber, describe } from '../validate.js';

export { BlindspotsError, type ErrorCode, type ErrorDetails } from '../errors.js';
export type { EncoderName, SignalOptions } from '../encoders/encoderRegistry.js';
export type { FeatureMatrix, ImageArray, ImageBatch, ImageInput, ImageShape, Labels, LabelsInput, Texts } from '../types.js';

/** The matcher's own option: the fraction of labels that must be recovered; default 1 (all). */
export interface MatcherOptions {
  readonly minAccuracy?: number;
}

/** Options of `toRecoverLabels` with a signal name: the signal's options plus `minAccuracy`. */
export type RecoverLabelsOptions = SignalOptions & MatcherOptions;

/**
 * An encoder and its oracle, for `toRecoverLabels` to check as a pair: your own functions, or a
 * registry entry (`encoders.meanShift`). The matcher encodes the received (clean) batch with
 * `inject(received, labels, options)` and decodes the result with `recover(encoded, options)`,
 * which returns one label per sample (-1 for "cannot tell").
 */
export interface SignalPair<I = unknown, O = unknown> {
  /** A name for messages (registry entries and named functions have one). */
  readonly name?: string;
  inject(clean: I, labels: Int32Array, options: O): I;
  recover(encoded: I, options: O): ArrayLike<number>;
}

/** What a matcher returns to vitest. */
export interface MatcherResult {
  pass: boolean;
  message: () => string;
}

const FN = 'toRecoverLabels';

/** Samples the diagnosis re-decodes with other options: enough to tell, cheap on any batch. */
const PROBE_SAMPLES = 256;

/** Scales tried when a signal's oracle fails: the default, the paper's variants and 1/255. */
const PROBE_SCALES = [1e-3, 2e-3, 5e-3, 1e-2, 5e-4, 1e-4, 1 / 255];

/** Seeds tried when a seeded signal's oracle fails. */
const PROBE_SEEDS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 42];

/**
 * Vitest matchers for researchers' own tests. Register once with `expect.extend`; importing
 * `blindspots/vitest` also types them.
 *
 * `expect(encoded).toRecoverLabels(signal, labels, options?)` decodes an encoded batch with a
 * registered signal's oracle (`signal` is typed as the registered names, so a misspelt one does
 * not compile). `expect(clean).toRecoverLabels({ inject, recover }, labels, options?)` checks an
 * encoder/oracle pair of your own: it encodes the clean batch, decodes it and compares. Either
 * passes when at least `options.minAccuracy` (default 1) of the labels come back. A failure
 * names the matcher, the options used and the likely mismatch (another seed or scale between
 * encoding and checking, images that are not 8-bit or not in [0, 1]); bad input (an unknown
 * name, 0..255 images) is a typed error naming `toRecoverLabels`.
 *
 * @example
 * ```ts
 * import { expect, test } from 'vitest';
 * import { blindspotsMatchers } from 'blindspots/vitest';
 * import { injectOrthogonalNoise, type ImageArray } from 'blindspots';
 * expect.extend(blindspotsMatchers); // importing 'blindspots/vitest' also types the matcher
 * test('my encoder keeps the label', () => {
 *   const x = { data: new Float32Array(4 * 8 * 8).fill(128 / 255), shape: [4, 8, 8, 1] as const };
 *   const y = [0, 1, 2, 3];
 *   expect(injectOrthogonalNoise(x, y, { seed: 7 })).toRecoverLabels('orthogonalNoise', y, { seed: 7 });
 *   // Your own encoder and oracle: the label in the last value of each image.
 *   const mine = {
 *     inject: (clean: ImageArray, labels: Int32Array) => {
 *       const data = clean.data.slice();
 *       labels.forEach((label, i) => (data[(i + 1) * 64 - 1] = label / 10));
 *       return { data, shape: clean.shape };
 *     },
 *     recover: (encoded: ImageArray) => Array.from({ length: encoded.shape[0] }, (_, i) => Math.round((encoded.data[(i + 1) * 64 - 1] ?? 0) * 10)),
 *   };
 *   expect(x).toRecoverLabels(mine, y);
 * });
 * ```
 */
export const blindspotsMatchers = {
  toRecoverLabels(
    received: ImageInput | Texts,
    signal: EncoderName | SignalPair,
    labels: LabelsInput,
    options: RecoverLabelsOptions | (MatcherOptions & Record<string, unknown>) = {},
  ): MatcherResult {
    if (options === null || !isPlainObject(options)) throw fail('INVALID_ARGUMENT', FN, 'options', 'an options object', describe(options));
    const { minAccuracy = 1, ...signalOptions } = options;
    checkNumber(FN, 'options.minAccuracy', minAccuracy, { min: 0, max: 1 });
    if (typeof signal === 'string') return bySignal(received, signal, labels, signalOptions, minAccuracy);
    if (typeof signal === 'object' && signal !== null && typeof signal.inject === 'function' && typeof signal.recover === 'function') {
      return byPair(received, signal, labels, signalOptions, minAccuracy);
    }
    throw fail(
      'INVALID_ARGUMENT',
      FN,
      'signal',
      `a registered signal name (${Object.keys(encoders).join(', ')}) or { inject, recover }`,
      describe(signal),
    );
  },
};

/** The figures of a result, as the messages give them. */
function figures(r: Recoverability): string {
  return `${percent(r.accuracy)} recovered (${String(r.wrong)} wrong, ${String(r.ambiguous)} ambiguous of ${String(r.n)})`;
}

function percent(x: number): string {
  return `${(100 * x).toFixed(2)}%`;
}

/** The matcher's verdict and its message: what was expected, the figures, the options, the hints. */
function verdict(what: string, r: Recoverability, minAccuracy: number, used: () => string, hints: () => string[]): MatcherResult {
  const pass = r.accuracy >= minAccuracy;
  const need = `>= ${String(100 * minAccuracy)}% of the labels`;
  return {
    pass,
    message: () => {
      const head = pass
        ? `${FN}(${what}): expected the oracle not to recover ${need}, but it did: ${figures(r)}`
        : `${FN}(${what}): expected the oracle to recover ${need}, got ${figures(r)}`;
      const lines = [head, `  options used: ${used()}`];
      if (!pass) for (const h of hints()) lines.push(`  likely mismatch: ${h}`);
      return lines.join('\n');
    },
  };
}

/** `toRecoverLabels(name, …)`: the received batch is encoded; the registered oracle decodes it. */
function bySignal(
  received: ImageInput | Texts,
  signal: string,
  labels: LabelsInput,
  options: SignalOptions,
  minAccuracy: number,
): MatcherResult {
  const r = calledAs(FN, () => recoverability(signal, received, labels, options));
  const entry = encoderEntryOf(signal, FN);
  return verdict(
    `'${signal}'`,
    r,
    minAccuracy,
    () => usedOptions(entry, received, labels, options),
    () => signalHints(entry, received, labels, options, r, minAccuracy),
  );
}

/** The options the oracle decoded with, defaults included, and the given ones it ignores. */
function usedOptions(entry: EncoderEntry, received: ImageInput | Texts, labels: LabelsInput, options: SignalOptions): string {
  const numClasses = options.numClasses ?? classCount(labels);
  const shape = Array.isArray(received) ? undefined : readImages(FN, received as ImageInput, 'received', false).shape;
  const context = shape === undefined ? { numClasses } : { numClasses, shape };
  const resolved =
    entry.domain === 'image' ? entry.resolve(options as ImageSignalOptions, context) : entry.resolve(options as TextSignalOptions, context);
  const extra = Object.entries(options).filter(([k, v]) => v !== undefined && !Object.hasOwn(resolved, k));
  const ignored = extra.filter(([k]) => (entry.ignoredOptions as readonly string[]).includes(k));
  const rest = extra.filter(([k]) => !(entry.ignoredOptions as readonly string[]).includes(k));
  let text = JSON.stringify({ ...resolved, ...Object.fromEntries(rest) });
  if (ignored.length > 0) text += ` (${ignored.map(([k]) => k).join(', ')}: given, no effect on ${entry.name})`;
  return text;
}

/** The largest label + 1: the default number of classes. */
function classCount(labels: LabelsInput): number {
  let max = 0;
  for (const v of checkLabels(FN, labels)) if (v > max) max = v;
  return max + 1;
}

/** The first samples of a batch, as a plain batch or an array of texts, with their labels. */
function firstSamples(received: ImageInput | Texts, labels: LabelsInput, n: number): { x: ImageArray | Texts; y: Int32Array } {
  const y = checkLabels(FN, labels).slice(0, n);
  if (Array.isArray(received)) return { x: (received as Texts).slice(0, n), y };
  const read = readImages(FN, received as ImageInput, 'received', false);
  const [count, h, w, c] = read.shape;
  const k = Math.min(n, count);
  return { x: { data: read.data.slice(0, k * h * w * c), shape: [k, h, w, c] }, y };
}

/**
 * Why a registered oracle may have failed: decodes the first samples again with other seeds and
 * scales (the usual mismatch: the batch was encoded with options the matcher was not given), then
 * names what the data says.
 */
function signalHints(
  entry: EncoderEntry,
  received: ImageInput | Texts,
  labels: LabelsInput,
  options: SignalOptions,
  r: Recoverability,
  minAccuracy: number,
): string[] {
  const { x, y } = firstSamples(received, labels, PROBE_SAMPLES);
  const numClasses = options.numClasses ?? classCount(labels);
  const tryWith = (change: Record<string, number>): number => {
    try {
      return recoverability(entry.name, x, y, { ...options, numClasses, ...change }).accuracy;
    } catch {
      return 0;
    }
  };
  const base = tryWith({});
  const candidates: Record<string, number>[] = [];
  if (entry.options.includes('seed')) for (const seed of PROBE_SEEDS) if (seed !== (options.seed ?? 0)) candidates.push({ seed });
  if (entry.options.includes('scale')) for (const scale of PROBE_SCALES) if (scale !== (options.scale ?? 1e-3)) candidates.push({ scale });
  let best: { change: Record<string, number>; accuracy: number } | undefined;
  for (const change of candidates) {
    const accuracy = tryWith(change);
    if (accuracy > base && (best === undefined || accuracy > best.accuracy)) best = { change, accuracy };
    if (accuracy >= Math.max(minAccuracy, 0.999)) break;
  }
  const hints: string[] = [];
  if (best !== undefined) {
    const change = Object.entries(best.change)
      .map(([k, v]) => `${k}: ${String(v)}`)
      .join(', ');
    hints.push(
      `with { ${change} } the oracle recovers ${percent(best.accuracy)} of the first ${String(y.length)} samples: was the batch encoded with { ${change} }? Give the matcher the options the encoder got.`,
    );
  } else if (r.ambiguous > 0 && entry.recoverOptions.includes('levels')) {
    hints.push(
      `${r.ambiguous === r.n ? 'every sample is' : `${String(r.ambiguous)} of ${String(r.n)} samples are`} ambiguous, and this oracle reads the off-grid residual: it needs clean images on the k/255 grid (8-bit values scaled to [0, 1]; not resized, normalised or dithered) and the encoder's seed and scale.`,
    );
  } else if (r.ambiguous === r.n) {
    hints.push(
      `no sample carries the signal with these options: was the batch encoded with '${entry.name}' and the same options (seed, scale, numClasses)?`,
    );
  }
  if (r.wrong > 0 && entry.domain === 'image') {
    hints.push(
      `${String(r.wrong)} samples decoded to another class, which an image oracle never does on data encoded with the same options: are the labels in the order of the encoded batch?`,
    );
  }
  return hints;
}

/** `toRecoverLabels({ inject, recover }, …)`: the received batch is clean; the pair encodes and decodes it. */
function byPair(
  received: unknown,
  pair: SignalPair,
  labels: LabelsInput,
  options: Record<string, unknown>,
  minAccuracy: number,
): MatcherResult {
  const y = checkLabels(FN, labels);
  // A registry entry's oracle gets recoverability's default number of classes (some need it).
  const entry = typeof pair.name === 'string' && Object.hasOwn(encoders, pair.name) && encoders[pair.name as EncoderName] === pair;
  if (entry && options.numClasses === undefined) options = { ...options, numClasses: classCount(y) };
  const encoded = pair.inject(received, y, options);
  let decoded: ArrayLike<number>;
  try {
    decoded = pair.recover(encoded, options);
  } finally {
    if (encoded !== received && isTensor(encoded)) encoded.dispose();
  }
  if (decoded === null || typeof decoded !== 'object' || typeof decoded.length !== 'number') {
    throw fail('INVALID_ARGUMENT', FN, 'signal.recover', 'an oracle that returns one label per sample', describe(decoded));
  }
  if (decoded.length !== y.length) {
    throw fail('LENGTH_MISMATCH', FN, 'signal.recover', `one label per sample (${String(y.length)})`, `${String(decoded.length)} labels`);
  }
  let correct = 0;
  let ambiguous = 0;
  for (let i = 0; i < y.length; i++) {
    if (decoded[i] === y[i]) correct++;
    else if (decoded[i] === -1) ambiguous++;
  }
  const r = { accuracy: correct / y.length, ambiguous, wrong: y.length - correct - ambiguous, n: y.length };
  const name = typeof pair.name === 'string' && pair.name !== '' ? pair.name : 'inject/recover';
  const used = (): string => (Object.keys(options).length === 0 ? 'none (each function its defaults)' : JSON.stringify(options));
  return verdict(name, r, minAccuracy, used, () => pairHints(received, r));
}

/** Why a pair may have failed: a clean batch outside [0, 1], an oracle that decides nothing or decides wrongly. */
function pairHints(received: unknown, r: Recoverability): string[] {
  const hints: string[] = [];
  if (!Array.isArray(received) && typeof received === 'object' && received !== null) {
    try {
      const { data } = readImages(FN, received as ImageInput, 'received', false);
      let min = Number.POSITIVE_INFINITY;
      let max = Number.NEGATIVE_INFINITY;
      for (const v of data) {
        if (v < min) min = v;
        if (v > max) max = v;
      }
      if (min < -1e-3 || max > 1 + 1e-3) {
        hints.push(
          `the clean batch holds values in [${String(min)}, ${String(max)}]${max > 2 ? ' (0..255 images? divide by 255)' : ''}: a 1e-3 signal is lost in such values, and the library's encoders take [0, 1].`,
        );
      }
    } catch {
      // Not an image batch: texts, or the user's own kind.
    }
  }
  if (r.ambiguous === r.n)
    hints.push('the oracle decided no sample (-1 for all): does recover read the options inject used (seed, scale)?');
  if (r.wrong > 0)
    hints.push(
      `${String(r.wrong)} samples decoded to another class: do inject and recover agree on the code (the same seed, scale, positions)?`,
    );
  return hints;
}

declare module 'vitest' {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- vitest's own declaration uses any
  interface Matchers<T = any> {
    /**
     * Passes when the named signal's oracle recovers the labels from the received (encoded) batch.
     * `signal` is one of the registered names; `options` are the ones the batch was encoded with.
     */
    toRecoverLabels(signal: EncoderName, labels: ArrayLike<number>, options?: RecoverLabelsOptions): T;
    /**
     * Passes when `pair.recover` recovers the labels from `pair.inject(received, labels, options)`:
     * an encoder/oracle pair of your own checked on the received (clean) batch.
     */
    toRecoverLabels<I, O>(pair: SignalPair<I, O>, labels: ArrayLike<number>, options?: O & MatcherOptions): T;
  }
}
