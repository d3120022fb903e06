import { isTensor } from '../../images.js';
import {
  encoderEntryOf,
  imageEncoderNames,
  textEncoderNames,
  type SignalFamily,
  type SignalInformation,
  type SignalOptions,
} from '../../encoders/encoderRegistry.js';
import { recoverability } from '../../encoders/recoverability.js';
import { fail } from '../../errors.js';
import { checkOptions } from '../../options.js';
import { describe } from '../../validate.js';
import type { ImageInput, LabelsInput, Texts } from '../../types.js';

/** One signal's row in a recoverability table. */
export interface RecoverabilityRow {
  readonly signal: string;
  readonly title: string;
  readonly family: SignalFamily;
  readonly information: SignalInformation;
  readonly accuracy: number;
  readonly ambiguous: number;
  readonly wrong: number;
  readonly n: number;
  /** Wall time of the encoder on the whole batch, in milliseconds. */
  readonly encodeMs: number;
  /** Wall time of the oracle decoder, in milliseconds. */
  readonly recoverMs: number;
}

/** Options of {@link recoverabilityTable}. */
export interface RecoverabilityTableOptions {
  /** Signals to run; default every registered signal of the data's domain (images or texts). */
  readonly signals?: readonly string[];
  /**
   * Signal options (numClasses, scale, seed…): each signal gets the ones it takes; a name no
   * selected signal takes is an UNKNOWN_OPTION error.
   */
  readonly options?: SignalOptions;
  /** Called after each signal, e.g. to print progress. */
  readonly onRow?: (row: RecoverabilityRow) => void;
}

/**
 * Encodes one batch (images or texts) with each signal and decodes it with the signal's oracle:
 * the table that shows each signal really carries the label. Encoded tensors are disposed as it goes.
 *
 * @example
 * ```ts
 * import { recoverabilityTable, formatRecoverabilityTable } from 'blindspots/study';
 * const x = { data: new Float32Array(10 * 8 * 8 * 3).fill(128 / 255), shape: [10, 8, 8, 3] as const };
 * const y = Int32Array.from({ length: 10 }, (_, i) => i % 4);
 * console.log(formatRecoverabilityTable(recoverabilityTable(x, y)));
 * ```
 */
export function recoverabilityTable(
  data: ImageInput | Texts,
  labels: LabelsInput,
  options: RecoverabilityTableOptions = {},
): RecoverabilityRow[] {
  const fn = 'recoverabilityTable';
  const o = checkOptions(fn, options, ['signals', 'options', 'onRow']);
  const isTexts = Array.isArray(data);
  const signals: unknown = o.signals ?? (isTexts ? textEncoderNames : imageEncoderNames);
  if (!Array.isArray(signals)) throw fail('INVALID_ARGUMENT', fn, 'options.signals', 'an array of signal names', describe(signals));
  const entries = signals.map((name) => encoderEntryOf(name as string, fn));
  const takes = (e: (typeof entries)[number]) => new Set([...e.options, ...e.recoverOptions]);
  const given = checkOptions(
    fn,
    o.options as Record<string, unknown> | undefined,
    [...new Set(entries.flatMap((e) => [...takes(e)]))],
    'options.options',
  );
  const rows: RecoverabilityRow[] = [];
  for (const entry of entries) {
    const name = entry.name;
    const mine = takes(entry);
    const decodeOpts = Object.fromEntries(Object.entries(given).filter(([k]) => mine.has(k)));
    const opts = Object.fromEntries(Object.entries(given).filter(([k]) => entry.options.includes(k)));
    const t0 = performance.now();
    // recoverability below rejects data of the wrong domain with a typed error; here the inject
    // call is typed by the entry's domain.
    const encoded = entry.domain === 'text' ? entry.inject(data as Texts, labels, opts) : entry.inject(data as ImageInput, labels, opts);
    const t1 = performance.now();
    try {
      const r = recoverability(name, encoded, labels, decodeOpts);
      const row: RecoverabilityRow = {
        signal: entry.name,
        title: entry.title,
        family: entry.family,
        information: entry.information,
        ...r,
        encodeMs: t1 - t0,
        recoverMs: performance.now() - t1,
      };
      rows.push(row);
      options.onRow?.(row);
    } finally {
      if (isTensor(encoded)) encoded.dispose();
    }
  }
  return rows;
}

/**
 * A Markdown table of recoverability rows.
 *
 * @example
 * ```ts
 * import { formatRecoverabilityTable, recoverabilityTable } from 'blindspots/study';
 * const rows = recoverabilityTable(['great food', 'awful service'], [0, 1]); // the text signals
 * formatRecoverabilityTable(rows); //=> '| signal | family | information | recovered | ambiguous | wrong | n | encode ms |\n…'
 * ```
 */
export function formatRecoverabilityTable(rows: readonly RecoverabilityRow[]): string {
  const lines = [
    '| signal | family | information | recovered | ambiguous | wrong | n | encode ms |',
    '|---|---|---|---:|---:|---:|---:|---:|',
  ];
  for (const r of rows) {
    lines.push(
      `| ${r.title} | ${r.family} | ${r.information} | ${(100 * r.accuracy).toFixed(2)}% | ${String(r.ambiguous)} | ${String(r.wrong)} | ${String(r.n)} | ${r.encodeMs.toFixed(1)} |`,
    );
  }
  return lines.join('\n');
}
