import { isTextDataset, type ImageDataset, type TextDataset } from '../../data/dataset.js';
import { dither } from '../../data/dither.js';
import type { ImageArray } from '../../types.js';
import type { DataIdentity } from '../store/cellRecord.js';

/**
 * A split with the grid control applied as a study applies it (train and test get their own
 * noise streams); texts and `spec === null` pass through. Queue workers use it to make the same
 * data as a local run.
 *
 * @example
 * ```ts
 * import type { ImageDataset } from 'blindspots/data';
 * import { applyDither, planStudy } from 'blindspots/study';
 * const images = { data: new Float32Array(8 * 8 * 8), shape: [8, 8, 8, 1] as const }; // 8 blank 8x8 images
 * const train = { images, labels: Int32Array.of(0, 1, 0, 1, 0, 1, 0, 1), classNames: ['a', 'b'] };
 * const plan = planStudy({ dataset: 'toy', train, test: train, signals: ['onePixel'], models: ['decisionTree'], dither: true });
 * plan.data.dither; //=> { levels: 255, seed: 0 }
 * const dithered = applyDither(plan.train, plan.data.dither, 'train') as ImageDataset;
 * // Every value moved off the 8-bit grid, by at most half a step:
 * dithered.images.data.every((v) => v !== 0 && Math.abs(v) <= 1 / 510); //=> true
 * ```
 */
export function applyDither(
  ds: ImageDataset<ImageArray> | TextDataset,
  spec: DataIdentity['dither'],
  split: 'train' | 'test',
): ImageDataset<ImageArray> | TextDataset {
  if (spec === null || isTextDataset(ds)) return ds;
  return { ...ds, images: dither(ds.images, { levels: spec.levels, seed: `${String(spec.seed)}/${split}` }) };
}
