import { randomInt, type Random } from '../../random.js';
import type { FeatureMatrix } from '../../types.js';
import type { BinnedFeatures } from './binning.js';

/** A fitted classification tree as flat arrays (node 0 is the root; `left[n] < 0` marks a leaf). */
export interface TreeArrays {
  readonly feature: Int32Array;
  readonly threshold: Float64Array;
  readonly left: Int32Array;
  readonly right: Int32Array;
  /** Class fractions of each node's training samples: `value[n * numClasses + k]`. */
  readonly value: Float32Array;
  readonly numClasses: number;
}

/** Growth options of a CART tree (scikit-learn's names and defaults). */
export interface CartOptions {
  readonly maxDepth: number;
  readonly minSamplesSplit: number;
  readonly minSamplesLeaf: number;
  /**
   * Features drawn per split, as scikit-learn: features found constant in the node count as drawn,
   * but the search goes on until it has read at least one non-constant feature.
   */
  readonly maxFeatures: number;
  /** `best`: the best threshold of each feature (CART); `random`: one uniform threshold per feature (extra-trees). */
  readonly splitter: 'best' | 'random';
}

/**
 * Grows a Gini CART tree on binned features, depth first, over the samples `sampleIndex` (with
 * repeats for a bootstrap sample). Repeats become weights on the distinct samples, as in
 * scikit-learn: a bootstrap sample holds ~63% distinct rows, so nodes read fewer. Impurities and
 * leaf values use the weights; `minSamplesSplit` / `minSamplesLeaf` count distinct samples.
 * Deterministic for a given `random`.
 */
