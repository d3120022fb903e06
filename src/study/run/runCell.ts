import { hostname } from 'node:os';
import type { ImageDataset, TextDataset } from '../../data/dataset.js';
import { domainOf, domainOps } from '../../domain.js';
import type { FitProgress, ModelParams } from '../../models/model.js';
import { getModel } from '../../models/modelRegistry.js';
import { describeKernels } from '../../kernels/tfjs/index.js';
import type { ImageArray, Texts } from '../../types.js';
import { VERSION } from '../../version.js';
import type { Cell } from '../spec/plan.js';
import { packPredictions } from '../store/predictions.js';
import { shuffledLabels } from './shuffledLabels.js';
import { fitAndScore } from './fitAndScore.js';
import { CLEAN, ONLY, RECORD_SCHEMA, type CellRecord, type DataIdentity } from '../store/cellRecord.js';

/** What a cell runs on: the data's identity and its (dithered, if asked) splits. */
export interface CellData {
  readonly data: DataIdentity;
  readonly train: ImageDataset<ImageArray> | TextDataset;
  readonly test: ImageDataset<ImageArray> | TextDataset;
}

/** A cell's inputs in its domain's kind (`X`: image batches or texts): what its model trains and is tested on. */
export interface EncodedCell<X extends ImageArray | Texts = ImageArray | Texts> {
  /** Training inputs carrying the signal of their own label (blank ones for a `:only` control). */
  readonly train: X;
  /** Test inputs carrying the signal of their own label. */
  readonly test: X;
  /** Test inputs carrying the signal of a shuffled label (the reliance figure); undefined for the clean cell. */
  readonly shuffled: X | undefined;
}

/**
 * Encodes a cell's data exactly as {@link runCell} does before fitting: train and test with the
 * cell's signal (blank inputs for a `:only` control), and the test inputs with the signal of a
 * label permuted by the cell's seed. The clean cell returns the inputs as they are. Exported so
 * that a peer (PyTorch, scikit-learn) can be given the very arrays a record was made from.
 *
 * @example
 * ```ts
 * import { encodeCell, planStudy } from 'blindspots/study';
 * const images = { data: new Float32Array(4 * 2 * 2), shape: [4, 2, 2, 1] as const }; // 4 blank 2x2 images
 * const train = { images, labels: Int32Array.of(0, 1, 0, 1), classNames: ['a', 'b'] };
 * const plan = planStudy({ dataset: 'toy', train, test: train, signals: ['onePixel'], models: ['decisionTree'] });
 * const cell = plan.cells.find((c) => c.signal === 'onePixel');
 * if (cell === undefined) throw new Error('the plan has a onePixel cell');
 * const x = encodeCell(plan, cell);
 * // Image 1 has label 1: its pixel (0, 0) carries 1 x 1e-3.
 * Math.round((x.test as typeof images).data[4]! * 1e3); //=> 1
 * ```
 */
export function encodeCell(data: CellData & { readonly train: ImageDataset<ImageArray> }, cell: Cell): EncodedCell<ImageArray>;
export function encodeCell(data: CellData & { readonly train: TextDataset }, cell: Cell): EncodedCell<Texts>;
export function encodeCell(data: CellData, cell: Cell): EncodedCell;
export function encodeCell(data: CellData, cell: Cell): EncodedCell {
  const ops = domainOps(domainOf(data.train));
  const rawTrain = ops.inputOf(data.train);
  const rawTest = ops.inputOf(data.test);
  if (cell.signal === CLEAN) return { train: rawTrain, test: rawTest, shuffled: undefined } as EncodedCell;
  const yTest = data.test.labels;
  const only = cell.signal.endsWith(ONLY);
  const signal = only ? cell.signal.slice(0, -ONLY.length) : cell.signal;
  const trainInput = only ? ops.blank(rawTrain) : rawTrain;
  const testInput = only ? ops.blank(rawTest) : rawTest;
  // The signal of a shuffled label: same inputs, same code, wrong class.
  return {
    train: ops.encode(signal, trainInput, data.train.labels, cell.inject),
    test: ops.encode(signal, testInput, yTest, cell.inject),
    shuffled: ops.encode(signal, testInput, shuffledLabels(yTest, cell.seed), cell.inject),
  } as EncodedCell;
}

