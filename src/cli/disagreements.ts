import type { Disagreement } from '../study/store/merge.js';

/** Prints `warning DUPLICATE_DISAGREES` lines for records of one key that measured different things. */
export function warnDisagreements(disagreements: readonly Disagreement[]): void {
  for (const d of disagreements) {
    const values = d.accuracies.map((a) => `${(100 * a.accuracy).toFixed(2)}% on ${a.host}`).join(' vs ');
    process.stderr.write(
      `warning DUPLICATE_DISAGREES: ${d.model} on ${d.signal} (seed ${String(d.seed)}, key ${d.key}) was recorded twice with different results: ${values}\n`,
    );
  }
}