export function growTree(
  data: BinnedFeatures,
  y: Int32Array,
  numClasses: number,
  sampleIndex: Int32Array,
  options: CartOptions,
  random: Random,
  onProgress?: (fraction: number, nodes: number) => void,
): TreeArrays {
  const K = numClasses;
  const { rows, cols, bins, rowBins, values, valueStart, numBins } = data;
  // A node of up to SMALL samples copies its rows (row-major) into `local`, and it and all its
  // descendants read features from there: in L2 rather than scattered over a column each. The
  // copy serves the whole subtree because nodes are grown depth first (a subtree is done before
  // any node outside it); `lidx[i]` is the local row of idx[i] and is partitioned along with idx.
  const SMALL = Math.max(16, Math.min(1024, Math.floor((1 << 20) / cols)));
  const useLocal = rowBins.length === rows * cols;
  const local = reuse(`local${String(bins.BYTES_PER_ELEMENT)}`, bins.constructor as Uint8ArrayConstructor, useLocal ? SMALL * cols : 0);
  let localStart = 0;
  let localEnd = -1;
  const mult = reuse('mult', Int32Array, rows).fill(0);
  for (const s of sampleIndex) mult[s] = (mult[s] as number) + 1;
  let distinct = 0;
  for (let s = 0; s < rows; s++) if ((mult[s] as number) > 0) distinct++;
  const idx = reuse('idx', Int32Array, distinct);
  for (let s = 0, q = 0; s < rows; s++) if ((mult[s] as number) > 0) idx[q++] = s;
  const nodeBins = reuse('nodeBins', Int32Array, distinct + 1);
  const nodeY = reuse('nodeY', Int32Array, distinct);
  const nodeW = reuse('nodeW', Int32Array, distinct);
  const scratch = reuse('scratch', Int32Array, distinct);
  const lidx = reuse('lidx', Int32Array, useLocal ? distinct : 0);
  const lscratch = reuse('lscratch', Int32Array, useLocal ? distinct : 0);
  let leafSamples = 0;
  let splitsTried = 0;
  let maxBins = 0;
  for (let f = 0; f < cols; f++) maxBins = Math.max(maxBins, numBins[f] as number);
  const hist = new Int32Array(maxBins * K);
  const binCount = new Int32Array(maxBins);
  const binN = new Int32Array(maxBins);
  const total = new Float64Array(K);
  const leftCounts = new Float64Array(K);
  const featureOrder = Int32Array.from({ length: cols }, (_, f) => f);
  const rank = new Int32Array(cols);
  // Feature sampling as scikit-learn's splitters: a Fisher–Yates draw over `features`, whose first
  // `nKnown` entries are the features known to be constant in the node (found constant in an
  // ancestor: constant in all its descendants). `constantFeatures` keeps them in a stable order
  // for siblings and children; a node passes its count down on the stack, so nothing is copied
  // per node. `isConstant` flags constantFeatures[0, flagged) for the search over all features.
  const features = Int32Array.from({ length: cols }, (_, f) => f);
  const constantFeatures = new Int32Array(cols);
  const isConstant = new Uint8Array(cols);
  let flagged = 0;
  const present = new Int32Array(maxBins);
  const lastClass = new Int32Array(maxBins);

  const feature: number[] = [];
  const threshold: number[] = [];
  const left: number[] = [];
  const right: number[] = [];
  const value: number[] = [];

  // Stack of [node, start, end, depth, known constant features].
  const stack: number[] = [];
  const newNode = (): number => {
    feature.push(-1);
    threshold.push(0);
    left.push(-1);
    right.push(-1);
    for (let k = 0; k < K; k++) value.push(0);
    return feature.length - 1;
  };
  stack.push(newNode(), 0, idx.length, 0, 0);

  while (stack.length > 0) {
    const nKnown = stack.pop() as number;
    const depth = stack.pop() as number;
    const end = stack.pop() as number;
    const start = stack.pop() as number;
    const node = stack.pop() as number;
    const n = end - start;
    let nw = 0;
    total.fill(0);
    for (let i = start; i < end; i++) {
      const s = idx[i] as number;
      const k = y[s] as number;
      const w = mult[s] as number;
      total[k] = (total[k] as number) + w;
      nw += w;
    }
    let sqTotal = 0;
    let classesPresent = 0;
    for (let k = 0; k < K; k++) {
      value[node * K + k] = (total[k] as number) / nw;
      sqTotal += (total[k] as number) ** 2;
      if ((total[k] as number) > 0) classesPresent++;
    }
    if (depth >= options.maxDepth || n < options.minSamplesSplit || n < 2 * options.minSamplesLeaf || classesPresent <= 1) {
      leafSamples += n;
      continue;
    }
    // Progress: the share of samples already in leaves (a fit is done when all are).
    if (onProgress !== undefined && ++splitsTried % 32 === 0) onProgress(leafSamples / distinct, feature.length);
    let inLocal = start >= localStart && end <= localEnd;
    if (!inLocal && useLocal && n <= SMALL) {
      for (let i = 0; i < n; i++) {
        const s = idx[start + i] as number;
        local.set(rowBins.subarray(s * cols, (s + 1) * cols), i * cols);
        lidx[start + i] = i;
      }
      localStart = start;
      localEnd = end;
      inLocal = true;
    }
    if (options.splitter === 'random') {
      for (let i = start; i < end; i++) {
        nodeY[i - start] = y[idx[i] as number] as number;
        nodeW[i - start] = mult[idx[i] as number] as number;
      }
    }

    // Best split: the largest sqL/nL + sqR/nR (equivalently, the lowest weighted Gini impurity).
    let bestProxy = Number.NEGATIVE_INFINITY;
    let bestFeature = -1;
    let bestBin = -1;
    let bestThreshold = 0;
    // When every feature is searched, only ties depend on the draw order: the features are then
    // read in memory order and a tie goes to the one drawn first, which gives the same split and
    // reads rows sequentially.
    const searchAll = options.maxFeatures >= cols;
    let nDrawnConstants = 0;
    let nFound = 0;
    let nTotal = nKnown;
    let fi = cols;
    let visited = 0;
    let next = 0;
    if (searchAll) {
      while (flagged > nKnown) isConstant[constantFeatures[--flagged] as number] = 0;
      while (flagged < nKnown) isConstant[constantFeatures[flagged++] as number] = 1;
      for (let d = 0; d < cols; d++) {
        const j = d + randomInt(random, cols - d);
        const t = featureOrder[j] as number;
        featureOrder[j] = featureOrder[d] as number;
        featureOrder[d] = t;
        rank[t] = d;
      }
    }
    let bestRank = cols;
    for (;;) {
      let f: number;
      let fj = 0;
      let fRank: number;
      if (searchAll) {
        while (next < cols && isConstant[next] === 1) next++;
        if (next === cols) break;
        f = next++;
        fRank = rank[f] as number;
      } else {
        // scikit-learn's rule: `maxFeatures` draws, constant features included, but at least one
        // non-constant feature when there is one.
        if (fi <= nTotal || (visited >= options.maxFeatures && visited > nFound + nDrawnConstants)) break;
        fRank = visited++;
        fj = nDrawnConstants + randomInt(random, fi - nFound - nDrawnConstants);
        if (fj < nKnown) {
          swap(features, nDrawnConstants++, fj);
          continue;
        }
        fj += nFound;
        f = features[fj] as number;
      }
      const base = f * rows;
      const best = options.splitter === 'best';
      // One read of the feature over the node. Best split: a class histogram per bin, where
      // `present` lists the bins seen, so the scan and the clean-up cost what the node holds, not
      // the feature's whole range. Random split: the node's bins copied into `nodeBins` (as
      // scikit-learn's Xf), so the counting pass after the draw reads memory in order.
      let p = 0;
      let minB = 0;
      let maxB = 0;
      if (best)
        p = inLocal
          ? fillHistogramRows(local, lidx, f, cols, idx, start, end, y, mult, K, hist, binCount, binN, lastClass, present)
          : fillHistogram(bins, base, idx, start, end, y, mult, K, hist, binCount, binN, lastClass, present);
      else {
        minB = inLocal ? gatherRows(local, lidx, f, cols, start, end, nodeBins) : gatherColumn(bins, base, idx, start, end, nodeBins);
        maxB = nodeBins[n] as number;
      }
      if (best ? p === 1 : minB === maxB) {
        if (best) clearHistogram(present, p, K, hist, binCount, binN, lastClass);
        if (searchAll) constantFeatures[nTotal] = f;
        else swap(features, fj, nTotal);
        nFound++;
        nTotal++;
        continue;
      }
      if (!searchAll) swap(features, --fi, fj);
      const v0 = valueStart[f] as number;
      if (best) {
        orderBins(present, p, binCount, numBins[f] as number);
        leftCounts.fill(0);
        let nL = 0;
        let nLw = 0;
        let sqL = 0;
        let sqR = sqTotal;
        for (let q = 0; q < p - 1; q++) {
          const b = present[q] as number;
          const cb = binCount[b] as number;
          if (binN[b] === 1) {
            // Most bins of a small node hold one sample, whose class the fill remembered.
            const k = lastClass[b] as number;
            const l = leftCounts[k] as number;
            sqL += cb * (2 * l + cb);
            sqR += cb * (cb - 2 * ((total[k] as number) - l));
            leftCounts[k] = l + cb;
          } else {
            let left = cb;
            for (let k = 0; left > 0; k++) {
              const c = hist[b * K + k] as number;
              if (c === 0) continue;
              left -= c;
              const l = leftCounts[k] as number;
              const r = (total[k] as number) - l;
              sqL += c * (2 * l + c);
              sqR += c * (c - 2 * r);
              leftCounts[k] = l + c;
            }
          }
          nL += binN[b] as number;
          nLw += cb;
          if (nL < options.minSamplesLeaf || n - nL < options.minSamplesLeaf) continue;
          const proxy = sqL / nLw + sqR / (nw - nLw);
          if (proxy > bestProxy || (proxy === bestProxy && fRank < bestRank)) {
            bestProxy = proxy;
            bestRank = fRank;
            bestFeature = f;
            bestBin = b;
            bestThreshold = ((values[v0 + b] as number) + (values[v0 + (present[q + 1] as number)] as number)) / 2;
          }
        }
        clearHistogram(present, p, K, hist, binCount, binN, lastClass);
      } else {
        const lo = values[v0 + minB] as number;
        const hi = values[v0 + maxB] as number;
        let t = lo + random() * (hi - lo);
        if (t >= hi) t = lo;
        const a = lastBinAtOrBelow(values, v0, minB, maxB, lo, hi, t);
        leftCounts.fill(0);
        let nL = 0;
        let nLw = 0;
        // Counted per run of equal classes, without branches on the bins: a split's sides are a
        // coin toss per sample, and mispredicted branches cost more than the counting. (Rows are
        // grouped by class when trees are fitted, so a node's runs are its classes.)
        for (let i = 0; i < n;) {
          const k = nodeY[i] as number;
          let c = 0;
          let cw = 0;
          for (; i < n && nodeY[i] === k; i++) {
            const left = ((a - (nodeBins[i] as number)) >>> 31) ^ 1;
            c += left;
            cw += left * (nodeW[i] as number);
          }
          leftCounts[k] = (leftCounts[k] as number) + cw;
          nL += c;
          nLw += cw;
        }
        if (nL < options.minSamplesLeaf || n - nL < options.minSamplesLeaf) continue;
        let sqL = 0;
        let sqR = 0;
        for (let k = 0; k < K; k++) {
          sqL += (leftCounts[k] as number) ** 2;
          sqR += ((total[k] as number) - (leftCounts[k] as number)) ** 2;
        }
        const proxy = sqL / nLw + sqR / (nw - nLw);
        if (proxy > bestProxy || (proxy === bestProxy && fRank < bestRank)) {
          bestProxy = proxy;
          bestRank = fRank;
          bestFeature = f;
          bestBin = a;
          bestThreshold = t;
        }
      }
    }
    if (!searchAll) {
      // Known constants back in their stable order; the constants found here join them.
      features.set(constantFeatures.subarray(0, nKnown));
      constantFeatures.set(features.subarray(nKnown, nTotal), nKnown);
    }
    if (bestFeature < 0) {
      leafSamples += n;
      continue;
    }

    // Stable partition (bin <= bestBin to the left): sample indices stay ascending within every
    // node, so column reads of large nodes move forward through memory.
    const base = bestFeature * rows;
    let i = start;
    let m = 0;
    if (inLocal) {
      for (let q = start; q < end; q++) {
        const s = idx[q] as number;
        const l = lidx[q] as number;
        if ((local[l * cols + bestFeature] as number) <= bestBin) {
          lidx[i] = l;
          idx[i++] = s;
        } else {
          lscratch[m] = l;
          scratch[m++] = s;
        }
      }
      lidx.set(lscratch.subarray(0, m), i);
    } else {
      for (let q = start; q < end; q++) {
        const s = idx[q] as number;
        if ((bins[base + s] as number) <= bestBin) idx[i++] = s;
        else scratch[m++] = s;
      }
    }
    idx.set(scratch.subarray(0, m), i);
    feature[node] = bestFeature;
    threshold[node] = bestThreshold;
    const l = newNode();
    const r = newNode();
    left[node] = l;
    right[node] = r;
    stack.push(r, i, end, depth + 1, nTotal, l, start, i, depth + 1, nTotal);
  }
  return {
    feature: Int32Array.from(feature),
    threshold: Float64Array.from(threshold),
    left: Int32Array.from(left),
    right: Int32Array.from(right),
    value: Float32Array.from(value),
    numClasses: K,
  };
}

