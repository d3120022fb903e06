/**
 * The explorer page (examples/explorer/page/index.html): pick a Fashion-MNIST image, a signal
 * and its amplitude; see the original, the encoded image and their difference; check the
 * oracle's recoverability on the whole sample; train a decision tree and a small ResNet in the
 * page and compare their accuracy with each test image's own signal and with a shuffled label's
 * (the reliance figure of `runStudy`). Everything runs on the library's root entry, bundled for
 * the browser by examples/explorer/build.ts.
 */
import {
  BlindspotsError,
  DecisionTree,
  ResNet,
  encoders,
  getImageEncoder,
  imageEncoderNames,
  permutation,
  recoverability,
  useFastestBackend,
  type BackendName,
  type FeatureMatrix,
  type FitProgress,
  type ImageArray,
  type ImageSignalOptions,
  type Model,
} from '../../../src/index.js';

interface Sample {
  readonly images: ImageArray;
  readonly labels: Int32Array;
  readonly classNames: readonly string[];
}

/** What the page shows after a comparison; also read by the browser test. */
export interface ComparisonRow {
  readonly model: string;
  readonly accuracy: number;
  readonly shuffledAccuracy: number;
  readonly fitSeconds: number;
}

const NUM_CLASSES = 10;

function element<T extends HTMLElement>(id: string): T {
  const e = document.getElementById(id);
  if (e === null) throw new Error(`explorer: no #${id} in the page`);
  return e as T;
}

const ui = {
  index: element<HTMLInputElement>('index'),
  indexLabel: element<HTMLSpanElement>('indexLabel'),
  signal: element<HTMLSelectElement>('signal'),
  scale: element<HTMLInputElement>('scale'),
  scaleOut: element<HTMLOutputElement>('scaleOut'),
  seed: element<HTMLInputElement>('seed'),
  original: element<HTMLCanvasElement>('original'),
  encoded: element<HTMLCanvasElement>('encoded'),
  diff: element<HTMLCanvasElement>('diff'),
  diffCaption: element<HTMLElement>('diffCaption'),
  signalInfo: element<HTMLParagraphElement>('signalInfo'),
  recoverability: element<HTMLParagraphElement>('recoverability'),
  epochs: element<HTMLInputElement>('epochs'),
  backend: element<HTMLSelectElement>('backend'),
  run: element<HTMLButtonElement>('run'),
  progress: element<HTMLProgressElement>('progress'),
  status: element<HTMLSpanElement>('status'),
  results: element<HTMLTableSectionElement>('results'),
};

/** The sample examples/explorer/build.ts writes: 8-bit pixels in base64, class by class. */
async function loadSample(): Promise<Sample> {
  const response = await fetch('fashion-sample.json');
  const raw = (await response.json()) as {
    n: number;
    height: number;
    width: number;
    classNames: string[];
    labels: number[];
    pixels: string;
  };
  const bytes = Uint8Array.from(atob(raw.pixels), (c) => c.charCodeAt(0));
  const data = Float32Array.from(bytes, (v) => v / 255);
  return { images: { data, shape: [raw.n, raw.height, raw.width, 1] }, labels: Int32Array.from(raw.labels), classNames: raw.classNames };
}

function hasScale(signal: string): boolean {
  return getImageEncoder(signal).options.includes('scale');
}

/** The page's settings, as the options the signal takes (encoders reject the others). */
function signalOptions(names = getImageEncoder(ui.signal.value).options): ImageSignalOptions {
  const all: Record<string, number> = {
    numClasses: NUM_CLASSES,
    seed: Math.max(0, Math.floor(Number(ui.seed.value) || 0)),
    scale: 10 ** Number(ui.scale.value),
  };
  return Object.fromEntries(Object.entries(all).filter(([name]) => names.includes(name)));
}

function encode(images: ImageArray, labels: Int32Array): ImageArray {
  return getImageEncoder(ui.signal.value).inject(images, labels, signalOptions());
}

/** Draws image `i` of a batch as 28x28 pixels (the canvas is scaled up by CSS, unsmoothed). */
function draw(canvas: HTMLCanvasElement, pixel: (j: number) => readonly [number, number, number], size: number): void {
  const ctx = canvas.getContext('2d');
  if (ctx === null) return;
  const img = ctx.createImageData(canvas.width, canvas.height);
  for (let j = 0; j < size; j++) {
    const [r, g, b] = pixel(j);
    img.data.set([r, g, b, 255], j * 4);
  }
  ctx.putImageData(img, 0, 0);
}

const grey = (v: number): [number, number, number] => {
  const g = Math.round(Math.min(1, Math.max(0, v)) * 255);
  return [g, g, g];
};

