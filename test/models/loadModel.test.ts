/**
 * Model files (issue #26, finding 8): every save/load failure is a typed error naming the function
 * and `folder`, and `loadModel(folder)` rebuilds the saved architecture from model.json.
 */
import * as tf from '@tensorflow/tfjs';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BlindspotsError } from '../../src/errors.js';
import {
  CharCNN,
  ConvNetModel,
  loadModel,
  models,
  Perceptron,
  ResNet,
  ShallowMaxNN,
  type InputKind,
  type Model,
} from '../../src/models/index.js';
import { thrownBy } from '../conformance/typedError.js';

const root = mkdtempSync(join(tmpdir(), 'blindspots-loadModel-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const folder = (): string => join(root, `m${String(n++)}`);

const labels = Int32Array.from({ length: 16 }, (_, i) => i % 2);
const images = {
  data: Float32Array.from({ length: 16 * 6 * 6 * 2 }, (_, i) => ((i * 7919) % 101) / 101),
  shape: [16, 6, 6, 2] as const,
};
const texts = Array.from({ length: 8 }, (_, i) => `${i % 2 === 0 ? 'spam offer' : 'hello friend'} number ${String(i)}`);
const textLabels = Int32Array.from({ length: 8 }, (_, i) => i % 2);

/** A fitted ResNet saved to a new folder (its weights and model.json are then edited per test). */
async function savedResNet(): Promise<string> {
  const dir = folder();
  const net = await new ResNet({ depth: 8, width: 2, epochs: 1, batchSize: 8, seed: 1 }).fit(images, labels);
  await net.save(dir);
  net.dispose();
  return dir;
}

/** The typed error a promise rejects with. */
async function rejection(p: Promise<unknown>): Promise<BlindspotsError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof BlindspotsError) return e;
    throw new Error(`expected a BlindspotsError, got ${String(e)}`, { cause: e });
  }
  throw new Error('expected a rejection');
}

describe('loadModel: save, then rebuild the saved architecture without restating it', () => {
  const cases: [string, () => ConvNetModel<InputKind>, 'images' | 'texts'][] = [
    ['resnet', () => new ResNet({ depth: 8, width: 3, epochs: 1, batchSize: 8, seed: 5, init: 'torch', initScale: 0.5 }), 'images'],
    ['perceptron', () => new Perceptron({ epochs: 2, batchSize: 8, learningRate: 0.05, init: 'he' }), 'images'],
    ['shallowMaxNN', () => new ShallowMaxNN({ filters: 5, kernelSize: 2, epochs: 1, batchSize: 8, initScale: 2 }), 'images'],
    ['charCnn', () => new CharCNN({ length: 123, epochs: 1, batchSize: 4, dropout: 0.25, seed: 2 }), 'texts'],
  ];
  for (const [name, make, kind] of cases) {
    it(`${name}: the same class, params and predictions`, async () => {
      const model = make();
      const x = kind === 'images' ? images : texts;
      await (model as Model<InputKind>).fit(x as never, kind === 'images' ? labels : textLabels);
      const dir = folder();
      await model.save(dir);
      const before = tf.memory().numTensors;
      const loaded = await loadModel(dir);
      expect(loaded.name).toBe(name);
      expect(loaded.constructor).toBe(model.constructor);
      expect(loaded.inputKind).toBe(kind);
      expect(loaded.params).toEqual(model.params);
      expect(loaded.parameterCount).toBe(model.parameterCount);
      expect((await loaded.predictProba(x as never)).data).toEqual((await model.predictProba(x as never)).data);
      loaded.dispose();
      expect(tf.memory().numTensors).toBe(before);
      model.dispose();
    }, 60_000);
  }

  it('a model made by the registry (seed and threads are create arguments) loads with the same params', async () => {
    const model = models.resnet.create({ seed: 9, threads: 1, options: { depth: 8, width: 2, epochs: 1, batchSize: 8 } });
    await model.fit(images, labels);
    const dir = folder();
    await (model as ConvNetModel<'images'>).save(dir);
    const loaded = await loadModel(dir);
    expect(loaded.params).toEqual(model.params);
    expect(await loaded.predict(images)).toEqual(await model.predict(images));
    loaded.dispose();
    model.dispose();
  });
});