/**
 * The last bin in [minB, maxB] whose value is <= t (values[v0 + minB] = lo <= t < hi =
 * values[v0 + maxB]), looked up first where t falls between lo and hi — exact for evenly spaced
 * values such as pixel levels, and one cache line instead of a binary search's several — then by
 * binary search when the guess is more than a few bins off.
 */
export function lastBinAtOrBelow(values: Float32Array, v0: number, minB: number, maxB: number, lo: number, hi: number, t: number): number {
  let a = minB + Math.floor(((t - lo) / (hi - lo)) * (maxB - minB));
  if (a > maxB - 1) a = maxB - 1;
  if (a < minB) a = minB;
  for (let step = 0; step < 4; step++) {
    if ((values[v0 + a] as number) > t) a--;
    else if ((values[v0 + a + 1] as number) <= t) a++;
    else return a;
  }
  let z = maxB - 1;
  a = minB;
  while (a < z) {
    const mid = (a + z + 1) >> 1;
    if ((values[v0 + mid] as number) <= t) a = mid;
    else z = mid - 1;
  }
  return a;
}

type Scratch = Int32Array | Uint8Array | Uint16Array | Uint32Array;
const pool = new Map<string, WeakRef<Scratch>>();

/**
 * A scratch array of `length` elements, reused from the last tree grown on this thread while the
 * garbage collector has not reclaimed it: fresh large arrays cost page faults on their first touch
 * (docs/performance.md). Contents are stale: callers clear what they read.
 */