function percent(x: number): string {
  return `${(100 * x).toFixed(1)}%`;
}

function showImages(sample: Sample, encodedAll: ImageArray): void {
  const i = Number(ui.index.value);
  const [, h, w] = sample.images.shape;
  const size = h * w;
  const original = sample.images.data.subarray(i * size, (i + 1) * size);
  const encoded = encodedAll.data.subarray(i * size, (i + 1) * size);
  let maxAbs = 0;
  let changed = 0;
  for (let j = 0; j < size; j++) {
    const d = Math.abs((encoded[j] as number) - (original[j] as number));
    if (d > 0) changed++;
    maxAbs = Math.max(maxAbs, d);
  }
  const gain = maxAbs > 0 ? 1 / maxAbs : 1;
  draw(ui.original, (j) => grey(original[j] as number), size);
  draw(ui.encoded, (j) => grey(encoded[j] as number), size);
  // Red where the encoder added, blue where it subtracted, scaled so the largest change is full.
  draw(
    ui.diff,
    (j) => {
      const d = ((encoded[j] as number) - (original[j] as number)) * gain;
      return [Math.round(Math.max(0, d) * 255), Math.round(Math.max(0, d) * 90), Math.round(Math.max(0, -d) * 255)];
    },
    size,
  );
  ui.diffCaption.textContent = maxAbs > 0 ? `difference ×${gain.toPrecision(3)} (red +, blue −)` : 'difference (none)';
  const label = sample.labels[i] as number;
  ui.indexLabel.textContent = `#${String(i)}: ${sample.classNames[label] ?? ''} (label ${String(label)})`;
  const entry = encoders[ui.signal.value as keyof typeof encoders];
  ui.signalInfo.innerHTML =
    `<b>${entry.title}</b> — ${entry.family}, ${entry.information} information.<br>` +
    `This image: ${String(changed)} of ${String(size)} pixels changed, largest change ${maxAbs.toPrecision(3)} ` +
    `(${(maxAbs * 255).toFixed(2)} of an 8-bit step).`;
}

function showRecoverability(sample: Sample, encodedAll: ImageArray): void {
  const r = recoverability(ui.signal.value, encodedAll, sample.labels, signalOptions(getImageEncoder(ui.signal.value).recoverOptions));
  ui.recoverability.innerHTML = `<b>${percent(r.accuracy)}</b> of ${String(r.n)} labels recovered (${String(r.ambiguous)} ambiguous, ${String(r.wrong)} wrong).`;
}

/** The images and labels at `rows` (a copy). */
function take(images: ImageArray, labels: Int32Array, rows: readonly number[]): { x: ImageArray; y: Int32Array } {
  const [, h, w, c] = images.shape;
  const size = h * w * c;
  const data = new Float32Array(rows.length * size);
  rows.forEach((r, k) => data.set(images.data.subarray(r * size, (r + 1) * size), k * size));
  return { x: { data, shape: [rows.length, h, w, c] }, y: Int32Array.from(rows, (r) => labels[r] as number) };
}

const features = (x: ImageArray): FeatureMatrix => ({ data: x.data, rows: x.shape[0], cols: x.data.length / x.shape[0] });

function accuracy(predicted: Int32Array, y: Int32Array): number {
  let ok = 0;
  for (let i = 0; i < y.length; i++) if (predicted[i] === y[i]) ok++;
  return ok / y.length;
}

function addRow(row: ComparisonRow): void {
  const tr = document.createElement('tr');
  const drop = row.accuracy - row.shuffledAccuracy;
  for (const [text, num] of [
    [row.model, false],
    [percent(row.accuracy), true],
    [percent(row.shuffledAccuracy), true],
    [`${(100 * drop).toFixed(1)} points`, true],
    [`${row.fitSeconds.toFixed(1)} s`, true],
  ] as const) {
    const td = document.createElement('td');
    td.textContent = text;
    if (num) td.className = 'num';
    tr.append(td);
  }
  ui.results.append(tr);
}

