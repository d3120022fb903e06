/**
 * The recipe preset's ResNet-20 (its model options: depth, width, epochs, batch, one-cycle, learning
 * rate, weight decay) with the init, seed, threads and stride padding a parity or crossed-run
 * script chooses, and the training options it resolves to — what `fit` would hand the training
 * loop. Shared by scripts/step-parity.ts and scripts/cross-start.ts, so both train the cell the
 * preset describes rather than a copy of its numbers.
 */
import { ResNet, type ResNetOptions } from '../src/models/index.js';
import type { trainNetwork } from '../src/models/tfjs/trainLoop.js';
import { PRESETS } from '../src/study/index.js';

export function recipeResNet(choice: Pick<ResNetOptions, 'init' | 'seed' | 'threads' | 'stridePadding'>): {
  model: ResNet;
  train: Parameters<typeof trainNetwork>[4];
} {
  const preset = PRESETS['recipe']?.modelOptions?.['resnet'];
  if (preset === undefined) throw new Error('the recipe preset has no resnet options');
  // The constructor checks every option, the preset's included.
  const model = new ResNet({ ...(preset as ResNetOptions), ...choice });
  // `fit` reads the resolved options from the model; the scripts drive the loop themselves.
  return { model, train: (model as unknown as { train: Parameters<typeof trainNetwork>[4] }).train };
}
