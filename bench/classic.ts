/**
 * Benchmark: the classical models on 12,500 x 3,072 pixel features (Fashion-MNIST padded to
 * 32x32x3; 2,500 test images) beside scikit-learn's same estimators on the same NPY files,
 * measured in the same run (/usr/bin/python3, Debian python3-sklearn). Writes its table into
 * docs/performance.md.
 *
 *   npm run bench:classic -- [--models decisionTree,randomForest,extraTrees,gaussianNB,logisticRegression,lda,ldaAuto,qda] [--trees 100] [--jobs 2] [--no-write]
 *
 * The table in docs/performance.md keeps the rows of the models a run did not measure.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { cpus } from 'node:os';
import { flatten, greyToRgb, loadFashionMnist, padTo, readNpy, splitDataset, subsample, writeNpy } from '../src/data/index.js';
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
import type { FeatureMatrix } from '../src/types.js';
import { readPerformanceSection, writePerformanceSection } from './docs.js';
import { benchArgs } from './args.js';

// Checked by benchArgs before any data is prepared: a misspelt name stops the run at once.
const MODEL_NAMES = ['decisionTree', 'randomForest', 'extraTrees', 'gaussianNB', 'logisticRegression', 'lda', 'ldaAuto', 'qda'];
const args = benchArgs(
  'npm run bench:classic -- [--models decisionTree,randomForest,extraTrees,gaussianNB,logisticRegression,lda,ldaAuto,qda] [--trees 100] [--jobs 2] [--no-write]',
  {
    models: ['decisionTree', 'randomForest', 'extraTrees', 'gaussianNB', 'logisticRegression', 'lda', 'qda'],
    trees: 100,
    jobs: 2,
    'no-write': false,
  },
  { choices: { models: MODEL_NAMES } },
);
const { models: names, trees, jobs } = args;
const dir = 'bench/out/classic';

if (!existsSync(`${dir}/test_y.npy`)) {
  const fm = loadFashionMnist({ as: 'array' });
  const rgb = { ...fm, images: greyToRgb(padTo(fm.images, 32, 32)) };
  const { train, test } = splitDataset(subsample(rgb, 15000, 0), 1 / 6, 0);
  mkdirSync(dir, { recursive: true });
  const x = flatten(train.images);
  const xt = flatten(test.images);
  writeNpy(`${dir}/train_x.npy`, x.data, [x.rows, x.cols]);
  writeNpy(`${dir}/train_y.npy`, train.labels, [train.labels.length]);
  writeNpy(`${dir}/test_x.npy`, xt.data, [xt.rows, xt.cols]);
  writeNpy(`${dir}/test_y.npy`, test.labels, [test.labels.length]);
}
const load = (name: string): FeatureMatrix => {
  const { data, shape } = readNpy(`${dir}/${name}.npy`);
  return { data: data as Float32Array, rows: shape[0] as number, cols: shape[1] as number };
};
const x = load('train_x');
const xt = load('test_x');
const y = readNpy(`${dir}/train_y.npy`).data as Int32Array;
const yt = readNpy(`${dir}/test_y.npy`).data as Int32Array;

const make: Record<string, () => Model<'features'>> = {
  decisionTree: () => new DecisionTree(),
  randomForest: () => new RandomForest({ nEstimators: trees, threads: jobs }),
  extraTrees: () => new ExtraTrees({ nEstimators: trees, threads: jobs }),
  gaussianNB: () => new GaussianNB(),
  logisticRegression: () => new LogisticRegression(),
  lda: () => new LinearDiscriminantAnalysis(),
  ldaAuto: () => new LinearDiscriminantAnalysis({ shrinkage: 'auto' }),
  qda: () => new QuadraticDiscriminantAnalysis({ regParam: 0.1 }),
};
/**
 * The scikit-learn estimators (keys of classic_sklearn.py) each model is compared with, and the
 * row label: our LDA is the lsqr solver, and scikit-learn's default LDA (svd) gets a row of its own.
 */
