/**
 * scikit-learn's accuracies and probabilities on the badly scaled problems of
 * test/models/badlyScaled.ts, beside this library's on the same arrays: writes each problem as NPY
 * under bench/out/badly-scaled/<name>/, runs scripts/badly_scaled_sklearn.py with /usr/bin/python3
 * (Debian's python3-sklearn), fits the library's models, and prints a table and the JSON that
 * test/models/badlyScaled.test.ts quotes.
 *
 *   npx tsx scripts/badly-scaled-sklearn.ts [--cases issue13,multiclass,duplicates] [--models qda,lda,...] [--json]
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { writeNpy } from '../src/data/index.js';
import {
  DecisionTree,
  ExtraTrees,
  GaussianNB,
  LinearDiscriminantAnalysis,
  LogisticRegression,
  QuadraticDiscriminantAnalysis,
  RandomForest,
  type Model,
} from '../src/models/index.js';
import { BADLY_SCALED, badlyScaled, checksum } from '../test/models/badlyScaled.js';
import { benchArgs } from '../bench/args.js';

/**
 * The library's models, each with the scikit-learn estimator of badly_scaled_sklearn.py it is
 * compared with (scikit-learn's key when the name differs: a smaller `tol` is the same model).
 */
const ours: Record<string, { make: () => Model<'features'>; peer?: string }> = {
  decisionTree: { make: () => new DecisionTree({ seed: 0 }) },
  randomForest: { make: () => new RandomForest({ nEstimators: 100, seed: 0 }) },
  extraTrees: { make: () => new ExtraTrees({ nEstimators: 100, seed: 0 }) },
  gaussianNB: { make: () => new GaussianNB() },
  logisticRegression: { make: () => new LogisticRegression() },
  logisticRegressionConverged: { make: () => new LogisticRegression({ maxIter: 100000, tol: 1e-10 }) },
  lda: { make: () => new LinearDiscriminantAnalysis() },
  ldaTol12: { make: () => new LinearDiscriminantAnalysis({ tol: 1e-12 }), peer: 'lda' },
  ldaShrink03: { make: () => new LinearDiscriminantAnalysis({ shrinkage: 0.3 }) },
  ldaAuto: { make: () => new LinearDiscriminantAnalysis({ shrinkage: 'auto' }) },
  qda: { make: () => new QuadraticDiscriminantAnalysis({ regParam: 0.1 }) },
  qda0: { make: () => new QuadraticDiscriminantAnalysis() },
  qda0Tol12: { make: () => new QuadraticDiscriminantAnalysis({ tol: 1e-12 }), peer: 'qda0' },
};

const args = benchArgs(
  'npx tsx scripts/badly-scaled-sklearn.ts [--cases issue13,multiclass,duplicates] [--models qda,lda,...] [--json]',
  {
    cases: Object.keys(BADLY_SCALED),
    models: [] as string[],
    json: false,
  },
  { choices: { cases: Object.keys(BADLY_SCALED), models: Object.keys(ours) } },
);
const cases = args.cases as (keyof typeof BADLY_SCALED)[];
// No --models: every model.
const only = args.models.length > 0 ? args.models : undefined;

const accuracy = (p: Int32Array, y: Int32Array): number => p.filter((v, i) => v === y[i]).length / p.length;

/** Mean negative log-likelihood of the true labels, probabilities clipped to [1e-15, 1 - 1e-15] (scikit-learn's log_loss). */
export function logLoss(proba: Float32Array, y: Int32Array, classes: number): number {
  let s = 0;
  for (let r = 0; r < y.length; r++) s -= Math.log(Math.min(1 - 1e-15, Math.max(1e-15, proba[r * classes + (y[r] as number)] as number)));
  return s / y.length;
}

const treeWithSeed = (name: string, seed: number): Model<'features'> =>
  name === 'decisionTree'
    ? new DecisionTree({ seed })
    : name === 'randomForest'
      ? new RandomForest({ nEstimators: 100, seed })
      : new ExtraTrees({ nEstimators: 100, seed });

const all: Record<string, unknown> = {};
for (const name of cases) {
  const spec = BADLY_SCALED[name];
  const data = badlyScaled(spec);
  const dir = `bench/out/badly-scaled/${name}`;
  mkdirSync(dir, { recursive: true });
  writeNpy(`${dir}/train_x.npy`, data.x.data, [data.x.rows, data.x.cols]);
  writeNpy(`${dir}/train_y.npy`, data.y, [data.y.length]);
  writeNpy(`${dir}/test_x.npy`, data.xTest.data, [data.xTest.rows, data.xTest.cols]);
  writeNpy(`${dir}/test_y.npy`, data.yTest, [data.yTest.length]);
  const sk = JSON.parse(execFileSync('/usr/bin/python3', ['scripts/badly_scaled_sklearn.py', dir], { encoding: 'utf8' }).trim()) as Record<
    string,
    unknown
  > & { checksum: number };
  all[name] = sk;
  console.log(
    `\n${name}: ${String(spec.features)} features, ${String(spec.classes)} classes, ${String(data.x.rows)} train / ${String(data.xTest.rows)} test rows, scales ${String(spec.scales[0])}..${String(spec.scales[1])}`,
  );
  console.log(`checksum ours ${String(checksum(data))}, scikit-learn ${String(sk.checksum)}`);
  console.log('| model | blindspots | scikit-learn | difference (points) | notes (blindspots / scikit-learn) |\n|---|---:|---:|---:|---|');
  for (const [model, { make, peer }] of Object.entries(ours)) {
    const ref = sk[peer ?? model] as { accuracy: number; logLoss: number; seedMean?: number; iterations?: number } | undefined;
    if (ref === undefined || (only !== undefined && !only.includes(model))) continue;
    const m = await make().fit(data.x, data.y);
    if (m.predictProba === undefined) throw new Error(`${model}: no predictProba`);
    const proba = await m.predictProba(data.xTest);
    const mine = accuracy(await m.predict(data.xTest), data.yTest);
    let note = `log-loss ${logLoss(proba.data, data.yTest, spec.classes).toFixed(4)} / ${ref.logLoss.toFixed(4)}`;
    if (m instanceof LogisticRegression) note += `, iterations ${String(m.iterations)} / ${String(ref.iterations)}`;
    if (ref.seedMean !== undefined) {
      // Tree models: the mean over seeds 0..15 (decision tree) or 0..3 (forests) here, 0..31 or 0..7 for scikit-learn.
      const seeds = model === 'decisionTree' ? 16 : 4;
      let sum = 0;
      for (let seed = 0; seed < seeds; seed++)
        sum += accuracy(await (await treeWithSeed(model, seed).fit(data.x, data.y)).predict(data.xTest), data.yTest);
      note += `, mean over seeds ${(sum / seeds).toFixed(4)} / ${ref.seedMean.toFixed(4)}`;
    }
    console.log(
      `| ${model}${peer === undefined ? '' : ` vs ${peer}`} | ${mine.toFixed(4)} | ${ref.accuracy.toFixed(4)} | ${((mine - ref.accuracy) * 100).toFixed(2)} | ${note} |`,
    );
  }
}
if (args.json) console.log(JSON.stringify(all));
