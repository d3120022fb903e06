import type { StudyFile } from './prepare.js';

// What the three table1-resnet20 presets share, so that their cells describe the same data,
// sweep and network (the dither preset's ResNet cells are the main preset's with one change).
const TABLE1_RESNET20_DATA = { dataset: 'fashion-mnist', size: 25_000, testFraction: 0.4, signals: 'all' } as const;
const TABLE1_RESNET20_SWEEP = { orthogonalNoise: { scale: [1e-3, 1e-2] } };
const RESNET20_ONE_CYCLE = { depth: 20, width: 16, epochs: 15, batchSize: 128, schedule: 'onecycle', learningRate: 0.1, weightDecay: 1e-4 };
// The recipe presets: table1-resnet20's data and ResNet-20, one file, so their cells report together.
const RECIPE = {
  ...TABLE1_RESNET20_DATA,
  models: ['resnet'],
  modelOptions: { resnet: RESNET20_ONE_CYCLE },
  seeds: [0, 1, 2],
  threads: 2,
  results: 'blindspots-recipe.jsonl',
};
// table2 and table2-charcnn: the same corpus, split, signals and controls, so their files merge into one table.
const TABLE2_DATA = { dataset: 'spam-assassin', signals: 'all', control: true } as const;

/**
 * Ready-made studies (`blindspots study --preset NAME`), as study files: `prepareStudy(preset)`
 * turns one into a config for `runStudy`.
 *
 * @example
 * ```ts
 * import { PRESETS } from 'blindspots/study';
 * Object.keys(PRESETS); // ['quick', 'table1', 'table1-resnet20', …]
 * ```
 */