describe('save and load failures are typed errors naming the function and the folder', () => {
  it('a missing folder: DATA_FORMAT (was a raw ENOENT Error)', async () => {
    const missing = join(root, 'does-not-exist');
    expect(await rejection(loadModel(missing))).toMatchObject({ code: 'DATA_FORMAT', details: { fn: 'loadModel', arg: 'folder' } });
    const e = await rejection(new ResNet({ depth: 8 }).load(missing));
    expect(e).toMatchObject({ code: 'DATA_FORMAT', details: { fn: 'ResNet.load', arg: 'folder' } });
    expect(e.message).toContain('no model.json');
  });

  it('a model.json that is not JSON: DATA_FORMAT (was a SyntaxError)', async () => {
    const dir = await savedResNet();
    writeFileSync(join(dir, 'model.json'), '{ "format": "blindspots-convnet", ');
    // One at a time: a second load started beside the first rejects before anything awaits it.
    for (const load of [() => loadModel(dir), () => new ResNet({ depth: 8, width: 2 }).load(dir)]) {
      const e = await rejection(load());
      expect(e.code).toBe('DATA_FORMAT');
      expect(e.message).toMatch(/model\.json in JSON/);
    }
  });

  it('JSON that is not a saved model, or names a model or option this version does not have: DATA_FORMAT', async () => {
    const dir = await savedResNet();
    const manifest = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as Record<string, unknown>;
    const edits: [Record<string, unknown>, RegExp][] = [
      [{ format: 'keras' }, /format "blindspots-convnet"/],
      [{ version: 2 }, /version 1/],
      [{ inputShape: [6, -6, 2] }, /inputShape positive integers/],
      [{ weights: [{ name: 'x' }] }, /weights\[0\]/],
      [{ model: 'vgg' }, /one of resnet, perceptron, shallowMaxNN, charCnn/],
      [{ model: 'decisionTree' }, /one of resnet, perceptron, shallowMaxNN, charCnn/],
      [{ options: { ...(manifest.options as object), depth: 9 } }, /options that resnet takes/],
      [{ options: { ...(manifest.options as object), dropout: 0.5 } }, /options that resnet takes/],
    ];
    for (const [edit, message] of edits) {
      writeFileSync(join(dir, 'model.json'), JSON.stringify({ ...manifest, ...edit }));
      const e = await rejection(loadModel(dir));
      expect(e, JSON.stringify(edit)).toMatchObject({ code: 'DATA_FORMAT', details: { fn: 'loadModel', arg: 'folder' } });
      expect(e.message, JSON.stringify(edit)).toMatch(message);
    }
    writeFileSync(join(dir, 'model.json'), '[1, 2]');
    expect(await rejection(new ResNet({ depth: 8, width: 2 }).load(dir))).toMatchObject({ code: 'DATA_FORMAT' });
  });

  it('a missing, truncated or oversized weights.bin, or one of another architecture: DATA_FORMAT', async () => {
    const dir = await savedResNet();
    const bytes = readFileSync(join(dir, 'weights.bin'));
    const before = tf.memory().numTensors;
    for (const content of [bytes.subarray(0, 100), Buffer.concat([bytes, Buffer.alloc(4)])]) {
      writeFileSync(join(dir, 'weights.bin'), content);
      expect(await rejection(loadModel(dir))).toMatchObject({ code: 'DATA_FORMAT', details: { fn: 'loadModel', arg: 'folder' } });
    }
    rmSync(join(dir, 'weights.bin'));
    const e = await rejection(loadModel(dir));
    expect(e).toMatchObject({ code: 'DATA_FORMAT', details: { fn: 'loadModel' } });
    expect(e.message).toContain('no weights.bin');
    writeFileSync(join(dir, 'weights.bin'), bytes);
    expect(await rejection(new ResNet({ depth: 8, width: 3 }).load(dir))).toMatchObject({ code: 'DATA_FORMAT' });
    expect(await rejection(new ShallowMaxNN().load(dir))).toMatchObject({ code: 'DATA_FORMAT', details: { fn: 'ShallowMaxNN.load' } });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('a file where the folder should be, or a folder where model.json should be: DATA_FORMAT', async () => {
    const file = join(root, 'a-file');
    writeFileSync(file, 'not a folder');
    expect(await rejection(loadModel(file))).toMatchObject({ code: 'DATA_FORMAT', details: { fn: 'loadModel', arg: 'folder' } });
    const dir = folder();
    mkdirSync(join(dir, 'model.json'), { recursive: true });
    expect(await rejection(loadModel(dir))).toMatchObject({ code: 'DATA_FORMAT' });
  });

  it('a folder argument that is not a path: INVALID_ARGUMENT', async () => {
    for (const bad of ['', 42, undefined]) {
      expect(await rejection(loadModel(bad as never))).toMatchObject({
        code: 'INVALID_ARGUMENT',
        details: { fn: 'loadModel', arg: 'folder' },
      });
      expect(await rejection(new ResNet().load(bad as never))).toMatchObject({ code: 'INVALID_ARGUMENT', details: { fn: 'ResNet.load' } });
    }
  });

  it('load into a disposed model is refused (it would hold weights no one can free)', async () => {
    const dir = await savedResNet();
    const model = new ResNet({ depth: 8, width: 2 });
    model.dispose();
    const before = tf.memory().numTensors;
    expect(await rejection(model.load(dir))).toMatchObject({ code: 'INVALID_ARGUMENT', details: { fn: 'ResNet.load', arg: 'this' } });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('save to a folder that cannot be created or written: INVALID_ARGUMENT (was ENOTDIR, EEXIST, EPERM)', async () => {
    const net = await new Perceptron({ epochs: 1, batchSize: 8 }).fit(images, labels);
    const file = join(root, 'in-the-way');
    writeFileSync(file, 'a file');
    const readOnly = join(root, 'read-only');
    mkdirSync(readOnly);
    chmodSync(readOnly, 0o500);
    // As root (CI containers) permissions do not stop a write; the other cases still apply.
    const asRoot = process.getuid?.() === 0;
    const paths = [join(file, 'model'), file, ...(asRoot ? [] : [join(readOnly, 'model')]), 42 as never];
    for (const path of paths) {
      const e = await rejection(net.save(path));
      expect(e, String(path)).toMatchObject({ code: 'INVALID_ARGUMENT', details: { fn: 'Perceptron.save', arg: 'folder' } });
    }
    // A folder whose weights.bin is a folder cannot be written either.
    const dir = folder();
    mkdirSync(join(dir, 'weights.bin'), { recursive: true });
    expect(await rejection(net.save(dir))).toMatchObject({ code: 'INVALID_ARGUMENT', details: { fn: 'Perceptron.save' } });
    net.dispose();
  });
});

describe("ResNet's option errors (issue #26, finding 10)", () => {
  it('UNKNOWN_OPTION lists every option once', () => {
    const e = thrownBy(() => new ResNet({ detph: 8 } as never)) as BlindspotsError;
    expect(e).toMatchObject({ code: 'UNKNOWN_OPTION', details: { fn: 'ResNet', arg: 'options.detph' } });
    const listed =
      /one of ([^(]*)/
        .exec(e.message)?.[1]
        ?.split(',')
        .map((s) => s.trim()) ?? [];
    expect(listed).toContain('depth');
    expect(listed).toContain('epochs');
    expect(listed).toHaveLength(new Set(listed).size);
    expect(e.message).toContain("did you mean 'depth'?");
  });

  it('the depth error names 8, the smallest 6n + 2', () => {
    for (const depth of [9, 21]) {
      const e = thrownBy(() => new ResNet({ depth })) as BlindspotsError;
      expect(e).toMatchObject({ code: 'INVALID_ARGUMENT', details: { arg: 'options.depth' } });
      expect(e.message).toMatch(/6n \+ 2 with n >= 1 \(8, 20, 32/);
    }
  });
});

describe('unknown options of every tfjs model', () => {
  it('list each valid name once (ShallowMaxNN and CharCNN listed the training options twice)', async () => {
    const { CharCNN, ShallowMaxNN, Perceptron, ResNet } = await import('../../src/models/index.js');
    for (const make of [
      () => new ShallowMaxNN({ filtres: 3 } as never),
      () => new CharCNN({ sise: 'small' } as never),
      () => new Perceptron({ epoch: 1 } as never),
      () => new ResNet({ detph: 8 } as never),
    ]) {
      let message = '';
      try {
        make();
      } catch (e) {
        message = (e as Error).message;
      }
      const names = /expected one of ([^(]*) \(/.exec(message)?.[1]?.split(', ') ?? [];
      expect(names.length).toBeGreaterThan(5);
      expect(new Set(names).size).toBe(names.length);
    }
  });
});
