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
  /** Features to search per split (visiting more when the drawn ones are constant in the node, as scikit-learn). */
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
  const { rows, cols, bins, rowBins, values } = data;
  // Nodes up to SMALL samples copy their rows into `local` and read features from there: a
  // column-major read of a few scattered samples would miss the cache on every feature.
  const SMALL = Math.max(16, Math.min(1024, Math.floor((1 << 21) / cols)));
  const local = new (bins.constructor as Uint8ArrayConstructor)(SMALL * cols);
  const yLocal = new Int32Array(SMALL);
  const wLocal = new Int32Array(SMALL);
  const mult = new Int32Array(rows);
  for (const s of sampleIndex) mult[s] = (mult[s] as number) + 1;
  let distinct = 0;
  for (let s = 0; s < rows; s++) if ((mult[s] as number) > 0) distinct++;
  const idx = new Int32Array(distinct);
  for (let s = 0, q = 0; s < rows; s++) if ((mult[s] as number) > 0) idx[q++] = s;
  const nodeBins = new Int32Array(distinct);
  const nodeY = new Int32Array(distinct);
  const nodeW = new Int32Array(distinct);
  const scratch = new Int32Array(distinct);
  let leafSamples = 0;
  let splitsTried = 0;
  let maxBins = 0;
  for (const v of values) if (v.length > maxBins) maxBins = v.length;
  const hist = new Int32Array(maxBins * K);
  const binCount = new Int32Array(maxBins);
  const binN = new Int32Array(maxBins);
  const total = new Float64Array(K);
  const leftCounts = new Float64Array(K);
  const featureOrder = Int32Array.from({ length: cols }, (_, f) => f);
  const rank = new Int32Array(cols);
  const present = new Int32Array(maxBins);
  const lastClass = new Int32Array(maxBins);

  const feature: number[] = [];
  const threshold: number[] = [];
  const left: number[] = [];
  const right: number[] = [];
  const value: number[] = [];

  // Stack of [node, start, end, depth].
  const stack: number[] = [];
  // Features found constant in a node are constant in all its descendants (scikit-learn's "known
  // constants"): each pending node carries their flags and skips them without a read. On dense
  // pixels it changes little; on sparse inputs (a blank image holding one pixel) it is what keeps a
  // forest from reading every constant feature at every node.
  const constStack: Uint8Array[] = [new Uint8Array(cols)];
  const newNode = (): number => {
    feature.push(-1);
    threshold.push(0);
    left.push(-1);
    right.push(-1);
    for (let k = 0; k < K; k++) value.push(0);
    return feature.length - 1;
  };
  stack.push(newNode(), 0, idx.length, 0);

  while (stack.length > 0) {
    const depth = stack.pop() as number;
    const end = stack.pop() as number;
    const start = stack.pop() as number;
    const node = stack.pop() as number;
    const known = constStack.pop() as Uint8Array;
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
    // Copying rows pays only when many features are read from them (a decision tree); forests read
    // ~sqrt(cols) features per node, cheaper straight from the columns.
    const small = n <= SMALL && options.maxFeatures * 8 >= cols;
    if (options.splitter === 'random') {
      for (let i = start; i < end; i++) {
        nodeY[i - start] = y[idx[i] as number] as number;
        nodeW[i - start] = mult[idx[i] as number] as number;
      }
    }
    if (small) {
      for (let i = 0; i < n; i++) {
        const s = idx[start + i] as number;
        local.set(rowBins.subarray(s * cols, (s + 1) * cols), i * cols);
        yLocal[i] = y[s] as number;
        wLocal[i] = mult[s] as number;
      }
    }

    // Best split: the largest sqL/nL + sqR/nR (equivalently, the lowest weighted Gini impurity).
    let bestProxy = Number.NEGATIVE_INFINITY;
    let bestFeature = -1;
    let bestBin = -1;
    let bestThreshold = 0;
    let visited = 0;
    // Features are drawn without replacement in a seeded order (Fisher–Yates). When every feature
    // is searched, only ties depend on that order: the features are then read in memory order and
    // a tie goes to the one drawn first, which gives the same split and reads rows sequentially.
    const searchAll = options.maxFeatures >= cols;
    if (searchAll) {
      for (let d = 0; d < cols; d++) {
        const j = d + randomInt(random, cols - d);
        const t = featureOrder[j] as number;
        featureOrder[j] = featureOrder[d] as number;
        featureOrder[d] = t;
        rank[t] = d;
      }
    }
    let bestRank = cols;
    for (let drawn = 0; drawn < cols && visited < options.maxFeatures; drawn++) {
      let f: number;
      if (searchAll) f = drawn;
      else {
        const j = drawn + randomInt(random, cols - drawn);
        f = featureOrder[j] as number;
        featureOrder[j] = featureOrder[drawn] as number;
        featureOrder[drawn] = f;
      }
      const fRank = searchAll ? (rank[f] as number) : drawn;
      if (known[f] === 1) continue;
      const base = f * rows;
      if (options.splitter === 'best') {
        // Class histogram per bin over the node's samples; `present` lists the bins seen, so the
        // scan and the clean-up cost what the node holds, not the feature's whole range.
        const p = small ? fillHistogramRows(local, f, cols, n, yLocal, wLocal, K, hist, binCount, binN, lastClass, present) : fillHistogram(bins, base, idx, start, end, y, mult, K, hist, binCount, binN, lastClass, present);
        if (p === 1) {
          clearHistogram(present, p, K, hist, binCount, binN, lastClass);
          known[f] = 1;
          continue;
        }
        visited++;
        orderBins(present, p, binCount, (values[f] as Float32Array).length);
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
            const v = values[f] as Float32Array;
            bestThreshold = ((v[b] as number) + (v[present[q + 1] as number] as number)) / 2;
          }
        }
        clearHistogram(present, p, K, hist, binCount, binN, lastClass);
      } else {
        // One pass over the column copies the node's bins into `nodeBins` (as scikit-learn's
        // Xf), so the counting pass after the draw reads memory in order.
        let minB = Number.POSITIVE_INFINITY;
        let maxB = -1;
        for (let i = start; i < end; i++) {
          const b = bins[base + (idx[i] as number)] as number;
          nodeBins[i - start] = b;
          if (b < minB) minB = b;
          if (b > maxB) maxB = b;
        }
        if (minB === maxB) {
          known[f] = 1;
          continue;
        }
        visited++;
        const v = values[f] as Float32Array;
        const lo = v[minB] as number;
        const hi = v[maxB] as number;
        let t = lo + random() * (hi - lo);
        if (t >= hi) t = lo;
        // The split bin: the last bin whose value is <= t.
        let a = minB;
        let z = maxB;
        while (a < z) {
          const mid = (a + z + 1) >> 1;
          if ((v[mid] as number) <= t) a = mid;
          else z = mid - 1;
        }
        leftCounts.fill(0);
        let nL = 0;
        let nLw = 0;
        for (let i = 0; i < n; i++) {
          if ((nodeBins[i] as number) <= a) {
            const k = nodeY[i] as number;
            const w = nodeW[i] as number;
            leftCounts[k] = (leftCounts[k] as number) + w;
            nL++;
            nLw += w;
          }
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
    if (bestFeature < 0) {
      leafSamples += n;
      continue;
    }

    // Stable partition (bin <= bestBin to the left): sample indices stay ascending within every
    // node, so column reads of large nodes move forward through memory.
    const base = bestFeature * rows;
    let i = start;
    let m = 0;
    for (let q = start; q < end; q++) {
      const s = idx[q] as number;
      if ((bins[base + s] as number) <= bestBin) idx[i++] = s;
      else scratch[m++] = s;
    }
    idx.set(scratch.subarray(0, m), i);
    feature[node] = bestFeature;
    threshold[node] = bestThreshold;
    const l = newNode();
    const r = newNode();
    left[node] = l;
    right[node] = r;
    stack.push(r, i, end, depth + 1, l, start, i, depth + 1);
    constStack.push(known.slice(), known);
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
      node = (x.data[base + (feature[node] as number)] as number) <= (threshold[node] as number) ? (left[node] as number) : (right[node] as number);
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
function clearHistogram(present: Int32Array, p: number, K: number, hist: Int32Array, binCount: Int32Array, binN: Int32Array, lastClass: Int32Array): void {
  for (let q = 0; q < p; q++) {
    const b = present[q] as number;
    if (binN[b] === 1) hist[b * K + (lastClass[b] as number)] = 0;
    else for (let k = b * K; k < b * K + K; k++) hist[k] = 0;
    binCount[b] = 0;
    binN[b] = 0;
  }
}

/**
 * {@link fillHistogram} for a small node whose n rows were copied into `local` (row-major). Kept a
 * separate copy of the loop on purpose: one function over both layouts would be polymorphic in its
 * hottest line and V8 would not optimise it as well.
 */
function fillHistogramRows(
  local: Uint8Array | Uint16Array | Uint32Array,
  f: number,
  cols: number,
  n: number,
  yLocal: Int32Array,
  wLocal: Int32Array,
  K: number,
  hist: Int32Array,
  binCount: Int32Array,
  binN: Int32Array,
  lastClass: Int32Array,
  present: Int32Array,
): number {
  let p = 0;
  for (let i = 0; i < n; i++) {
    const b = local[i * cols + f] as number;
    const k = yLocal[i] as number;
    const w = wLocal[i] as number;
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
