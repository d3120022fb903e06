import { describe, expect, it } from 'vitest';
import {
  aggregate,
  formatPairedTable,
  formatPaperTable,
  formatStudyTable,
  learningCurvesSvg,
  packPredictions,
  RECORD_SCHEMA,
  recordPairedTest,
  recordValues,
  stat,
  sweepSvg,
  weightCurvesSvg,
  type CellRecord,
} from '../../../src/study/index.js';

/** A record as a study writes it, with the fields a report reads set by the test. */
function record(r: Partial<CellRecord> & Pick<CellRecord, 'signal' | 'model' | 'seed' | 'accuracy'> & { dither?: boolean }): CellRecord {
  const { dither, ...rest } = r;
  return {
    schema: RECORD_SCHEMA,
    key: `${r.model}/${r.signal}/${String(r.seed)}/${JSON.stringify(r.options ?? {})}/${JSON.stringify(r.params ?? {})}/${String(dither ?? false)}`,
    dataset: 'toy',
    data: {
      name: 'toy',
      preparation: {},
      dither: dither === true ? { levels: 255, seed: 0 } : null,
      train: { n: 10, sha256: 'a' },
      test: { n: 5, sha256: 'b' },
    },
    options: {},
    params: { seed: r.seed },
    threads: 1,
    shuffledAccuracy: r.signal === 'clean' ? null : 0.1,
    nTrain: 10,
    nTest: 5,
    fitSeconds: 1,
    backend: 'js',
    version: 'test',
    finishedAt: '2026-11-29T00:00:00Z',
    host: 'h',
    ...rest,
  };
}

