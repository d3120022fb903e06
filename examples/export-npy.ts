/**
 * Load Fashion-MNIST, make it CIFAR-shaped (pad to 32x32, grey to RGB), hide the label with
 * orthogonal class noise, and export NumPy files to train elsewhere (PyTorch on a GPU):
 *
 *   npx tsx examples/export-npy.ts [--out out/fashion-orthogonal] [--per-class N]
 *
 * In Python:  x = np.load('out/fashion-orthogonal/train/images.npy')  # (n, 32, 32, 3) float32
 */
import { exportNpy, greyToRgb, loadFashionMnist, padTo, splitDataset } from '../src/data/index.js';
import { injectOrthogonalNoise, recoverability } from '../src/encoders/index.js';

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const out = arg('--out') ?? 'out/fashion-orthogonal';
const perClass = arg('--per-class');

const t0 = performance.now();
const fashion = loadFashionMnist(perClass === undefined ? { as: 'array' } : { as: 'array', perClass: Number(perClass) });
const rgb = { ...fashion, images: greyToRgb(padTo(fashion.images, 32, 32)) };
const { train, test } = splitDataset(rgb, 1 / 7, 0); // 60,000 / 10,000 for the full set
const options = { numClasses: 10, seed: 0 }; // same options for both: same class vectors
for (const [name, part] of [
  ['train', train],
  ['test', test],
] as const) {
  const encoded = injectOrthogonalNoise(part.images, part.labels, options);
  const r = recoverability('orthogonalNoise', encoded, part.labels, options);
  const paths = exportNpy(`${out}/${name}`, encoded, part.labels);
  console.log(
    `${name}: ${String(part.labels.length)} images [${encoded.shape.join(', ')}], oracle recovers ${(100 * r.accuracy).toFixed(2)}% -> ${paths.images}, ${paths.labels}`,
  );
}
console.log(`done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
