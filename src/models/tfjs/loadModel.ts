import { BlindspotsError, fail } from '../../errors.js';
import type { Seed } from '../../random.js';
import type { CreateOptions, InputKind } from '../model.js';
import { models, modelNames } from '../modelRegistry.js';
import { readManifest } from './checkpoint.js';
import { ConvNetModel } from './convNet.js';

/** The registered models that `save` writes: the tfjs ones. */
function savedModelNames(): string[] {
  return modelNames.filter((name) => models[name].inputKind !== 'features');
}

/**
 * Rebuilds a model saved by a tfjs model's `save(folder)`: reads `folder/model.json`, creates the
 * registered model it names (`resnet`, `perceptron`, `shallowMaxNN`, `charCnn`) with the saved
 * options — architecture, training options, `init`, seed and threads, so that its `params` are
 * the saved model's — and loads `weights.bin` into it. The architecture need not be restated, as
 * `new ResNet({ depth: 20 }).load(folder)` requires. A folder that is missing or unreadable, a
 * model.json that is not JSON or not a saved model, a model or option this version does not know,
 * or a weights.bin that does not match is a DATA_FORMAT error naming `loadModel` and `folder`; a
 * folder that is not a string is INVALID_ARGUMENT. Node only (NODE_ONLY in a browser).
 *
 * @example
 * ```ts
 * import { injectOnePixel } from 'blindspots';
 * import { loadModel, ResNet } from 'blindspots/models';
 * const labels = [0, 1, 2, 3, 0, 1, 2, 3];
 * const images = injectOnePixel({ data: new Float32Array(8 * 8 * 8), shape: [8, 8, 8, 1] }, labels);
 * const net = await new ResNet({ depth: 8, width: 4, epochs: 1, seed: 3 }).fit(images, labels);
 * await net.save('runs/tiny');
 * const again = await loadModel('runs/tiny'); // a ResNet of depth 8 and width 4, fitted
 * again.name; //=> 'resnet'
 * again.params.width; //=> 4
 * (await again.predict(images)).join() === (await net.predict(images)).join(); //=> true
 * await loadModel('runs/none'); //=> throws DATA_FORMAT no model.json
 * net.dispose();
 * again.dispose();
 * ```
 */
export async function loadModel(folder: string): Promise<ConvNetModel<InputKind>> {
  const fn = 'loadModel';
  const manifest = await readManifest(fn, folder);
  const names = savedModelNames();
  const name = manifest.model;
  if (!names.includes(name)) throw fail('DATA_FORMAT', fn, 'folder', `model.json naming one of ${names.join(', ')}`, JSON.stringify(name));
  // `create` takes the seed and threads as its own arguments; the rest are the model's options.
  const { seed, threads, ...options } = manifest.options;
  const create: CreateOptions = {
    options,
    ...(seed === undefined ? {} : { seed: seed as Seed }),
    ...(threads === undefined ? {} : { threads: threads as number }),
  };
  let model;
  try {
    model = models[name as keyof typeof models].create(create);
  } catch (error) {
    if (!(error instanceof BlindspotsError)) throw error;
    // Options another version of the library wrote, or a file edited by hand.
    throw fail('DATA_FORMAT', fn, 'folder', `model.json options that ${name} takes`, error.message);
  }
  if (!(model instanceof ConvNetModel)) {
    model.dispose();
    throw fail('DATA_FORMAT', fn, 'folder', `model.json naming one of ${names.join(', ')}`, JSON.stringify(name));
  }
  const convNet = model as ConvNetModel<InputKind>;
  try {
    return await convNet.loadSaved(fn, folder, manifest);
  } catch (error) {
    convNet.dispose();
    throw error;
  }
}