function reuse<T extends Scratch>(name: string, type: new (n: number) => T, length: number): T {
  const cached = pool.get(name)?.deref() as T | undefined;
  if (cached !== undefined && cached.length >= length) return cached.subarray(0, length) as T;
  const fresh = new type(length);
  pool.set(name, new WeakRef(fresh));
  return fresh;
}

function swap(a: Int32Array, i: number, j: number): void {
  const t = a[i] as number;
  a[i] = a[j] as number;
  a[j] = t;
}

/**
 * Adds `weight` x each row's leaf class fractions into `out` (rows x numClasses), reading raw
 * feature values: `x <= threshold` goes left.
 */
export function accumulateProba(tree: TreeArrays, x: FeatureMatrix, out: Float32Array, weight: number): void {
  const K = tree.numClasses;
  const { feature, threshold, left, right, value } = tree;
  for (let r = 0; r < x.rows; r++) {
    let node = 0;
    const base = r * x.cols;
    while ((left[node] as number) >= 0) {
      node =
        (x.data[base + (feature[node] as number)] as number) <= (threshold[node] as number)
          ? (left[node] as number)
          : (right[node] as number);
    }
    for (let k = 0; k < K; k++) out[r * K + k] = (out[r * K + k] as number) + weight * (value[node * K + k] as number);
  }
}

