import { createHash } from 'node:crypto';
import { isTextDataset, type ImageDataset, type TextDataset } from '../../data/dataset.js';
import type { ImageArray } from '../../types.js';
import type { SplitIdentity } from '../store/cellRecord.js';

/** A split's sample count and content hash (inputs, then labels). */
export function splitIdentity(ds: ImageDataset<ImageArray> | TextDataset): SplitIdentity {
  const hash = createHash('sha256');
  if (isTextDataset(ds)) {
    for (const t of ds.texts) hash.update(t).update('\u0000');
  } else {
    hash.update(JSON.stringify(ds.images.shape));
    const d = ds.images.data;
    hash.update(new Uint8Array(d.buffer, d.byteOffset, d.byteLength));
  }
  hash.update(new Uint8Array(ds.labels.buffer, ds.labels.byteOffset, ds.labels.byteLength));
  return { n: ds.labels.length, sha256: hash.digest('hex') };
}
