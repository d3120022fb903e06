/**
 * What test/browser/root.integration.test.ts runs in Chromium: the root entry, bundled for the browser,
 * encodes a batch, checks recoverability, and trains a decision tree and a tiny ResNet on the
 * backend `useFastestBackend` picks and on wasm with the library's kernels. The result (or the
 * error) lands in `globalThis.blindspotsResult` for the test to read.
 */
import {
  BlindspotsError,
  DecisionTree,
  RandomForest,
  ResNet,
  createRandom,
  encoders,
  injectOnePixel,
  injectOrthogonalNoise,
  recoverability,
  useFastestBackend,
  type ImageArray,
} from '../../src/index.js';
import * as tf from '@tensorflow/tfjs';

interface ConvNetRun {
  readonly backend: string;
  readonly accuracy: number;
  readonly seconds: number;
  readonly leaked: number;
}

async function trainResNet(x: ImageArray, labels: Int32Array, threads = 1): Promise<ConvNetRun> {
  const before = tf.memory().numTensors;
  const t0 = performance.now();
  const net = await new ResNet({ depth: 8, width: 4, epochs: 2, batchSize: 16, seed: 1, threads }).fit(x, labels);
  const predicted = await net.predict(x);
  net.dispose();
  let ok = 0;
  for (let i = 0; i < labels.length; i++) if (predicted[i] === labels[i]) ok++;
  return {
    backend: tf.getBackend(),
    accuracy: ok / labels.length,
    seconds: (performance.now() - t0) / 1000,
    leaked: tf.memory().numTensors - before,
  };
}

async function run(): Promise<Record<string, unknown>> {
  const n = 64;
  const random = createRandom('browser-test');
  const data = new Float32Array(n * 8 * 8);
  for (let i = 0; i < data.length; i++) data[i] = Math.floor(random() * 256) / 255;
  const x: ImageArray = { data, shape: [n, 8, 8, 1] };
  const labels = Int32Array.from({ length: n }, (_, i) => i % 4);

  const onePixel = injectOnePixel(x, labels, { numClasses: 4 });
  const noise = injectOrthogonalNoise(x, labels, { numClasses: 4 });
  const tree = await new DecisionTree({ seed: 0 }).fit({ data: onePixel.data, rows: n, cols: 64 }, labels);
  const treePredicted = await tree.predict({ data: onePixel.data, rows: n, cols: 64 });
  // threads: 2 asks for worker threads; in a browser the forest grows on this thread (same trees).
  const forest = await new RandomForest({ nEstimators: 4, threads: 2, seed: 0 }).fit({ data: onePixel.data, rows: n, cols: 64 }, labels);
  const forestPredicted = await forest.predict({ data: onePixel.data, rows: n, cols: 64 });

  // The default choice (wasm under headless Chromium's software WebGL), then webgl by request.
  const fastest = await useFastestBackend();
  const first = await trainResNet(onePixel, labels);
  const webgl = await useFastestBackend({ prefer: ['webgl', 'cpu'] });
  const second = await trainResNet(onePixel, labels);
  const again = await trainResNet(onePixel, labels);

  // threads > 1 needs worker threads, which a browser has not: a typed error, not a one-thread model
  // under params that say two.
  await useFastestBackend({ prefer: ['wasm'] });
  let threads = '';
  try {
    await trainResNet(onePixel, labels, 2);
  } catch (e) {
    threads = e instanceof BlindspotsError ? `${e.code} ${e.details.arg ?? ''}` : String(e);
  }
  let save = '';
  try {
    const net = await new ResNet({ depth: 8, width: 4, epochs: 1 }).fit(onePixel, labels);
    try {
      await net.save('models/tiny');
    } finally {
      net.dispose();
    }
  } catch (e) {
    save = e instanceof BlindspotsError ? e.code : String(e);
  }
  return {
    signals: Object.keys(encoders).length,
    onePixel: recoverability('onePixel', onePixel, labels, { numClasses: 4 }),
    orthogonalNoise: recoverability('orthogonalNoise', noise, labels, { numClasses: 4 }),
    treeAccuracy: treePredicted.filter((p, i) => p === labels[i]).length / n,
    forestAccuracy: forestPredicted.filter((p, i) => p === labels[i]).length / n,
    fastest,
    webgl,
    first,
    second,
    again,
    threads,
    save,
  };
}

const out = globalThis as unknown as { blindspotsResult?: unknown };
run().then(
  (result) => (out.blindspotsResult = { ok: true, result }),
  (error: unknown) =>
    (out.blindspotsResult = { ok: false, error: error instanceof Error ? `${error.message}\n${error.stack ?? ''}` : String(error) }),
);
