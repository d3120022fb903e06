import * as tf from '@tensorflow/tfjs';
import type { InferenceStep } from '../../src/kernels/tfjs/index.js';
import type { BatchNormVars, FeatureSteps } from '../../src/models/tfjs/layers.js';

/**
 * A small residual feature extractor on [10, 10, 3] images that reaches every kind of plan step: a
 * 3-channel stem (the direct kernel), a stride-1 block (Winograd with batch norm in its output
 * transform, an identity residual), a stride-2 block (the strided direct kernel padded by
 * `stridePad`: 'same' pads 0 above and 1 below, 1 both; an option-A shortcut as the residual), a 'valid' convolution without ReLU
 * (partial Winograd tiles), and the mean.
 */
export function residualSteps(stridePad: 'same' | number): { steps: InferenceStep[]; filters: Record<string, number[]> } {
  const conv = (
    input: number,
    filter: string,
    stride: number,
    pad: 'same' | 'valid' | number,
    relu = true,
    residual?: number,
  ): InferenceStep =>
    residual === undefined
      ? { op: 'convBatchNorm', input, filter, bn: filter, stride, pad, relu }
      : { op: 'convBatchNorm', input, filter, bn: filter, stride, pad, relu, residual };
  return {
    steps: [
      conv(0, 'stem', 1, 'same'),
      conv(1, 'b1c1', 1, 'same'),
      conv(2, 'b1c2', 1, 'same', true, 1),
      conv(3, 'b2c1', 2, stridePad),
      { op: 'shortcut', input: 3, stride: 2, channels: 16 },
      conv(4, 'b2c2', 1, 'same', true, 5),
      conv(6, 'last', 1, 'valid', false),
      { op: 'mean', input: 7 },
    ],
    filters: {
      stem: [3, 3, 3, 8],
      b1c1: [3, 3, 8, 8],
      b1c2: [3, 3, 8, 8],
      b2c1: [3, 3, 8, 16],
      b2c2: [3, 3, 16, 16],
      last: [3, 3, 16, 16],
    },
  };
}

/** {@link residualSteps} over seeded random filters and batch-norm layers (positive variances); `dispose` frees them. */
export function residualNet(stridePad: 'same' | number, seed: number): FeatureSteps & { dispose(): void } {
  const { steps, filters } = residualSteps(stridePad);
  const made: tf.Variable[] = [];
  const variable = (t: tf.Tensor): tf.Variable => {
    const v = tf.variable(t, false);
    t.dispose();
    made.push(v);
    return v;
  };
  const filterVars = new Map<string, tf.Tensor>();
  const batchNorms = new Map<string, BatchNormVars>();
  Object.entries(filters).forEach(([name, shape], i) => {
    const s = seed + 10 * i;
    filterVars.set(name, variable(tf.randomNormal(shape, 0, Math.sqrt(2 / (9 * (shape[2] as number))), 'float32', s)));
    const F = shape[3] as number;
    batchNorms.set(name, {
      gamma: variable(tf.randomUniform([F], 0.5, 1.5, 'float32', s + 1)),
      beta: variable(tf.randomNormal([F], 0, 0.2, 'float32', s + 2)),
      mean: variable(tf.randomNormal([F], 0, 0.2, 'float32', s + 3)),
      variance: variable(tf.randomUniform([F], 0.5, 2, 'float32', s + 4)),
    });
  });
  return {
    steps,
    filters: filterVars,
    batchNorms,
    dispose: () => {
      for (const v of made) v.dispose();
    },
  };
}
