import { deriveSeed, permutation } from '../../random.js';

/**
 * The labels whose signal a cell's shuffled test inputs carry: the test labels permuted by the
 * cell's seed. The one definition of the shuffle, shared by the runner that encodes the inputs
 * (`encodeCell`, `measureReliance`) and the paired test that reads the predictions back
 * (`recordPairedTest`), so the two cannot drift apart.
 * @internal
 */
export function shuffledLabels(labels: Int32Array, seed: number): Int32Array {
  const perm = permutation(labels.length, deriveSeed(seed, 'shuffle'));
  return Int32Array.from(perm, (i) => labels[i] as number);
}
