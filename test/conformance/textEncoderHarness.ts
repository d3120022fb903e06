/** The text-encoder conformance harness: the same contract as the image one, for string batches. */
import type { ErrorCode } from '../../src/errors.js';
import { assertTypedError, failureCollector, thrownBy } from './typedError.js';
import type { LabelsInput, Texts } from '../../src/types.js';

/** What the harness needs of a text encoder: the registry entry's shape. */
export interface TextEncoderUnderTest {
  readonly name: string;
  readonly information: 'complete' | 'partial';
  readonly inject: (texts: Texts, labels: LabelsInput, options?: Record<string, unknown>) => string[];
  readonly recover: (encoded: Texts, options?: Record<string, unknown>) => Int32Array;
  /** The common options (numClasses, scale, seed) the encoder accepts without effect; default none. */
  readonly ignoredOptions?: readonly string[];
}

/** The options every encoder takes, with values other than the defaults. */
const COMMON_VALUES = { scale: 2e-3, seed: 12345 } as const;

/** A conformance entry for a text encoder. */
export interface TextEncoderCase {
  readonly domain: 'text';
  readonly texts: readonly string[];
  readonly labels: Int32Array;
  readonly options: Record<string, unknown> & { numClasses: number };
  readonly tooManyClasses?: number;
}

/** Runs every check; returns one message per failed check (empty: conformant). */
export function checkTextEncoder(enc: TextEncoderUnderTest, c: TextEncoderCase): string[] {
  const { failures, check } = failureCollector(enc.name);
  check('new strings of the same count; input not mutated; deterministic; oracle', () => {
    const input = [...c.texts];
    const a = enc.inject(input, c.labels, c.options);
    const b = enc.inject(input, c.labels, c.options);
    if (a === input) throw new Error('returned its input array');
    if (input.join('\u0000') !== c.texts.join('\u0000')) throw new Error('the input was mutated');
    if (a.length !== c.texts.length || a.some((t) => typeof t !== 'string')) throw new Error('not one string per text');
    if (a.join('\u0000') !== b.join('\u0000')) throw new Error('two calls differ');
    if (a.join('\u0000') === input.join('\u0000')) throw new Error('the output equals the input: no signal');
    const recovered = enc.recover(a, c.options);
    const ok = recovered.filter((v, i) => v === c.labels[i]).length;
    if (enc.information === 'complete' && ok !== c.texts.length)
      throw new Error(`a complete signal's oracle recovered ${String(ok)}/${String(c.texts.length)}`);
    if (recovered.some((v) => v < -1 || v >= c.options.numClasses)) throw new Error('the oracle returned a label out of range');
  });
  check('takes the common options (numClasses, scale, seed); the ignored ones change nothing', () => {
    const plain = enc.inject(c.texts, c.labels, c.options);
    const options = { ...c.options, ...COMMON_VALUES };
    const a = enc.inject(c.texts, c.labels, options);
    for (const o of enc.ignoredOptions ?? []) {
      const withIt = enc.inject(c.texts, c.labels, { ...c.options, [o]: COMMON_VALUES[o as keyof typeof COMMON_VALUES] });
      if (withIt.join('\u0000') !== plain.join('\u0000')) throw new Error(`the ignored option '${o}' changed the output`);
    }
    if (enc.information === 'complete' && enc.recover(a, options).some((v, i) => v !== c.labels[i]))
      throw new Error('a complete signal is not recovered with the common options given');
  });
  const expectError = (what: string, code: ErrorCode, arg: string, call: () => unknown): void => {
    check(`typed error for ${what}`, () => {
      assertTypedError(thrownBy(call), code, arg);
    });
  };
  const K = c.options.numClasses;
  const rest = Array.from(c.labels).slice(1);
  expectError('a label >= numClasses', 'LABEL_OUT_OF_RANGE', 'labels', () => enc.inject(c.texts, [K, ...rest], c.options));
  expectError('a negative label', 'LABEL_OUT_OF_RANGE', 'labels', () => enc.inject(c.texts, [-1, ...rest], c.options));
  expectError('a non-integer label', 'NON_INTEGER_LABEL', 'labels', () => enc.inject(c.texts, [0.5, ...rest], c.options));
  expectError('a label count that does not match the texts', 'LENGTH_MISMATCH', 'labels', () => enc.inject(c.texts, rest, c.options));
  expectError('no texts', 'EMPTY_INPUT', 'texts', () => enc.inject([], [], c.options));
  expectError('an empty string', 'EMPTY_INPUT', 'texts', () => enc.inject(['', ...c.texts.slice(1)], c.labels, c.options));
  expectError('a non-string text', 'INVALID_ARGUMENT', 'texts', () =>
    enc.inject([42 as unknown as string, ...c.texts.slice(1)], c.labels, c.options),
  );
  expectError('texts that are not an array', 'INVALID_ARGUMENT', 'texts', () => enc.inject('abc' as unknown as Texts, c.labels, c.options));
  if (c.tooManyClasses !== undefined) {
    const k = c.tooManyClasses;
    expectError(`numClasses ${String(k)} beyond the signal's capacity`, 'TOO_MANY_CLASSES', 'options.numClasses', () =>
      enc.inject(c.texts, c.labels, { ...c.options, numClasses: k }),
    );
  }
  expectError('recover on something that is not texts', 'INVALID_ARGUMENT', 'encoded', () =>
    enc.recover({} as unknown as Texts, c.options),
  );
  return failures;
}
