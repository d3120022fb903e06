/**
 * Badly scaled tabular data, generated from a seed: Gaussian classes whose features are then
 * multiplied by scales spread log-uniformly over several decades (one feature near 1e-2, another in
 * the thousands) and shifted by offsets of a few scales, in random order. The same arrays feed the
 * tests (test/models/badlyScaled.test.ts) and scikit-learn (scripts/badly-scaled-sklearn.ts writes
 * them as NPY for scripts/badly_scaled_sklearn.py).
 */
import { createRandom, randomNormal } from '../../src/random.js';
import type { FeatureMatrix } from '../../src/types.js';

/** The shape of one generated problem. */
export interface BadlyScaledSpec {
  readonly seed: string;
  readonly classes: number;
  readonly features: number;
  /** Training rows per class. */
  readonly perClass: number;
  /** Test rows per class. */
  readonly testPerClass: number;
  /** Smallest and largest feature scale (standard deviation of a unit-variance feature after scaling). */
  readonly scales: readonly [number, number];
  /** Distance between class means, in units of the standardised features' standard deviation. */
  readonly separation: number;
  /**
   * Near-duplicates of the largest-scale features, appended as the last columns: copy i is feature
   * i's value plus `noise` x its scale x (a standard normal + the class index x `shift`) — a
   * direction of tiny variance that carries class information (a total beside its parts, say).
   */
  readonly duplicates?: { readonly count: number; readonly noise: number; readonly shift: number };
}

/** A generated problem: train and test rows, class of row i = i % classes. */
export interface BadlyScaledData {
  readonly x: FeatureMatrix;
  readonly y: Int32Array;
  readonly xTest: FeatureMatrix;
  readonly yTest: Int32Array;
  /** The scale of each feature. */
  readonly scale: Float64Array;
}

/**
 * The problems the tests compare with scikit-learn. `issue13` is the shape of issue #13's report
 * (30 features, two classes, scales 1e-2 to 1e3); `multiclass` has more classes and features over
 * more decades (1e-3 to 1e4).
 */
export const BADLY_SCALED: Readonly<Record<'issue13' | 'multiclass' | 'duplicates', BadlyScaledSpec>> = {
  issue13: {
    seed: 'badly-scaled-issue13',
    classes: 2,
    features: 30,
    perClass: 300,
    testPerClass: 1000,
    scales: [1e-2, 1e3],
    separation: 0.7,
  },
  multiclass: {
    seed: 'badly-scaled-multiclass',
    classes: 4,
    features: 40,
    perClass: 250,
    testPerClass: 500,
    scales: [1e-3, 1e4],
    separation: 0.9,
  },
  duplicates: {
    seed: 'badly-scaled-duplicates',
    classes: 3,
    features: 16,
    perClass: 400,
    testPerClass: 700,
    scales: [1e-2, 1e3],
    separation: 0.5,
    duplicates: { count: 2, noise: 1e-4, shift: 1 },
  },
};

/**
 * Generates a problem. Class k: standardised features `mu_k + L_k z` (z standard normal, `mu_k`
 * random with norm `separation`, `L_k` lower triangular: the identity plus random correlations
 * and per-class variance factors, so the classes' covariances differ), then feature j is
 * `offset_j + scale_j * value` with scales log-uniform between `spec.scales` in random order and
 * offsets `scale_j * U(-5, 5)`. Stored as float32, as every FeatureMatrix.
 *
 * @example
 * ```ts
 * const { x, y, xTest, yTest } = badlyScaled(BADLY_SCALED.issue13);
 * ```
 */
export function badlyScaled(spec: BadlyScaledSpec): BadlyScaledData {
  const random = createRandom(spec.seed);
  const { classes: K, features: d } = spec;
  const [lo, hi] = spec.scales;
  const order = Array.from({ length: d }, (_, j) => j);
  for (let j = d - 1; j > 0; j--) {
    const i = Math.floor(random() * (j + 1));
    [order[i], order[j]] = [order[j] as number, order[i] as number];
  }
  const scale = Float64Array.from(order, (o) => lo * (hi / lo) ** (o / (d - 1)));
  const offset = Float64Array.from(scale, (s) => s * (random() * 10 - 5));
  const means: Float64Array[] = [];
  const factors: Float64Array[] = [];
  for (let k = 0; k < K; k++) {
    const mu = Float64Array.from({ length: d }, () => randomNormal(random));
    const norm = Math.hypot(...mu);
    means.push(mu.map((v) => (v * spec.separation) / norm));
    // L (d x d, row-major, lower triangular): diagonal exp(N(0, 0.4^2)), below it N(0, 0.3^2 / d).
    const L = new Float64Array(d * d);
    for (let a = 0; a < d; a++) {
      for (let b = 0; b < a; b++) L[a * d + b] = (randomNormal(random) * 0.3) / Math.sqrt(d);
      L[a * d + a] = Math.exp(0.4 * randomNormal(random));
    }
    factors.push(L);
  }
  const dup = spec.duplicates ?? { count: 0, noise: 0, shift: 0 };
  // The features copied, largest scale first.
  const copied = Array.from({ length: d }, (_, j) => j)
    .sort((a, b) => (scale[b] as number) - (scale[a] as number))
    .slice(0, dup.count);
  const cols = d + dup.count;
  const draw = (perClass: number): { x: FeatureMatrix; y: Int32Array } => {
    const rows = perClass * K;
    const data = new Float32Array(rows * cols);
    const y = new Int32Array(rows);
    const z = new Float64Array(d);
    const v = new Float64Array(d);
    for (let i = 0; i < rows; i++) {
      const k = i % K;
      y[i] = k;
      for (let a = 0; a < d; a++) z[a] = randomNormal(random);
      const mu = means[k] as Float64Array;
      const L = factors[k] as Float64Array;
      for (let a = 0; a < d; a++) {
        let s = mu[a] as number;
        for (let b = 0; b <= a; b++) s += (L[a * d + b] as number) * (z[b] as number);
        v[a] = s;
        data[i * cols + a] = (offset[a] as number) + (scale[a] as number) * s;
      }
      copied.forEach((a, c) => {
        const s = (v[a] as number) + dup.noise * (randomNormal(random) + k * dup.shift);
        data[i * cols + d + c] = (offset[a] as number) + (scale[a] as number) * s;
      });
    }
    return { x: { data, rows, cols }, y };
  };
  const train = draw(spec.perClass);
  const test = draw(spec.testPerClass);
  return { x: train.x, y: train.y, xTest: test.x, yTest: test.y, scale };
}

/**
 * A checksum of the generated arrays (the float64 sum of all values times a position weight), so
 * that a test can tell that it still generates the data scikit-learn's numbers were computed on.
 *
 * @example
 * ```ts
 * checksum(badlyScaled(BADLY_SCALED.issue13)); // compare with scripts/badly_scaled_sklearn.py's
 * ```
 */
export function checksum(data: BadlyScaledData): number {
  let s = 0;
  for (const m of [data.x, data.xTest]) for (let i = 0; i < m.data.length; i++) s += (m.data[i] as number) * (1 + (i % 7));
  for (const y of [data.y, data.yTest]) for (let i = 0; i < y.length; i++) s += (y[i] as number) * (1 + (i % 5));
  return s;
}
