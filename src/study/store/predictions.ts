/**
 * Per-image predictions in a study record, packed: each label takes the fewest bits of 1, 2, 4,
 * 8 or 16 that hold the class count, little-endian within a byte, and the bytes are base64. The
 * test labels of a Fashion-MNIST cell (10,000 images, 10 classes) take 6.7 KB this way instead of
 * ~20 KB as a JSON array.
 */
import { fail } from '../../errors.js';
import { describe } from '../../validate.js';

/** A cell's test labels and its predictions with the right signal and with a shuffled label's signal, packed. */
export interface PackedPredictions {
  /** Bits per label: 1, 2, 4, 8 or 16. */
  readonly bits: number;
  /** How many images. */
  readonly n: number;
  /** The test labels. */
  readonly labels: string;
  /** Predictions with each image's own signal (clean cells: on the clean images). */
  readonly signal: string;
  /** Predictions with the signal of a shuffled label; null for clean cells. */
  readonly shuffled: string | null;
}

const BITS = [1, 2, 4, 8, 16] as const;

/** The bits per label for `numClasses` classes. */
function bitsFor(numClasses: number): number {
  for (const b of BITS) if (numClasses <= 2 ** b) return b;
  throw fail('TOO_MANY_CLASSES', 'packLabels', 'numClasses', 'at most 65,536 classes', String(numClasses));
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function toBase64(bytes: Uint8Array): string {
  // Written out: the study code also runs where neither Buffer nor a fast btoa of binary is at hand.
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const a = bytes[i] as number;
    const b = i + 1 < bytes.length ? (bytes[i + 1] as number) : 0;
    const c = i + 2 < bytes.length ? (bytes[i + 2] as number) : 0;
    const triple = (a << 16) | (b << 8) | c;
    out += ALPHABET[(triple >> 18) & 63];
    out += ALPHABET[(triple >> 12) & 63];
    out += i + 1 < bytes.length ? ALPHABET[(triple >> 6) & 63] : '=';
    out += i + 2 < bytes.length ? ALPHABET[triple & 63] : '=';
  }
  return out;
}

function fromBase64(fn: string, arg: string, text: string): Uint8Array {
  if (text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text))
    throw fail('DATA_FORMAT', fn, arg, 'base64 text', `${String(text.length)} characters that are not`);
  const pad = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const out = new Uint8Array((text.length / 4) * 3 - pad);
  let o = 0;
  for (let i = 0; i < text.length; i += 4) {
    let triple = 0;
    for (let j = 0; j < 4; j++) {
      const ch = text[i + j] as string;
      triple = (triple << 6) | (ch === '=' ? 0 : ALPHABET.indexOf(ch));
    }
    if (o < out.length) out[o++] = (triple >> 16) & 255;
    if (o < out.length) out[o++] = (triple >> 8) & 255;
    if (o < out.length) out[o++] = triple & 255;
  }
  return out;
}

/**
 * Packs labels in [0, 2^bits) into base64 text, `bits` per label.
 *
 * @example
 * ```ts
 * import { packLabels, unpackLabels } from 'blindspots/study';
 * const text = packLabels(Int32Array.of(3, 0, 9, 9), 4); // two labels a byte
 * unpackLabels(text, 4, 4); //=> Int32Array [3, 0, 9, 9]
 * ```
 */
export function packLabels(labels: ArrayLike<number>, bits: number): string {
  if (!(BITS as readonly number[]).includes(bits)) throw fail('INVALID_ARGUMENT', 'packLabels', 'bits', '1, 2, 4, 8 or 16', describe(bits));
  const max = 2 ** bits;
  const bytes = new Uint8Array(Math.ceil((labels.length * bits) / 8));
  for (let i = 0; i < labels.length; i++) {
    const v = labels[i] as number;
    if (!Number.isInteger(v) || v < 0 || v >= max)
      throw fail('LABEL_OUT_OF_RANGE', 'packLabels', 'labels', `integers in [0, ${String(max)})`, `${String(v)} at index ${String(i)}`);
    if (bits === 16) {
      bytes[2 * i] = v & 255;
      bytes[2 * i + 1] = v >> 8;
    } else {
      const bit = i * bits;
      bytes[bit >> 3] = (bytes[bit >> 3] as number) | (v << (bit & 7));
    }
  }
  return toBase64(bytes);
}