/**
 * Puts the present bins a[0..p) in ascending order: insertion sort for the short lists of small
 * nodes; for long ones, a pass over the feature's bins (at most a few hundred for pixel data).
 */
function orderBins(a: Int32Array, p: number, binCount: Int32Array, nbins: number): void {
  if (p > 32 && nbins <= 8 * p) {
    let q = 0;
    for (let b = 0; b < nbins; b++) if ((binCount[b] as number) > 0) a[q++] = b;
    return;
  }
  for (let i = 1; i < p; i++) {
    const v = a[i] as number;
    let j = i - 1;
    while (j >= 0 && (a[j] as number) > v) {
      a[j + 1] = a[j] as number;
      j--;
    }
    a[j + 1] = v;
  }
}

/**
 * Fills the class histogram of one feature over idx[start, end) and lists the bins present;
 * returns how many. Kept small and monomorphic so V8 optimises the hottest loop of the fit.
 */
function fillHistogram(
  bins: Uint8Array | Uint16Array | Uint32Array,
  base: number,
  idx: Int32Array,
  start: number,
  end: number,
  y: Int32Array,
  mult: Int32Array,
  K: number,
  hist: Int32Array,
  binCount: Int32Array,
  binN: Int32Array,
  lastClass: Int32Array,
  present: Int32Array,
): number {
  let p = 0;
  for (let i = start; i < end; i++) {
    const s = idx[i] as number;
    const b = bins[base + s] as number;
    const k = y[s] as number;
    const w = mult[s] as number;
    const h = b * K + k;
    hist[h] = (hist[h] as number) + w;
    lastClass[b] = k;
    binCount[b] = (binCount[b] as number) + w;
    const c = (binN[b] as number) + 1;
    binN[b] = c;
    if (c === 1) present[p++] = b;
  }
  return p;
}