describe('aggregation over seeds', () => {
  it('groups cells that differ only by seed: mean, sample sd and n', () => {
    const rs = [0, 1, 2].map((seed, i) =>
      record({ signal: 'onePixel', model: 'decisionTree', seed, accuracy: [0.9, 0.8, 0.7][i] as number, options: { scale: 0.001, seed } }),
    );
    const [g] = aggregate(rs);
    expect(aggregate(rs)).toHaveLength(1);
    expect(g?.accuracy.n).toBe(3);
    expect(g?.accuracy.mean).toBeCloseTo(0.8, 12);
    expect(g?.accuracy.sd).toBeCloseTo(0.1, 12);
    expect(stat([1])).toEqual({ mean: 1, sd: 0, min: 1, max: 1, n: 1 });
    expect(formatStudyTable(rs)).toMatch(/\| onePixel \| 80\.0% ±10\.0 n=3 \(10\.0%\) \|/);
  });

  it('keeps apart what differs by more than the seed: swept options as rows, params and dither as columns', () => {
    const rs = [
      record({
        signal: 'orthogonalNoise',
        model: 'resnet',
        seed: 0,
        accuracy: 0.5,
        options: { scale: 0.001, seed: 0 },
        params: { schedule: 'step', seed: 0 },
      }),
      record({
        signal: 'orthogonalNoise',
        model: 'resnet',
        seed: 0,
        accuracy: 0.9,
        options: { scale: 0.01, seed: 0 },
        params: { schedule: 'step', seed: 0 },
      }),
      record({
        signal: 'orthogonalNoise',
        model: 'resnet',
        seed: 0,
        accuracy: 0.95,
        options: { scale: 0.001, seed: 0 },
        params: { schedule: 'onecycle', seed: 0 },
      }),
      record({
        signal: 'orthogonalNoise',
        model: 'decisionTree',
        seed: 0,
        accuracy: 0.3,
        options: { scale: 0.001, seed: 0 },
        dither: true,
      }),
      record({ signal: 'orthogonalNoise', model: 'decisionTree', seed: 0, accuracy: 1, options: { scale: 0.001, seed: 0 } }),
    ];
    const groups = aggregate(rs);
    expect(groups.map((g) => `${g.row} | ${g.column}`).sort()).toEqual([
      'orthogonalNoise (scale 0.001) | decisionTree',
      'orthogonalNoise (scale 0.001) | decisionTree (dither on)',
      'orthogonalNoise (scale 0.001) | resnet (schedule onecycle)',
      'orthogonalNoise (scale 0.001) | resnet (schedule step)',
      'orthogonalNoise (scale 0.01) | resnet (schedule step)',
    ]);
    const paper = formatPaperTable(rs);
    // Both ResNets are ConvNets (the registry says so), the trees compete.
    expect(paper).toMatch(
      /\| orthogonalNoise \(scale 0\.001\) \| 50\.0% \(resnet \(schedule step\)\), 95\.0% \(resnet \(schedule onecycle\)\) \| 100\.0% \| decisionTree \|/,
    );
  });

  it('labels variants by the keys every one of them sets when those tell them apart', () => {
    const oneCycle = { schedule: 'onecycle', momentum: null, lrSteps: null, maxMomentum: 0.95, seed: 0 };
    const step = { schedule: 'step', momentum: 0.9, lrSteps: [0.5, 0.75], lrDecay: 0.1, seed: 0 };
    const rs = [
      record({ signal: 'clean', model: 'resnet', seed: 0, accuracy: 0.9, params: oneCycle }),
      record({ signal: 'clean', model: 'resnet', seed: 0, accuracy: 0.8, params: step }),
    ];
    expect(aggregate(rs).map((g) => g.column)).toEqual(['resnet (schedule onecycle)', 'resnet (schedule step)']);
    // Two step variants that differ only in their decay: the schedule alone would merge them.
    const slower = { ...step, lrDecay: 0.5 };
    const three = [...rs, record({ signal: 'clean', model: 'resnet', seed: 0, accuracy: 0.7, params: slower })];
    expect(aggregate(three).map((g) => g.column)).toEqual([
      'resnet (lrSteps null, maxMomentum 0.95, momentum null, schedule onecycle)',
      'resnet (lrDecay 0.1, lrSteps [0.5,0.75], momentum 0.9, schedule step)',
      'resnet (lrDecay 0.5, lrSteps [0.5,0.75], momentum 0.9, schedule step)',
    ]);
  });

  it('reports the last epoch or the peak one, and says which', () => {
    const curve = [
      { epoch: 1, accuracy: 0.6, shuffledAccuracy: 0.5 },
      { epoch: 2, accuracy: 0.9, shuffledAccuracy: 0.2 },
      { epoch: 3, accuracy: 0.8, shuffledAccuracy: 0.3 },
    ];
    const r = record({ signal: 'onePixel', model: 'resnet', seed: 0, accuracy: 0.8, shuffledAccuracy: 0.3, curve });
    expect(recordValues(r, 'last')).toEqual({ accuracy: 0.8, shuffledAccuracy: 0.3 });
    expect(recordValues(r, 'peak')).toEqual({ accuracy: 0.9, shuffledAccuracy: 0.2 });
    expect(formatStudyTable([r], { epoch: 'peak' })).toMatch(/90\.0% \(20\.0%\)[\s\S]*the epoch of highest test accuracy/);
    expect(formatStudyTable([r])).toMatch(/80\.0% \(30\.0%\)[\s\S]*the last epoch/);
  });
});