/**
 * Unpacks `n` labels of `bits` bits each from {@link packLabels}'s text; a DATA_FORMAT error if
 * the text does not hold exactly that many.
 *
 * @example
 * ```ts
 * import { packLabels, unpackLabels } from 'blindspots/study';
 * unpackLabels(packLabels([1, 0, 1], 1), 3, 1); //=> Int32Array [1, 0, 1]
 * ```
 */
export function unpackLabels(text: string, n: number, bits: number): Int32Array {
  return unpackLabelsOf(text, n, bits, 'unpackLabels', 'text');
}

/** {@link unpackLabels} on behalf of `fn`, the function the user called, whose argument `arg` held the text. */
function unpackLabelsOf(text: string, n: number, bits: number, fn: string, arg: string): Int32Array {
  if (!(BITS as readonly number[]).includes(bits)) throw fail('DATA_FORMAT', fn, `${arg} bits`, '1, 2, 4, 8 or 16', describe(bits));
  const bytes = fromBase64(fn, arg, text);
  if (bytes.length !== Math.ceil((n * bits) / 8))
    throw fail('DATA_FORMAT', fn, arg, `${String(n)} labels of ${String(bits)} bits`, `${String(bytes.length)} bytes`);
  const out = new Int32Array(n);
  const mask = 2 ** bits - 1;
  for (let i = 0; i < n; i++) {
    if (bits === 16) out[i] = (bytes[2 * i] as number) | ((bytes[2 * i + 1] as number) << 8);
    else {
      const bit = i * bits;
      out[i] = ((bytes[bit >> 3] as number) >> (bit & 7)) & mask;
    }
  }
  return out;
}

/**
 * A cell's labels and predictions, packed for its record.
 *
 * @example
 * ```ts
 * import { packPredictions, unpackPredictions } from 'blindspots/study';
 * const packed = packPredictions(10, Int32Array.of(1, 2), Int32Array.of(1, 2), Int32Array.of(1, 7));
 * unpackPredictions(packed).shuffled; //=> Int32Array [1, 7]
 * ```
 */
export function packPredictions(
  numClasses: number,
  labels: Int32Array,
  signal: Int32Array,
  shuffled: Int32Array | undefined,
): PackedPredictions {
  const bits = bitsFor(numClasses);
  return {
    bits,
    n: labels.length,
    labels: packLabels(labels, bits),
    signal: packLabels(signal, bits),
    shuffled: shuffled === undefined ? null : packLabels(shuffled, bits),
  };
}

/** Unpacked {@link PackedPredictions}. */
export interface Predictions {
  readonly labels: Int32Array;
  readonly signal: Int32Array;
  readonly shuffled: Int32Array | null;
}

/**
 * The labels and predictions of a record's `predictions`.
 *
 * @example
 * ```ts
 * import { packPredictions, unpackPredictions } from 'blindspots/study';
 * unpackPredictions(packPredictions(3, Int32Array.of(2), Int32Array.of(0), undefined)).signal; //=> Int32Array [0]
 * ```
 */
export function unpackPredictions(packed: PackedPredictions): Predictions {
  return unpackPredictionsOf(packed, 'unpackPredictions');
}

/**
 * {@link unpackPredictions} on behalf of `fn`, the function the user called, which its errors name.
 *
 * @example
 * ```ts
 * import { unpackPredictionsOf } from './predictions.js'; // internal
 * unpackPredictionsOf({ bits: 4, n: 2, labels: 'AA==', signal: 'AAAA', shuffled: null }, 'recordPairedTest');
 * //=> throws DATA_FORMAT recordPairedTest: argument 'predictions.signal'
 * ```
 */
export function unpackPredictionsOf(packed: PackedPredictions, fn: string): Predictions {
  const { n, bits } = packed;
  if (!Number.isInteger(n) || n < 0) throw fail('DATA_FORMAT', fn, 'predictions.n', 'a count', describe(n));
  return {
    labels: unpackLabelsOf(packed.labels, n, bits, fn, 'predictions.labels'),
    signal: unpackLabelsOf(packed.signal, n, bits, fn, 'predictions.signal'),
    shuffled: packed.shuffled === null ? null : unpackLabelsOf(packed.shuffled, n, bits, fn, 'predictions.shuffled'),
  };
}
