import * as tf from '@tensorflow/tfjs';
import { Buffer, join, mkdir, readFile, writeFile } from '#platform';
import { BlindspotsError, fail } from '../../errors.js';
import { isPlainObject } from '../../options.js';
import { describe } from '../../validate.js';
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

/** The two files of a saved model. */
const MANIFEST = 'model.json';
const WEIGHTS = 'weights.bin';

/** What a folder written by {@link saveCheckpoint} holds, for messages. */
const SAVED = `a folder written by save (${MANIFEST} and ${WEIGHTS})`;

/** The system's code of a file-system error (ENOENT, ENOTDIR, EACCES, …), if any. */
function ioCode(error: unknown): string | undefined {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : undefined;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? (error.message.split('\n')[0] ?? error.name) : String(error);
}

/** A folder argument that is not a path at all: INVALID_ARGUMENT before any file is touched. */
function checkFolder(fn: string, folder: unknown): string {
  if (typeof folder !== 'string' || folder.length === 0)
    throw fail('INVALID_ARGUMENT', fn, 'folder', 'a folder path (a non-empty string)', describe(folder));
  return folder;
}

/**
 * Writes `model.json` (architecture options, shapes, names) and `weights.bin` (float32, in the
 * manifest's order) to `folder`, creating it. A folder that cannot be created or written (a file
 * in the way, no permission, a read-only file system) is an INVALID_ARGUMENT error naming `fn`
 * and `folder`, with the system's reason.
 */
