import type { FeatureMatrix } from '../../types.js';

/**
 * Features as sorted bin indices, column-major (`bins[f * rows + i]`), one bin per distinct value
 * of the feature (`values[f]`, ascending). Lossless: a split between two bins is exactly a split
 * between two distinct values, as in exact CART — and pixel data has at most a few hundred
 * distinct values per feature, so splits are searched over bins rather than sorted samples.
 */
export interface BinnedFeatures {
  readonly rows: number;
  readonly cols: number;
  readonly bins: Uint8Array | Uint16Array | Uint32Array;
  /** The same bins row-major (`rowBins[i * cols + f]`): small tree nodes read whole rows. */
  readonly rowBins: Uint8Array | Uint16Array | Uint32Array;
  /**
   * The features' distinct values, ascending: feature f has `numBins[f]` bins, and bin b has value
   * `values[valueStart[f] + b]`. Features with the same distinct values share one run of `values`
   * (pixel features mostly have the same 256 levels), which keeps it small enough to stay in
   * cache: a random split reads a few values of each of many features.
   */
  readonly values: Float32Array;
  readonly valueStart: Int32Array;
  readonly numBins: Int32Array;
}

/**
 * Columns transposed per strip: each row contributes 512 contiguous bytes (8 cache lines, which the
 * prefetcher follows) rather than one line per 12 KB stride (timings in docs/performance.md).
 */
const STRIP = 128;
/** Columns per strip of the row-major copy: 64 bytes of a row, one line written at a time. */
const ROW_STRIP = 64;

type BinArray = Uint8Array | Uint16Array | Uint32Array;

/** Options of {@link binFeatures}. */
export interface BinOptions {
  /** Bins in a SharedArrayBuffer, for worker threads. */
  readonly shared?: boolean;
  /** Also build the row-major copy `rowBins` (default true). */
  readonly rowMajor?: boolean;
  /** Row r of the binned data is row `order[r]` of `x` (a permutation of the rows); default the identity. */
  readonly order?: Int32Array;
}

/**
 * Bins a feature matrix (see {@link BinnedFeatures}).
 *
 * @example
 * ```ts
 * import { binFeatures } from './binning.js'; // internal
 * const x = { data: Float32Array.of(0.5, 7, 0.1, 7, 0.5, 3), rows: 3, cols: 2 };
 * const binned = binFeatures(x);
 * binned.numBins; //=> Int32Array [2, 2]
 * binned.bins; //=> Uint8Array [1, 0, 1, 1, 1, 0]
 * ```
 */
export function binFeatures(x: FeatureMatrix, options: BinOptions = {}): BinnedFeatures {
  const { rows, cols, data } = x;
  const order = options.order ?? identity(rows);
  const allocate = (bytes: 1 | 2 | 4): BinArray => {
    const buffer = options.shared === true ? new SharedArrayBuffer(rows * cols * bytes) : new ArrayBuffer(rows * cols * bytes);
    return bytes === 1 ? new Uint8Array(buffer) : bytes === 2 ? new Uint16Array(buffer) : new Uint32Array(buffer);
  };
  // Bins are written as bytes while every column has at most 256 distinct values (pixel data
  // always does) and widened once, copying the columns done so far, when one has more.
  let bins: BinArray = allocate(1);
  let binLimit = 256;
  const strip = new Float32Array(STRIP * rows);
  const stripBits = new Uint32Array(strip.buffer);
  // Distinct values per column through a hash table on the float bits (O(rows) per column;
  // sorting every column cost ~4 s on 12,500 x 3072), then only the distinct values are sorted.
  const valueStart = new Int32Array(cols);
  const numBins = new Int32Array(cols);
  let values = new Float32Array(1024);
  let used = 0;
  // Runs of `values` by a hash of their bits, to share equal runs.
  const runs = new Map<number, [start: number, length: number][]>();
  let tableBits = 4;
  while (1 << tableBits < 2 * rows) tableBits++;
  const size = 1 << tableBits;
  const keys = new Uint32Array(size);
  const slotId = new Int32Array(size);
  const stamp = new Int32Array(size); // slot in use when stamp === column + 1: no clearing between columns
  const ids = new Int32Array(rows);
  const uniq = new Float32Array(rows);
  const rankOf = new Int32Array(rows);
  for (let c0 = 0; c0 < cols; c0 += STRIP) {
    const width = Math.min(STRIP, cols - c0);
    transposeStrip(data, cols, c0, width, order, strip, rows);
    for (let j = 0; j < width; j++) {
      const f = c0 + j;
      const u = distinctIds(stripBits, strip, j * rows, rows, f + 1, tableBits, keys, slotId, stamp, ids, uniq);
      if (used + u > values.length) {
        const grown = new Float32Array(Math.max(2 * values.length, used + u));
        grown.set(values.subarray(0, used));
        values = grown;
      }
      // The distinct values sorted natively (no comparator: several times faster), then each
      // value's rank by binary search.
      const sorted = values.subarray(used, used + u);
      sorted.set(uniq.subarray(0, u));
      sorted.sort();
      for (let id = 0; id < u; id++) rankOf[id] = rankIn(sorted, uniq[id] as number);
      let hash = u;
      const bits = new Int32Array(values.buffer, used * 4, u);
      for (let r = 0; r < u; r++) hash = Math.imul(hash ^ (bits[r] as number), 0x01000193);
      const same = runs.get(hash)?.find(([at, length]) => length === u && sameRun(values, at, used, u))?.[0];
      numBins[f] = u;
      if (same === undefined) {
        valueStart[f] = used;
        runs.set(hash, [...(runs.get(hash) ?? []), [used, u]]);
        used += u;
      } else valueStart[f] = same;
      if (u > binLimit) {
        // Bin indices fit 16 bits unless there are more than 65,536 rows.
        const wider = allocate(rows <= 65536 ? 2 : 4);
        wider.set(bins.subarray(0, f * rows));
        bins = wider;
        binLimit = Infinity;
      }
      if (bins instanceof Uint8Array) writeRanks(bins, f * rows, rankOf, ids, rows);
      else if (bins instanceof Uint16Array) writeRanks(bins, f * rows, rankOf, ids, rows);
      else writeRanks(bins, f * rows, rankOf, ids, rows);
    }
  }
  const rowBins: BinArray = options.rowMajor === false ? new Uint8Array(0) : allocate(bins.BYTES_PER_ELEMENT as 1 | 2 | 4);
  if (options.rowMajor !== false) fillRowBins(bins, rowBins, rows, cols, 0, rows);
  return { rows, cols, bins, rowBins, values: values.slice(0, used), valueStart, numBins };
}

