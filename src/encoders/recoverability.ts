import { checkLabels, resolveNumClasses } from '../validate.js';
import type { ImageInput, LabelsInput, Texts } from '../types.js';
import { calledAs, fail } from '../errors.js';
import { checkOptions } from '../options.js';
import { isTensor } from '../images.js';
import { encoderEntryOf, recoverAccepts, type ImageSignalOptions, type SignalOptions, type TextSignalOptions } from './encoderRegistry.js';

/** How well a signal's oracle recovers the labels. */
export interface Recoverability {
  /** Fraction of samples whose label was recovered exactly (ambiguous ones count as misses). */
  readonly accuracy: number;
  /** Samples the decoder could not decide (-1). */
  readonly ambiguous: number;
  /** Samples decoded to a wrong label. */
  readonly wrong: number;
  /** Samples in all. */
  readonly n: number;
}

/**
 * Decodes `encoded` (images for an image signal, texts for a text signal) with the named
 * signal's oracle and compares with the true labels. Takes the options the data was encoded with
 * (the common ones, each signal's own, `range` for images) and `levels`. `numClasses` defaults to
 * the largest label + 1 (the encoder's own default). Encoded images are checked against what an
 * encoder writes on images in `options.range` (default [0, 1]): 0..255 images are an
 * INVALID_ARGUMENT error saying the range found, not a silent accuracy of 0.
 *
 * @example
 * ```ts
 * import { injectOrthogonalNoise, recoverability } from 'blindspots';
 * const x = { data: new Float32Array(3 * 8 * 8).fill(128 / 255), shape: [3, 8, 8, 1] as const };
 * const y = [0, 1, 2];
 * recoverability('orthogonalNoise', injectOrthogonalNoise(x, y), y); //=> { accuracy: 1, ambiguous: 0, wrong: 0, n: 3 }
 * ```
 */
export function recoverability(
  name: string,
  encoded: ImageInput | Texts,
  labels: LabelsInput,
  options: SignalOptions = {},
): Recoverability {
  const fn = 'recoverability';
  const entry = encoderEntryOf(name, fn);
  // The options the data was encoded with (and `levels` for the off-grid decoders): the common
  // ones, used or not, and `range` for an image signal. The oracle gets all but the encoder-only ones.
  const decodes = recoverAccepts(entry);
  const given = checkOptions(fn, options, [...new Set([...entry.options, ...decodes])]);
  const y = checkLabels(fn, labels);
  const numClasses = resolveNumClasses(fn, given.numClasses, y);
  const decodeOptions = Object.fromEntries(Object.entries(given).filter(([k]) => decodes.includes(k)));
  const isTexts = Array.isArray(encoded);
  if (isTexts !== (entry.domain === 'text')) {
    throw fail(
      'INVALID_ARGUMENT',
      fn,
      'encoded',
      entry.domain === 'text'
        ? `texts (an array of strings) for the text signal '${entry.name}'`
        : `an image batch for the image signal '${entry.name}'`,
      isTexts ? 'an array' : isTensor(encoded) ? 'a tensor' : 'an image batch',
    );
  }
  const recovered = calledAs(fn, () =>
    entry.domain === 'text'
      ? entry.recover(encoded as Texts, { ...(decodeOptions as TextSignalOptions), numClasses })
      : entry.recover(encoded as ImageInput, { ...(decodeOptions as ImageSignalOptions), numClasses }),
  );
  if (recovered.length !== y.length) {
    // Caught here rather than as a silent partial score.
    checkLabels(fn, labels, { length: recovered.length });
  }
  let correct = 0;
  let ambiguous = 0;
  for (let i = 0; i < y.length; i++) {
    if (recovered[i] === y[i]) correct++;
    else if (recovered[i] === -1) ambiguous++;
  }
  return { accuracy: correct / y.length, ambiguous, wrong: y.length - correct - ambiguous, n: y.length };
}