describe('plots', () => {
  const curve = (base: number) => [1, 2, 3].map((epoch) => ({ epoch, accuracy: base + epoch / 100, shuffledAccuracy: base - epoch / 10 }));
  const rs = [0, 1].flatMap((seed) => [
    record({ signal: 'clean', model: 'resnet', seed, accuracy: 0.8, curve: curve(0.7).map((p) => ({ ...p, shuffledAccuracy: null })) }),
    record({ signal: 'meanShift', model: 'resnet', seed, accuracy: 0.9, curve: curve(0.8 + seed / 100) }),
    ...[1e-3, 1e-2, 1e-1].map((scale, i) =>
      record({ signal: 'orthogonalNoise', model: 'decisionTree', seed, accuracy: 0.5 + i / 5, options: { scale, seed } }),
    ),
    record({ signal: 'clean', model: 'decisionTree', seed, accuracy: 0.5 }),
  ]);

  it('draws a learning-curve plot per signal with the shuffled signal and the clean reference', () => {
    const plots = learningCurvesSvg(rs);
    expect(plots.map((p) => p.row)).toEqual(['meanShift']);
    const svg = plots[0]?.svg ?? '';
    expect(svg).toMatch(/^<svg xmlns/);
    expect(svg).toContain('>resnet</text>');
    expect(svg).toContain("with a shuffled label's signal");
    expect(svg).toContain('clean (no signal)');
    // Three points per line, and a ±1 sd band over the two seeds.
    expect(svg.match(/<polyline/g)).toHaveLength(3);
    expect(svg).toContain('<polygon');
    // Each legend entry is drawn in its line's style: solid, dashed (shuffled), dotted (clean).
    const dashOf = (tag: string): string => / stroke-dasharray="([^"]+)"/.exec(tag)?.[1] ?? 'solid';
    const lines = (svg.match(/<polyline [^>]*>/g) ?? []).map(dashOf);
    const legend = (svg.match(/<line [^>]*>/g) ?? []).map(dashOf).slice(-3);
    expect(new Set(lines).size).toBe(3);
    expect(legend).toEqual(lines);
  });

  it('draws accuracy against a swept option, on a log axis when it spans decades', () => {
    const plots = sweepSvg(rs);
    expect(plots.map((p) => `${p.signal}/${p.option}`)).toEqual(['orthogonalNoise/scale']);
    const svg = plots[0]?.svg ?? '';
    for (const tick of ['0.001', '0.01', '0.1']) expect(svg).toContain(`>${tick}<`);
    expect(svg).toContain('>decisionTree</text>');
    expect(svg).toContain('clean (no signal)');
  });

  it('fits the legend of many models inside the picture, one entry per model', () => {
    const models = ['m0', 'm1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7', 'm8', 'm9', 'm10', 'm11'];
    const many = models.flatMap((model) => [
      record({ signal: 'clean', model, seed: 0, accuracy: 0.8 }),
      ...[1e-3, 1e-2].map((scale) =>
        record({ signal: 'orthogonalNoise', model, seed: 0, accuracy: 0.9, shuffledAccuracy: 0.1, options: { scale, seed: 0 } }),
      ),
    ]);
    const svg = sweepSvg(many)[0]?.svg ?? '';
    const height = Number(/<svg [^>]*height="(\d+)"/.exec(svg)?.[1]);
    const ys = [...svg.matchAll(/<text x="\d+" y="(\d+)" font-size="12">/g)].map((m) => Number(m[1]));
    expect(ys.length).toBe(models.length + 3);
    expect(Math.max(...ys)).toBeLessThan(height);
    for (const m of models) expect(svg.split(`>${m}</text>`)).toHaveLength(2);
  });
});

describe('paired statistics in the reports', () => {
  // 200 test images, 10 classes; predictions right on the images listed.
  const n = 200;
  const labels = Int32Array.from({ length: n }, (_, i) => i % 10);
  const rightOn = (count: number): Int32Array => labels.map((y, i) => (i < count ? y : (y + 1) % 10));
  const withPredictions = (seed: number, init: string, right: number, shuffledRight: number): CellRecord => {
    const signal = rightOn(right);
    const shuffled = rightOn(shuffledRight);
    const r = record({
      signal: 'orthogonalNoise',
      model: 'resnet',
      seed,
      accuracy: right / n,
      shuffledAccuracy: shuffledRight / n,
      params: { seed, init },
      predictions: packPredictions(10, labels, signal, shuffled),
    });
    return r;
  };

  it('gives each cell its intervals, the McNemar test and the verdict by the written rule, and k of n seeds', () => {
    const rs = [
      withPredictions(0, 'torch', 190, 120), // 70 images lost to the shuffle: reads
      withPredictions(1, 'torch', 190, 190), // nothing: ignores
      withPredictions(0, 'he', 180, 175), // 5 images: not significant (p = 0.0625): ignores
    ];
    const table = formatPairedTable(rs);
    const rows = table.split('\n');
    const row = (seed: string, column: string): string => rows.find((l) => l.includes(`| ${column} | ${seed} |`)) ?? '';
    expect(row('0', 'resnet (init torch)')).toMatch(
      /\| 95\.0% \[[\d.]+, [\d.]+\] \| 60\.0% \[[\d.]+, [\d.]+\] \| 35\.00 \| 70 \/ 0 \| .* \| reads \|$/,
    );
    expect(row('1', 'resnet (init torch)')).toMatch(/\| 0\.00 \| 0 \/ 0 \| 1 \| .* \| ignores \|$/);
    expect(row('0', 'resnet (init he)')).toMatch(/\| 5 \/ 0 \| 0\.063 \| .* \| ignores \|$/);
    expect(row('n=2', 'resnet (init torch)')).toMatch(/\*\*reads in 1 of 2 seeds\*\*/);
    expect(table).toContain('p < 0.001');
    // The Markdown table marks the verdict beside the accuracies.
    expect(formatStudyTable(rs)).toMatch(/\| orthogonalNoise \| 95\.0% ±0\.0 n=2 \(77\.5%\) reads 1\/2 \| 90\.0% \(87\.5%\) ignores \|/);
    // Records without predictions: no verdict, and the paired table says it has nothing.
    const plain = rs.map(({ predictions: _p, ...r }) => r as CellRecord);
    expect(formatStudyTable(plain)).not.toMatch(/reads|ignores/);
    expect(formatPairedTable(plain)).toContain('no cell kept per-image predictions');
  });

  it("a planted dependence is read, none where the shuffled predictions equal the signal's", () => {
    const planted = recordPairedTest(withPredictions(0, 'torch', 200, 100));
    expect(planted?.verdict).toBe('reads');
    expect(planted?.mcnemar.pValue).toBeLessThan(1e-20);
    const none = recordPairedTest(withPredictions(0, 'torch', 150, 150));
    expect(none?.verdict).toBe('ignores');
    expect(none?.mcnemar.pValue).toBe(1);
  });
});