async function compare(sample: Sample): Promise<ComparisonRow[]> {
  const choice = ui.backend.value;
  const backend = await useFastestBackend(choice === 'auto' ? {} : { prefer: [choice as BackendName] });
  const epochs = Math.min(50, Math.max(1, Math.floor(Number(ui.epochs.value) || 1)));
  const seed = Math.max(0, Math.floor(Number(ui.seed.value) || 0));
  // Three quarters of each class to train on, the rest to test.
  const perClass = new Map<number, number[]>();
  sample.labels.forEach((y, i) => perClass.set(y, [...(perClass.get(y) ?? []), i]));
  const trainRows: number[] = [];
  const testRows: number[] = [];
  for (const rows of perClass.values()) {
    const cut = Math.round(rows.length * 0.75);
    trainRows.push(...rows.slice(0, cut));
    testRows.push(...rows.slice(cut));
  }
  const train = take(sample.images, sample.labels, trainRows);
  const test = take(sample.images, sample.labels, testRows);
  const xTrain = encode(train.x, train.y);
  const xTest = encode(test.x, test.y);
  // As runStudy: the same test images carrying the signal of a shuffled label.
  const perm = permutation(test.y.length, `${String(seed)}/shuffle`);
  const xShuffled = encode(
    test.x,
    Int32Array.from(perm, (i) => test.y[i] as number),
  );
  const candidates: { name: string; make: () => Model<'features'> | Model<'images'>; input: 'features' | 'images' }[] = [
    { name: 'decision tree', make: () => new DecisionTree({ seed }), input: 'features' },
    {
      name: `ResNet-8, width 8, ${String(epochs)} epoch${epochs === 1 ? '' : 's'} (tfjs ${backend.name})`,
      make: () => new ResNet({ depth: 8, width: 8, epochs, batchSize: 32, seed }),
      input: 'images',
    },
  ];
  const rows: ComparisonRow[] = [];
  ui.results.replaceChildren();
  for (const [k, candidate] of candidates.entries()) {
    const model = candidate.make();
    const onProgress = (p: FitProgress): void => {
      ui.progress.value = (k + p.fraction) / candidates.length;
      const speed = p.samplesPerSecond === undefined ? '' : `, ${p.samplesPerSecond.toFixed(0)} images/s`;
      ui.status.textContent = `${candidate.name}: ${p.message ?? percent(p.fraction)}${speed}`;
    };
    ui.status.textContent = `${candidate.name}: training on ${String(train.y.length)} images…`;
    const t0 = performance.now();
    try {
      const predict = async (x: ImageArray): Promise<Int32Array> =>
        candidate.input === 'features' ? (model as Model<'features'>).predict(features(x)) : (model as Model<'images'>).predict(x);
      if (candidate.input === 'features') await (model as Model<'features'>).fit(features(xTrain), train.y, { onProgress });
      else await (model as Model<'images'>).fit(xTrain, train.y, { onProgress });
      const fitSeconds = (performance.now() - t0) / 1000;
      const row = {
        model: candidate.name,
        accuracy: accuracy(await predict(xTest), test.y),
        shuffledAccuracy: accuracy(await predict(xShuffled), test.y),
        fitSeconds,
      };
      rows.push(row);
      addRow(row);
    } finally {
      model.dispose();
    }
  }
  ui.progress.value = 1;
  ui.status.textContent = `done: ${String(train.y.length)} training and ${String(test.y.length)} test images, tfjs ${backend.name}`;
  return rows;
}

async function main(): Promise<void> {
  const sample = await loadSample();
  for (const name of imageEncoderNames) {
    const option = document.createElement('option');
    option.value = name;
    option.textContent = encoders[name].title;
    ui.signal.append(option);
  }
  ui.signal.value = 'onePixel';
  ui.index.max = String(sample.labels.length - 1);
  let encodedAll = encode(sample.images, sample.labels);
  const refresh = (recode: boolean): void => {
    const scaled = hasScale(ui.signal.value);
    ui.scale.disabled = !scaled;
    ui.scaleOut.textContent = scaled ? (10 ** Number(ui.scale.value)).toPrecision(2) : 'not used by this signal';
    try {
      if (recode) encodedAll = encode(sample.images, sample.labels);
      showImages(sample, encodedAll);
      showRecoverability(sample, encodedAll);
    } catch (e) {
      ui.recoverability.innerHTML = `<span class="error">${e instanceof Error ? e.message : String(e)}</span>`;
    }
  };
  ui.index.addEventListener('input', () => refresh(false));
  for (const control of [ui.signal, ui.scale, ui.seed]) control.addEventListener('input', () => refresh(true));
  refresh(false);
  ui.run.addEventListener('click', () => {
    ui.run.disabled = true;
    document.body.dataset['state'] = 'running';
    compare(sample)
      .then((rows) => {
        (globalThis as { explorerResult?: ComparisonRow[] }).explorerResult = rows;
        document.body.dataset['state'] = 'done';
      })
      .catch((e: unknown) => {
        const message = e instanceof BlindspotsError ? `${e.code}: ${e.message}` : e instanceof Error ? e.message : String(e);
        ui.status.innerHTML = `<span class="error">${message}</span>`;
        document.body.dataset['state'] = 'error';
      })
      .finally(() => {
        ui.run.disabled = false;
      });
  });
  document.body.dataset['state'] = 'ready';
}

void main();
