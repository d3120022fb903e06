import { calledAs, fail } from '../../errors.js';
import { describe } from '../../validate.js';
import { unpackPredictionsOf, type PackedPredictions } from '../store/predictions.js';
import { CLEAN } from '../store/cellRecord.js';
import { shuffledLabels } from '../run/shuffledLabels.js';
import { pairedTest, type PairedTestResult } from './pairedTest.js';

/** What {@link recordPairedTest} reads of a record: its packed predictions, signal and seed. */
export interface PredictionsRecord {
  readonly predictions?: PackedPredictions;
  readonly signal: string;
  readonly seed: number;
}

/**
 * The {@link pairedTest} of a study record's per-image predictions, with `followsSignal`: the
 * labels whose signal the shuffled test images carried are rebuilt from the record's seed as the
 * study drew them (`permutation(n, deriveSeed(seed, 'shuffle'))` applied to the test labels).
 * `undefined` for a record without predictions (written before they were recorded, or by a study
 * that did not keep them) and for a clean cell (no signal to shuffle).
 *
 * @example
 * ```ts
 * import { packPredictions, recordPairedTest } from 'blindspots/study';
 * const labels = Int32Array.of(0, 1, 0, 1, 0, 1);
 * const predictions = packPredictions(2, labels, labels, Int32Array.of(1, 1, 0, 0, 1, 1));
 * const test = recordPairedTest({ signal: 'onePixel', seed: 0, predictions });
 * [test?.accuracy, test?.shuffledAccuracy, test?.verdict]; //=> [1, 0.5, 'ignores']
 * recordPairedTest({ signal: 'clean', seed: 0 }); //=> undefined
 * ```
 */
export function recordPairedTest(record: PredictionsRecord): PairedTestResult | undefined {
  const fn = 'recordPairedTest';
  if (record === null || typeof record !== 'object') throw fail('INVALID_ARGUMENT', fn, 'record', 'a cell record', describe(record));
  const packed = record.predictions;
  if (packed === undefined || record.signal === CLEAN) return undefined;
  if (typeof record.seed !== 'number' || !Number.isFinite(record.seed))
    throw fail('DATA_FORMAT', fn, 'record.seed', 'a finite number', describe(record.seed));
  const { labels, signal, shuffled } = unpackPredictionsOf(packed, fn);
  if (shuffled === null) return undefined;
  return calledAs(fn, () => pairedTest(labels, signal, shuffled, shuffledLabels(labels, record.seed)));
}
