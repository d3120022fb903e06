import * as tf from '@tensorflow/tfjs';
import { Buffer, join, mkdir, readFile, writeFile } from '#platform';
import { BlindspotsError, fail } from '../../errors.js';
import { type Network, disposeParams } from './layers.js';

/** The saved description of a ConvNet (model.json next to weights.bin). */
export interface ConvNetManifest {
  readonly format: 'blindspots-convnet';
  readonly version: 1;
  readonly model: string;
  readonly options: Record<string, unknown>;
  readonly inputShape: readonly number[];
  readonly numClasses: number;
  readonly weights: readonly { readonly name: string; readonly shape: readonly number[]; readonly trainable: boolean }[];
}

/** What a checkpoint describes besides its weights. */
export interface CheckpointInfo {
  /** The registry name of the model. */
  readonly model: string;
  /** The constructor options (architecture and training). */
  readonly options: Record<string, unknown>;
  readonly inputShape: readonly number[];
  readonly numClasses: number;
}

/**
 * Writes `model.json` (architecture options, shapes, names) and `weights.bin` (float32, in the
 * manifest's order) to `folder`, creating it.
 */
export async function saveCheckpoint(folder: string, net: Network, info: CheckpointInfo): Promise<void> {
  const entries = [
    ...[...net.params.trainable].map(([name, v]) => ({ name, v, trainable: true })),
    ...[...net.params.state].map(([name, v]) => ({ name, v, trainable: false })),
  ];
  const manifest: ConvNetManifest = {
    format: 'blindspots-convnet',
    version: 1,
    model: info.model,
    options: info.options,
    inputShape: info.inputShape,
    numClasses: info.numClasses,
    weights: entries.map((e) => ({ name: e.name, shape: e.v.shape, trainable: e.trainable })),
  };
  const chunks = await Promise.all(entries.map(async (e) => Buffer.from((await e.v.data()).buffer.slice(0))));
  await mkdir(folder, { recursive: true });
  await writeFile(join(folder, 'weights.bin'), Buffer.concat(chunks));
  await writeFile(join(folder, 'model.json'), `${JSON.stringify(manifest, null, 2)}\n`);
}

/**
 * Reads a checkpoint written by {@link saveCheckpoint} into a network that `build` makes for its
 * input shape and class count. The saved model must be `expected.model`; shape or name mismatches
 * are DATA_FORMAT errors naming the weight (the caller's `fn`).
 */
export async function loadCheckpoint(
  fn: string,
  folder: string,
  expected: { readonly model: string; readonly options: Record<string, unknown> },
  build: (inputShape: readonly number[], numClasses: number) => Network,
): Promise<{ net: Network; inputShape: readonly number[]; numClasses: number }> {
  const manifest = JSON.parse(await readFile(join(folder, 'model.json'), 'utf8')) as ConvNetManifest;
  if (manifest.format !== 'blindspots-convnet' || manifest.model !== expected.model) {
    throw fail(
      'DATA_FORMAT',
      fn,
      'folder',
      `a saved ${expected.model} (model.json format blindspots-convnet)`,
      `${String(manifest.format)} ${String(manifest.model)}`,
    );
  }
  const bytes = await readFile(join(folder, 'weights.bin'));
  const net = build(manifest.inputShape, manifest.numClasses);
  try {
    const names = manifest.weights.map((w) => w.name);
    const names2 = [...net.params.trainable.keys(), ...net.params.state.keys()];
    if (names.length !== names2.length || names2.some((name) => !names.includes(name))) {
      throw fail(
        'DATA_FORMAT',
        fn,
        'folder',
        `the ${String(names2.length)} weights of this architecture (${JSON.stringify(expected.options)})`,
        `${String(names.length)} weights saved with ${JSON.stringify(manifest.options)}`,
      );
    }
    let offset = 0;
    for (const w of manifest.weights) {
      const v = (w.trainable ? net.params.trainable : net.params.state).get(w.name);
      if (v === undefined || v.shape.join() !== w.shape.join()) {
        throw fail('DATA_FORMAT', fn, 'folder', `weight ${w.name} of shape [${v?.shape.join(', ') ?? '?'}]`, `[${w.shape.join(', ')}]`);
      }
      const size = v.size * 4;
      if (offset + size > bytes.length)
        throw fail('DATA_FORMAT', fn, 'folder', `weights.bin of at least ${String(offset + size)} bytes`, `${String(bytes.length)} bytes`);
      const values = new Float32Array(bytes.buffer.slice(bytes.byteOffset + offset, bytes.byteOffset + offset + size));
      tf.tidy(() => v.assign(tf.tensor(values, v.shape)));
      offset += size;
    }
    if (offset !== bytes.length)
      throw fail('DATA_FORMAT', fn, 'folder', `weights.bin of ${String(offset)} bytes`, `${String(bytes.length)} bytes`);
  } catch (error) {
    disposeParams(net.params);
    throw error instanceof BlindspotsError ? error : fail('DATA_FORMAT', fn, 'folder', 'a readable saved model', String(error));
  }
  return { net, inputShape: manifest.inputShape, numClasses: manifest.numClasses };
}