export async function saveCheckpoint(fn: string, folder: string, net: Network, info: CheckpointInfo): Promise<void> {
  checkFolder(fn, folder);
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
  try {
    await mkdir(folder, { recursive: true });
    // The manifest last: a folder whose write failed half-way is refused by load (sizes differ).
    await writeFile(join(folder, WEIGHTS), Buffer.concat(chunks));
    await writeFile(join(folder, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
  } catch (error) {
    if (error instanceof BlindspotsError) throw error; // NODE_ONLY in a browser
    throw fail('INVALID_ARGUMENT', fn, 'folder', 'a folder that can be created and written', messageOf(error));
  }
}

/** A file of a saved model, or DATA_FORMAT (missing, a folder, unreadable) naming `fn` and `folder`. */
async function readSaved(fn: string, folder: string, file: string): Promise<Uint8Array> {
  try {
    return await readFile(join(folder, file));
  } catch (error) {
    if (error instanceof BlindspotsError) throw error; // NODE_ONLY in a browser
    const code = ioCode(error);
    const why =
      code === 'ENOENT'
        ? `no ${file} at ${join(folder, file)}`
        : code === 'ENOTDIR'
          ? `${folder} is not a folder`
          : code === 'EISDIR'
            ? `${join(folder, file)} is a folder`
            : messageOf(error);
    throw fail('DATA_FORMAT', fn, 'folder', SAVED, why);
  }
}

const isCount = (v: unknown, min: number): v is number => typeof v === 'number' && Number.isInteger(v) && v >= min;
const isShape = (v: unknown, min: number): v is number[] => Array.isArray(v) && v.every((d) => isCount(d, min));

/**
 * Reads and checks `folder`'s model.json: a missing or unreadable file, text that is not JSON, or
 * JSON that is not a blindspots-convnet manifest is a DATA_FORMAT error naming `fn`, `folder` and
 * what is wrong; a folder that is not a string is INVALID_ARGUMENT.
 */
export async function readManifest(fn: string, folder: string): Promise<ConvNetManifest> {
  checkFolder(fn, folder);
  const path = join(folder, MANIFEST);
  const text = new TextDecoder().decode(await readSaved(fn, folder, MANIFEST));
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw fail('DATA_FORMAT', fn, 'folder', `${MANIFEST} in JSON, as save writes it`, `${path}: ${messageOf(error)}`);
  }
  const bad = (field: string, expected: string, value: unknown): never => {
    throw fail('DATA_FORMAT', fn, 'folder', `${MANIFEST} with ${field} ${expected}`, `${describe(value)} in ${path}`);
  };
  if (!isPlainObject(json)) return bad('a', 'JSON object', json);
  const m = json;
  if (m.format !== 'blindspots-convnet') bad('format', '"blindspots-convnet"', m.format);
  if (m.version !== 1) bad('version', '1', m.version);
  if (typeof m.model !== 'string') bad('model', 'a model name', m.model);
  if (!isPlainObject(m.options)) bad('options', 'an object', m.options);
  if (!isShape(m.inputShape, 1) || m.inputShape.length === 0) bad('inputShape', 'positive integers', m.inputShape);
  if (!isCount(m.numClasses, 1)) bad('numClasses', 'a positive integer', m.numClasses);
  if (!Array.isArray(m.weights)) return bad('weights', 'an array', m.weights);
  for (const [i, w] of m.weights.entries()) {
    const ok = isPlainObject(w) && typeof w.name === 'string' && isShape(w.shape, 0) && typeof w.trainable === 'boolean';
    if (!ok) bad(`weights[${String(i)}]`, '{ name, shape, trainable }', w);
  }
  return json as unknown as ConvNetManifest;
}

/**
 * Reads a checkpoint written by {@link saveCheckpoint} into a network that `build` makes for its
 * input shape and class count (`manifest`: the folder's model.json, already read by
 * {@link readManifest}). The saved model must be `expected.model`; a missing, truncated or
 * oversized weights.bin, or weight names and shapes that differ from the architecture's, are
 * DATA_FORMAT errors naming `fn`, `folder` and the weight.
 */
export async function loadCheckpoint(
  fn: string,
  folder: string,
  manifest: ConvNetManifest,
  expected: {
    readonly model: string;
    readonly options: Record<string, unknown>;
    /** Options that the weights cannot tell apart: each must equal the saved one (or `before`, when none was saved). */
    readonly weightless?: Record<string, { readonly value: unknown; readonly before: unknown }>;
  },
  build: (inputShape: readonly number[], numClasses: number) => Network,
): Promise<{ net: Network; inputShape: readonly number[]; numClasses: number }> {
  if (manifest.model !== expected.model) {
    throw fail(
      'DATA_FORMAT',
      fn,
      'folder',
      `a saved ${expected.model} (${MANIFEST} model "${expected.model}")`,
      JSON.stringify(manifest.model),
    );
  }
  for (const [name, { value, before }] of Object.entries(expected.weightless ?? {})) {
    const saved = name in manifest.options ? manifest.options[name] : before;
    if (saved !== value) {
      throw fail(
        'DATA_FORMAT',
        fn,
        'folder',
        `a ${expected.model} saved with options.${name} ${JSON.stringify(value)} (the weights load either way, but compute another function)`,
        `${JSON.stringify(saved)}${name in manifest.options ? '' : ' (saved before the option existed)'}`,
      );
    }
  }
  const bytes = await readSaved(fn, folder, WEIGHTS);
  let net: Network;
  try {
    net = build(manifest.inputShape, manifest.numClasses);
  } catch (error) {
    if (error instanceof BlindspotsError) throw error;
    throw fail('DATA_FORMAT', fn, 'folder', `an input shape and class count ${expected.model} can be built for`, messageOf(error));
  }
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
        throw fail('DATA_FORMAT', fn, 'folder', `${WEIGHTS} of at least ${String(offset + size)} bytes`, `${String(bytes.length)} bytes`);
      const values = new Float32Array(bytes.buffer.slice(bytes.byteOffset + offset, bytes.byteOffset + offset + size));
      tf.tidy(() => v.assign(tf.tensor(values, v.shape)));
      offset += size;
    }
    if (offset !== bytes.length)
      throw fail('DATA_FORMAT', fn, 'folder', `${WEIGHTS} of ${String(offset)} bytes`, `${String(bytes.length)} bytes`);
  } catch (error) {
    disposeParams(net.params);
    throw error instanceof BlindspotsError ? error : fail('DATA_FORMAT', fn, 'folder', 'a readable saved model', messageOf(error));
  }
  return { net, inputShape: manifest.inputShape, numClasses: manifest.numClasses };
}
