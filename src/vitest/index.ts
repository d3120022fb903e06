import type {} from 'vitest';
import { recoverability } from '../encoders/recoverability.js';
import type { SignalOptions } from '../encoders/registry.js';
import type { ImageInput, LabelsInput, Texts } from '../types.js';

/** Options of the `toRecoverLabels` matcher: the signal's options plus the accuracy to require. */
export type RecoverLabelsOptions = SignalOptions & {
  /** Fraction of labels that must be recovered; default 1 (all). */
  readonly minAccuracy?: number;
};

interface MatcherResult {
  pass: boolean;
  message: () => string;
}

/**
 * Vitest matchers for researchers' own tests. Register once with `expect.extend`:
 *
 * @example
 * ```ts
 * import { expect, test } from 'vitest';
 * import { blindspotsMatchers } from 'blindspots/vitest';
 * import { injectOrthogonalNoise } from 'blindspots';
 * expect.extend(blindspotsMatchers); // importing 'blindspots/vitest' also types the matcher
 * test('my encoder keeps the label', () => {
 *   const x = { data: new Float32Array(4 * 8 * 8).fill(128 / 255), shape: [4, 8, 8, 1] as const };
 *   const y = [0, 1, 2, 3];
 *   expect(injectOrthogonalNoise(x, y)).toRecoverLabels('orthogonalNoise', y);
 * });
 * ```
 */
export const blindspotsMatchers = {
  toRecoverLabels(received: ImageInput | Texts, signal: string, labels: LabelsInput, options: RecoverLabelsOptions = {}): MatcherResult {
    const { minAccuracy = 1, ...signalOptions } = options;
    const r = recoverability(signal, received, labels, signalOptions);
    const pass = r.accuracy >= minAccuracy;
    const figures = `${(100 * r.accuracy).toFixed(2)}% recovered (${String(r.wrong)} wrong, ${String(r.ambiguous)} ambiguous of ${String(r.n)})`;
    return {
      pass,
      message: () =>
        pass
          ? `expected the '${signal}' oracle not to recover >= ${String(100 * minAccuracy)}% of labels, but ${figures}`
          : `expected the '${signal}' oracle to recover >= ${String(100 * minAccuracy)}% of labels, got ${figures}`,
    };
  },
};

declare module 'vitest' {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- vitest's own declaration uses any
  interface Matchers<T = any> {
    /** Passes when the named signal's oracle recovers the labels from the received batch. */
    toRecoverLabels(signal: string, labels: ArrayLike<number>, options?: RecoverLabelsOptions): T;
  }
}