const peers = (name: string): { key: string; label: string }[] =>
  name === 'lda'
    ? [
        { key: 'lda', label: 'lda' },
        { key: 'ldaSvd', label: "lda vs scikit-learn's default (svd)" },
      ]
    : [{ key: name, label: name }];
console.log(
  `classical models on ${String(x.rows)} x ${String(x.cols)} (test ${String(xt.rows)}); forests: ${String(trees)} trees; scikit-learn n_jobs=${String(jobs)}`,
);
const ours: Record<string, { fit_s: number; accuracy: number }> = {};
for (const name of names) {
  const factory = make[name];
  if (factory === undefined) throw new Error(`no factory for ${name}: add it to make`);
  const model = factory();
  const t = performance.now();
  await model.fit(x, y);
  const fitS = (performance.now() - t) / 1000;
  const p = await model.predict(xt);
  ours[name] = { fit_s: fitS, accuracy: p.filter((v, i) => v === yt[i]).length / p.length };
  console.log(`  blindspots ${name}: ${fitS.toFixed(2)} s, accuracy ${(ours[name]?.accuracy ?? 0).toFixed(4)}`);
}
const skNames = names.flatMap((name) => peers(name).map((p) => p.key));
const sk = JSON.parse(
  execFileSync('/usr/bin/python3', ['bench/classic_sklearn.py', dir, skNames.join(','), String(trees), String(jobs)], {
    encoding: 'utf8',
  }).trim(),
) as Record<string, { fit_s: number; accuracy: number }>;
const version = execFileSync('/usr/bin/python3', ['-c', 'import sklearn; print(sklearn.__version__)'], { encoding: 'utf8' }).trim();
const header = [
  '| model | blindspots fit (s) | scikit-learn fit (s) | ratio | blindspots accuracy | scikit-learn accuracy |',
  '|---|---:|---:|---:|---:|---:|',
];
const measured = new Map<string, string>();
for (const name of names) {
  const a = ours[name];
  for (const { key, label } of peers(name)) {
    const b = sk[key];
    if (a === undefined || b === undefined) continue;
    measured.set(
      label,
      `| ${label} | ${a.fit_s.toFixed(2)} | ${b.fit_s.toFixed(2)} | ${(a.fit_s / b.fit_s).toFixed(2)} | ${a.accuracy.toFixed(4)} | ${b.accuracy.toFixed(4)} |`,
    );
  }
}
console.log(`\n${[...header, ...measured.values()].join('\n')}`);
// The rows of models this run did not measure stay as they were.
const kept = (readPerformanceSection('classic') ?? '').split('\n').filter((line) => line.startsWith('| ') && !line.startsWith('| model |'));
const rows = kept.map((line) => measured.get(line.split(' | ')[0]?.slice(2) ?? '') ?? line);
for (const line of measured.values()) if (!rows.includes(line)) rows.push(line);
const table = [...header, ...rows].join('\n');
if (!args['no-write']) {
  const body = [
    `Measured ${new Date().toISOString().slice(0, 10)} with \`npm run bench:classic\` on ${String(cpus().length)} cores, Node ${process.version}, scikit-learn ${version}: fit on ${String(x.rows)} x ${String(x.cols)} Fashion-MNIST pixel features (padded to 32x32x3), accuracy on ${String(xt.rows)} held-out images; forests ${String(trees)} trees, scikit-learn with n_jobs=${String(jobs)}, blindspots forests with threads=${String(jobs)} (worker threads); the other models single-threaded in blindspots (scikit-learn's BLAS may use both cores). scikit-learn peers: the same estimator with the same options; LDA is \`LinearDiscriminantAnalysis(solver='lsqr')\` (and, in its own row, the default \`solver='svd'\`), ldaAuto adds \`shrinkage='auto'\`, QDA is \`QuadraticDiscriminantAnalysis(reg_param=0.1)\`. A run rewrites the rows of the models it measured and keeps the others.`,
    '',
    table,
  ].join('\n');
  console.log(`written to ${writePerformanceSection('classic', body, 'Classical models vs scikit-learn')}`);
}
