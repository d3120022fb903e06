/**
 * The small study both tiers of runStudy's tests run (runStudy.test.ts and
 * runStudy.integration.test.ts): Fashion-MNIST, 30 per class, two signals and two fast models.
 */
import { loadFashionMnist, splitDataset } from '../../../src/data/index.js';
import type { CellRecord, StudyConfig } from '../../../src/study/index.js';

const fashion = loadFashionMnist({ perClass: 30, as: 'array' });
const { train, test } = splitDataset(fashion, 1 / 3, 0);

/** The study's config, without a results file. */
export const base: StudyConfig = {
  dataset: 'fashion-mnist/30',
  train,
  test,
  signals: ['onePixel', 'meanShift'],
  models: ['decisionTree', 'gaussianNB'],
};

/** Records without the fields that differ run to run (fit time, finish time). */
export const stable = (rs: readonly CellRecord[]) => rs.map(({ fitSeconds: _t, finishedAt: _f, ...rest }) => rest);