describe('plots of the recipe', () => {
  const curve = (scale: number) =>
    [1, 2, 3].map((epoch) => ({
      epoch,
      accuracy: 0.5 + 0.1 * epoch,
      shuffledAccuracy: 0.4,
      firstKernelNorm: scale * (1 + epoch / 10),
      meanKernelNorm: scale * 2,
      learningRate: 0.1,
      effectiveLr: 0.1 / scale ** 2,
      meanEffectiveLr: 0.05 / scale ** 2,
    }));

  it('draws the kernel norms and the effective learning rate per epoch for each model variant', () => {
    const rs = [
      record({ signal: 'orthogonalNoise', model: 'resnet', seed: 0, accuracy: 0.8, params: { seed: 0, init: 'he' }, curve: curve(10) }),
      record({ signal: 'orthogonalNoise', model: 'resnet', seed: 0, accuracy: 0.9, params: { seed: 0, init: 'torch' }, curve: curve(4) }),
    ];
    const plots = weightCurvesSvg(rs);
    expect(plots.map((p) => p.figure)).toEqual(['norms', 'effectiveLr']);
    const lr = plots[1]?.svg ?? '';
    expect(lr).toContain('resnet (init he)');
    expect(lr).toContain('resnet (init torch)');
    expect(lr).toContain('mean over kernels');
    // A log axis: decades as ticks (0.001 = 0.1 / 10², 0.1 / 4² = 0.00625).
    expect(lr).toMatch(/>0\.001</);
    expect(lr).toMatch(/>0\.01</);
    // Curves without weights (older records, classical models): no plot.
    expect(
      weightCurvesSvg(
        rs.map((r) => ({
          ...r,
          curve: (r.curve ?? []).map((p) => ({ epoch: p.epoch, accuracy: p.accuracy, shuffledAccuracy: p.shuffledAccuracy })),
        })),
      ),
    ).toEqual([]);
  });

  it('puts a swept model option on the x axis: words as categories, numbers on a (log) axis', () => {
    const rs = [
      ...['he', 'torch'].flatMap((init, i) => [
        record({ signal: 'orthogonalNoise', model: 'resnet', seed: 0, accuracy: 0.9 + i * 0.05, params: { seed: 0, init, initScale: 1 } }),
        record({ signal: 'clean', model: 'resnet', seed: 0, accuracy: 0.9, params: { seed: 0, init, initScale: 1 } }),
      ]),
      record({ signal: 'orthogonalNoise', model: 'resnet', seed: 0, accuracy: 0.7, params: { seed: 0, init: 'he', initScale: 100 } }),
    ];
    const plots = sweepSvg(rs);
    const byInit = plots.find((p) => p.option === 'resnet.init');
    expect(byInit?.signal).toBe('orthogonalNoise');
    expect(byInit?.svg).toMatch(/>he</);
    expect(byInit?.svg).toMatch(/>torch</);
    const byScale = plots.find((p) => p.option === 'resnet.initScale');
    expect(byScale?.svg).toMatch(/>100</);
    expect(byScale?.svg).toContain('resnet (init he)');
  });
});