export const PRESETS: Readonly<Record<string, StudyFile & { readonly about: string }>> = {
  quick: {
    about:
      'Fashion-MNIST, 100 images per class (800 train / 200 test), every image signal x a small ResNet and four classical models; a few minutes',
    dataset: 'fashion-mnist',
    perClass: 100,
    signals: 'all',
    models: ['resnet', 'decisionTree', 'randomForest', 'gaussianNB', 'logisticRegression'],
    modelOptions: { resnet: { depth: 8, width: 16, epochs: 15, batchSize: 64 } },
    results: 'blindspots-quick.jsonl',
  },
  table1: {
    about:
      "the paper's Table 1 on Fashion-MNIST at 1/4 scale: 17,500 images (14,000 train / 3,500 test), every image signal x a ResNet (depth 8, 5 epochs), the perceptron and shallow max network and seven classical models; about an hour on 2 cores",
    dataset: 'fashion-mnist',
    size: 0.25,
    signals: 'all',
    models: [
      'resnet',
      'decisionTree',
      'randomForest',
      'extraTrees',
      'gaussianNB',
      'logisticRegression',
      'lda',
      'qda',
      'perceptron',
      'shallowMaxNN',
    ],
    modelOptions: { resnet: { depth: 8, width: 16, epochs: 5, batchSize: 128 }, perceptron: { epochs: 5 }, shallowMaxNN: { epochs: 5 } },
    // No control cells here: forests on blank images holding one random pixel grow trees thousands
    // of nodes deep (each split isolates a few images) — one such cell took 270 s.
    results: 'blindspots-table1.jsonl',
  },
  'table1-resnet20': {
    about:
      'Table 1 at a real training budget: Fashion-MNIST, a stratified 15,000 train / 10,000 test split; ResNet-20 trained 15 epochs with one-cycle SGD (max lr 0.1, weight decay 1e-4, batch 128) and learning curves, the perceptron and shallow max network (15 epochs) and seven classical models; every image signal at its default, orthogonal noise also at RMS 1e-2, the one-pixel control on blank images; hours on 2 cores (resumable)',
    ...TABLE1_RESNET20_DATA,
    models: [
      'resnet',
      'decisionTree',
      'randomForest',
      'extraTrees',
      'gaussianNB',
      'logisticRegression',
      'lda',
      'qda',
      'perceptron',
      'shallowMaxNN',
    ],
    modelOptions: {
      resnet: RESNET20_ONE_CYCLE,
      perceptron: { epochs: 15 },
      shallowMaxNN: { epochs: 15 },
    },
    sweep: TABLE1_RESNET20_SWEEP,
    control: ['onePixel'],
    threads: 2,
    results: 'blindspots-table1-resnet20.jsonl',
  },
  'table1-resnet20-step': {
    about:
      "the ResNet-20 of table1-resnet20 under He et al.'s step schedule instead (lr 0.1, momentum 0.9, divided by 10 at 50% and 75%): the same data, signals and curves",
    ...TABLE1_RESNET20_DATA,
    models: ['resnet'],
    modelOptions: {
      resnet: { depth: 20, width: 16, epochs: 15, batchSize: 128, schedule: 'step', learningRate: 0.1, momentum: 0.9, weightDecay: 1e-4 },
    },
    sweep: TABLE1_RESNET20_SWEEP,
    control: ['onePixel'],
    threads: 2,
    results: 'blindspots-table1-resnet20-step.jsonl',
  },
  'table1-resnet20-dither': {
    about:
      'table1-resnet20 with the grid control (every pixel dithered by +-half a quantisation step before encoding): the ResNet-20 (one-cycle) and the trees',
    ...TABLE1_RESNET20_DATA,
    models: ['resnet', 'decisionTree', 'randomForest', 'extraTrees'],
    modelOptions: {
      resnet: RESNET20_ONE_CYCLE,
    },
    sweep: TABLE1_RESNET20_SWEEP,
    dither: true,
    threads: 2,
    results: 'blindspots-table1-resnet20-dither.jsonl',
  },
  recipe: {
    about:
      "whether table1-resnet20's ResNet-20 (one-cycle, 15 epochs) reads orthogonal noise at RMS 1e-3 and the mean shift under He-normal ('he') and PyTorch's default ('torch') initialisation, seeds 0-2, curves with weight norms and per-image predictions for the paired test; 18 cells of ~20 min on 2 cores (resumable)",
    ...RECIPE,
    signals: ['orthogonalNoise', 'meanShift'],
    sweep: { resnet: { init: ['he', 'torch'] } },
  },
  'recipe-suspects': {
    about:
      "the recipe preset's orthogonal-noise cells under the draws that tell its suspects apart: He's std drawn uniform ('he-uniform') and PyTorch's std drawn normal ('torch-normal'), seeds 0-2; same results file",
    ...RECIPE,
    signals: ['orthogonalNoise'],
    sweep: { resnet: { init: ['he-uniform', 'torch-normal'] } },
  },
  'recipe-padding': {
    about:
      "the recipe preset's orthogonal-noise cells with the stride-2 convolutions padded as PyTorch's (stridePadding 'symmetric', the window centred where the option-A shortcut samples) instead of TensorFlow's 'same', under 'torch' and 'he', seeds 0-2; its own results file",
    ...RECIPE,
    modelOptions: { resnet: { ...RESNET20_ONE_CYCLE, stridePadding: 'symmetric' } },
    signals: ['orthogonalNoise'],
    sweep: { resnet: { init: ['torch', 'he'] } },
    results: 'blindspots-recipe-padding.jsonl',
  },
  'recipe-one-thread': {
    about:
      "the recipe preset's orthogonal-noise cells at seed 0 trained on one thread: batch norm over the whole batch of 128 as PyTorch's peer, instead of per 64-image share on two data-parallel threads; same results file",
    ...RECIPE,
    signals: ['orthogonalNoise'],
    sweep: { resnet: { init: ['torch', 'he'] } },
    seeds: [0],
    threads: 1,
  },
  table2: {
    about:
      "the paper's Table 2 (classical models) on the SpamAssassin corpus: 6,046 mails (80/20 split), every text signal and its control x four classical models on character codes",
    ...TABLE2_DATA,
    models: ['decisionTree', 'randomForest', 'gaussianNB', 'logisticRegression'],
    // The char-CNN has its own preset: its cells take 14–21 min each here, these seconds.
    results: 'blindspots-table2.jsonl',
  },
  'table2-charcnn': {
    about:
      "Table 2's char-CNN column: Zhang et al.'s small char-CNN trained 10 epochs (SGD, momentum 0.9, lr 0.01 halved at 1/3 and 2/3, batch 128) on 2 data-parallel threads, on table2's data, signals and controls, learning curves on; about two hours on 2 cores (resumable; `blindspots merge` joins it to table2's file)",
    ...TABLE2_DATA,
    models: ['charCnn'],
    modelOptions: { charCnn: { size: 'small', epochs: 10 } },
    threads: 2,
    results: 'blindspots-table2-charcnn.jsonl',
  },
};