/**
 * Runs one cell — a self-contained job: the cell and the data in, the record out. Encodes train
 * and test with the cell's signal (blank inputs for a `:only` control), fits the model, measures
 * test accuracy and the reliance figure (test inputs carrying a shuffled label's signal), and, for
 * models that train by epochs, the learning curve. The model is disposed whatever happens.
 *
 * @example
 * ```ts
 * import { planStudy, runCell, type CellRecord } from 'blindspots/study';
 * const images = { data: new Float32Array(8 * 8 * 8), shape: [8, 8, 8, 1] as const }; // 8 blank 8x8 images
 * const train = { images, labels: Int32Array.of(0, 1, 0, 1, 0, 1, 0, 1), classNames: ['a', 'b'] };
 * const plan = planStudy({ dataset: 'toy', train, test: train, signals: ['onePixel'], models: ['decisionTree'] });
 * const records: CellRecord[] = [];
 * for (const cell of plan.cells) records.push(await runCell(plan, cell)); // what runStudy does, one cell at a time
 * records.map((r) => `${r.signal} ${String(r.accuracy)}`); //=> ['clean 0.5', 'onePixel 1']
 * ```
 */
export async function runCell(
  data: CellData,
  cell: Cell,
  options: { readonly onProgress?: (p: FitProgress) => void; readonly signal?: AbortSignal } = {},
): Promise<CellRecord> {
  const yTrain = data.train.labels;
  const yTest = data.test.labels;
  const entry = getModel(cell.model);
  const model = entry.create({ seed: cell.seed, threads: cell.threads, options: cell.modelOptions });
  // Feature models get flattened pixels or character codes; the others their own kind as is.
  const ops = domainOps(domainOf(data.train));
  const input = (x: unknown): unknown => (entry.inputKind === 'features' ? ops.features(x) : x);
  try {
    const x = encodeCell(data, cell);
    const scored = await fitAndScore(
      model,
      { train: input(x.train), test: input(x.test), shuffled: x.shuffled === undefined ? undefined : input(x.shuffled) },
      yTrain,
      yTest,
      {
        curveEvery: cell.curveEvery,
        ...(options.signal === undefined ? {} : { signal: options.signal }),
        ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
      },
    );
    const { predicted, predictedShuffled, curve, fitSeconds } = scored;
    const params = JSON.parse(JSON.stringify(model.params)) as ModelParams;
    let numClasses = data.train.classNames.length;
    for (const y of [yTrain, yTest, predicted]) for (const v of y) if (v + 1 > numClasses) numClasses = v + 1;
    return {
      schema: RECORD_SCHEMA,
      key: cell.key,
      dataset: data.data.name,
      data: data.data,
      signal: cell.signal,
      options: cell.options,
      ...(cell.sweep === undefined ? {} : { sweep: cell.sweep }),
      model: cell.model,
      ...(cell.modelSweep === undefined ? {} : { modelSweep: cell.modelSweep }),
      params,
      seed: cell.seed,
      threads: cell.threads,
      accuracy: scored.accuracy,
      shuffledAccuracy: scored.shuffledAccuracy,
      ...(curve.length === 0 ? {} : { curve }),
      ...(cell.predictions === true ? { predictions: packPredictions(numClasses, yTest, predicted, predictedShuffled) } : {}),
      nTrain: yTrain.length,
      nTest: yTest.length,
      fitSeconds,
      // Which kernels trained it: `wasm`, `wasm+native-avx512` (the same C at the machine's vector width), `cpu`…
      backend: entry.inputKind === 'features' ? 'js' : describeKernels(),
      version: VERSION,
      finishedAt: new Date().toISOString(),
      host: hostname(),
    };
  } finally {
    model.dispose();
  }
}