/** Zeroes what {@link fillHistogram} wrote: the present bins' rows only (one entry for a one-sample bin). */
function clearHistogram(
  present: Int32Array,
  p: number,
  K: number,
  hist: Int32Array,
  binCount: Int32Array,
  binN: Int32Array,
  lastClass: Int32Array,
): void {
  for (let q = 0; q < p; q++) {
    const b = present[q] as number;
    if (binN[b] === 1) hist[b * K + (lastClass[b] as number)] = 0;
    else for (let k = b * K; k < b * K + K; k++) hist[k] = 0;
    binCount[b] = 0;
    binN[b] = 0;
  }
}

/**
 * {@link fillHistogram} for a node whose rows are in `local` (row-major; idx[i]'s row is lidx[i]).
 * Kept a separate copy of the loop on purpose: one function over both layouts would be polymorphic
 * in its hottest line and V8 would not optimise it as well.
 */
function fillHistogramRows(
  local: Uint8Array | Uint16Array | Uint32Array,
  lidx: Int32Array,
  f: number,
  cols: number,
  idx: Int32Array,
  start: number,
  end: number,
  y: Int32Array,
  mult: Int32Array,
  K: number,
  hist: Int32Array,
  binCount: Int32Array,
  binN: Int32Array,
  lastClass: Int32Array,
  present: Int32Array,
): number {
  let p = 0;
  for (let i = start; i < end; i++) {
    const s = idx[i] as number;
    const b = local[(lidx[i] as number) * cols + f] as number;
    const k = y[s] as number;
    const w = mult[s] as number;
    const h = b * K + k;
    hist[h] = (hist[h] as number) + w;
    lastClass[b] = k;
    binCount[b] = (binCount[b] as number) + w;
    const c = (binN[b] as number) + 1;
    binN[b] = c;
    if (c === 1) present[p++] = b;
  }
  return p;
}

/**
 * Copies the bins of idx[start, end) from the column at `base` into out[0, n); returns their
 * minimum and leaves their maximum in out[n].
 */
function gatherColumn(
  bins: Uint8Array | Uint16Array | Uint32Array,
  base: number,
  idx: Int32Array,
  start: number,
  end: number,
  out: Int32Array,
): number {
  let min = 0x3fffffff;
  let max = 0;
  for (let i = start; i < end; i++) {
    const b = bins[base + (idx[i] as number)] as number;
    out[i - start] = b;
    if (b < min) min = b;
    if (b > max) max = b;
  }
  out[end - start] = max;
  return min;
}

/** {@link gatherColumn} from the local rows (idx[i]'s row is lidx[i]). */
function gatherRows(
  local: Uint8Array | Uint16Array | Uint32Array,
  lidx: Int32Array,
  f: number,
  cols: number,
  start: number,
  end: number,
  out: Int32Array,
): number {
  let min = 0x3fffffff;
  let max = 0;
  for (let i = start; i < end; i++) {
    const b = local[(lidx[i] as number) * cols + f] as number;
    out[i - start] = b;
    if (b < min) min = b;
    if (b > max) max = b;
  }
  out[end - start] = max;
  return min;
}
