/**
 * The measurement at the heart of a cell: fit a model on encoded training inputs, predict the test
 * inputs with their own signal and with a shuffled label's, and (for models that train by epochs)
 * the learning curve. Shared by `runCell` (registry models, study records) and `measureReliance`
 * (any model, any encoder).
 */
import type { EpochInfo, EpochWeights, FitProgress, InputKind, InputOf, Model } from '../../models/model.js';
import type { CurvePoint } from '../store/cellRecord.js';

/** What {@link fitAndScore} measured. */
export interface Scored {
  /** Predictions of the fitted model on the test inputs with their own signal. */
  readonly predicted: Int32Array;
  /** On the test inputs with a shuffled label's signal; undefined when none were given. */
  readonly predictedShuffled: Int32Array | undefined;
  readonly accuracy: number;
  readonly shuffledAccuracy: number | null;
  /** Per-epoch points (models that train by epochs, when `curveEvery` > 0). */
  readonly curve: CurvePoint[];
  /** Seconds in `fit`, without the curve's evaluations. */
  readonly fitSeconds: number;
}

/** A curve point's weight figures: the first and mean kernel norms, the rate and the effective rates. */
function weightFigures(w: EpochWeights | undefined): Partial<CurvePoint> {
  if (w === undefined || w.kernelNorms.length === 0) return {};
  const norms = w.kernelNorms;
  const lr = w.learningRate;
  // Per filter: batch norm removes each output channel's scale, ||W||² / filters on average.
  const effective = norms.map((n, i) => lr / (n ** 2 / (w.kernelFilters[i] ?? 1)));
  return {
    firstKernelNorm: norms[0] as number,
    meanKernelNorm: norms.reduce((a, b) => a + b, 0) / norms.length,
    learningRate: lr,
    effectiveLr: effective[0] as number,
    meanEffectiveLr: effective.reduce((a, b) => a + b, 0) / effective.length,
  };
}

/**
 * Fits `model` on `train` (its own kind of input) and scores it on `test` and `shuffled`.
 * @internal
 */
export async function fitAndScore(
  model: Model,
  inputs: { readonly train: unknown; readonly test: unknown; readonly shuffled: unknown },
  yTrain: Int32Array,
  yTest: Int32Array,
  options: {
    readonly curveEvery?: number;
    readonly onProgress?: (p: FitProgress) => void;
    readonly signal?: AbortSignal;
  } = {},
): Promise<Scored> {
  type ModelInput = InputOf[InputKind];
  const accuracyOf = (p: Int32Array): number => {
    let ok = 0;
    for (let i = 0; i < p.length; i++) if (p[i] === yTest[i]) ok++;
    return ok / p.length;
  };
  const curve: CurvePoint[] = [];
  let evaluating = 0;
  const every = options.curveEvery ?? 0;
  const onEpoch =
    every > 0
      ? async (info: EpochInfo) => {
          if (info.epoch % every !== 0 && info.epoch !== info.epochs) return;
          const t = performance.now();
          const accuracy = accuracyOf(await info.predict(inputs.test as ModelInput));
          const shuffledAccuracy = inputs.shuffled === undefined ? null : accuracyOf(await info.predict(inputs.shuffled as ModelInput));
          curve.push({ epoch: info.epoch, accuracy, shuffledAccuracy, ...weightFigures(info.weights) });
          evaluating += performance.now() - t;
        }
      : undefined;
  const t0 = performance.now();
  await model.fit(inputs.train as ModelInput, yTrain, {
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
    ...(onEpoch === undefined ? {} : { onEpoch }),
  });
  const fitSeconds = (performance.now() - t0 - evaluating) / 1000;
  const predicted = await model.predict(inputs.test as ModelInput);
  const predictedShuffled = inputs.shuffled === undefined ? undefined : await model.predict(inputs.shuffled as ModelInput);
  return {
    predicted,
    predictedShuffled,
    accuracy: accuracyOf(predicted),
    shuffledAccuracy: predictedShuffled === undefined ? null : accuracyOf(predictedShuffled),
    curve,
    fitSeconds,
  };
}