/** The index of `v` in the ascending `sorted` (which holds it). */
function rankIn(sorted: Float32Array, v: number): number {
  let a = 0;
  let z = sorted.length - 1;
  while (a < z) {
    const mid = (a + z) >> 1;
    if ((sorted[mid] as number) < v) a = mid + 1;
    else z = mid;
  }
  return a;
}

/**
 * Rows [r0, r1) of the row-major copy of column-major bins (see {@link BinnedFeatures}); forest
 * workers fill their shares in parallel.
 */
export function fillRowBins(bins: BinArray, rowBins: BinArray, rows: number, cols: number, r0: number, r1: number): void {
  for (let c0 = 0; c0 < cols; c0 += ROW_STRIP) {
    const c1 = Math.min(cols, c0 + ROW_STRIP);
    for (let r = r0; r < r1; r++) {
      const o = r * cols;
      for (let c = c0; c < c1; c++) rowBins[o + c] = bins[c * rows + r] as number;
    }
  }
}

/** Whether values[a, a + n) equals values[b, b + n). */
function sameRun(values: Float32Array, a: number, b: number, n: number): boolean {
  for (let i = 0; i < n; i++) if (values[a + i] !== values[b + i]) return false;
  return true;
}

function identity(n: number): Int32Array {
  return Int32Array.from({ length: n }, (_, i) => i);
}

// The loops below are small functions of their own so that V8 optimises each for the one array
// type it sees (written inline in binFeatures, a binning of 12,500 x 3,072 took 0.8–1.1 s here
// against 0.68–0.78 s).

/** strip[j * rows + r] = data[order[r] * cols + c0 + j] for j < width. */
function transposeStrip(
  data: Float32Array,
  cols: number,
  c0: number,
  width: number,
  order: Int32Array,
  strip: Float32Array,
  rows: number,
): void {
  for (let r = 0; r < rows; r++) {
    const o = (order[r] as number) * cols + c0;
    for (let j = 0; j < width; j++) strip[j * rows + r] = data[o + j] as number;
  }
}

/**
 * Numbers the distinct values of strip[sb, sb + rows) in order of appearance (`ids`, `uniq`)
 * through an open-addressing hash table on the float bits; returns how many there are. A slot is
 * in use when its stamp equals `tag`, so the table needs no clearing between columns.
 */
function distinctIds(
  stripBits: Uint32Array,
  strip: Float32Array,
  sb: number,
  rows: number,
  tag: number,
  tableBits: number,
  keys: Uint32Array,
  slotId: Int32Array,
  stamp: Int32Array,
  ids: Int32Array,
  uniq: Float32Array,
): number {
  const mask = (1 << tableBits) - 1;
  let u = 0;
  for (let i = 0; i < rows; i++) {
    let bits = stripBits[sb + i] as number;
    if (bits === 0x80000000) bits = 0; // -0 is 0
    let h = Math.imul(bits, 0x9e3779b1) >>> (32 - tableBits);
    for (;;) {
      if (stamp[h] !== tag) {
        stamp[h] = tag;
        keys[h] = bits;
        slotId[h] = u;
        uniq[u] = strip[sb + i] === 0 ? 0 : (strip[sb + i] as number);
        ids[i] = u++;
        break;
      }
      if (keys[h] === bits) {
        ids[i] = slotId[h] as number;
        break;
      }
      h = (h + 1) & mask;
    }
  }
  return u;
}

function writeRanks(out: Uint8Array | Uint16Array | Uint32Array, base: number, rankOf: Int32Array, ids: Int32Array, rows: number): void {
  for (let i = 0; i < rows; i++) out[base + i] = rankOf[ids[i] as number] as number;
}
