// The `init` and `initScale` options of the tfjs models, tested against PyTorch 1.13's own initial
// weights: test/fixtures/torch-init-stats.json holds, per parameter tensor of bench/convnet_torch.py's
// ResNet-20 (under each init), its CharCNN, an nn.Linear(784, 10) and ShallowMaxNN's
// nn.Conv2d(1, 64, 3) + nn.Linear(64, 10), the std, mean, max |w| and kurtosis pooled over 20 torch
// seeds (scripts/init_stats.py; its "generatedBy" field is the command). Each library network is
// built (not trained) for the same shapes over a few seeds and compared tensor by tensor, in the
// same order, with the fixture and with the formula of TrainOptions.init: the std within 4
// standard errors, max |w| within the uniform bound, the kurtosis E[w^4]/E[w^2]^2 (1.8 uniform,
// 3 normal) within 4 of its standard errors.
import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CharCNN, Perceptron, ResNet, ShallowMaxNN, useFastestBackend } from '../../src/models/index.js';
import { disposeParams, type Params } from '../../src/models/tfjs/layers.js';
import { INIT_SCHEMES, type InitScheme } from '../../src/models/tfjs/trainOptions.js';
import { BlindspotsError } from '../../src/errors.js';
import { assertTypedError, thrownBy } from '../conformance/typedError.js';

/** One tensor of the fixture: PyTorch's shape, and its statistics over every seed. */
interface Row {
  readonly name: string;
  readonly shape: number[];
  readonly fanIn: number;
  readonly n: number;
  readonly mean: number;
  readonly std: number;
  readonly maxAbs: number;
  readonly kurtosis: number | null;
  readonly kurtosisSe: number | null;
}
interface Fixture {
  readonly generatedBy: string;
  readonly torchVersion: string;
  readonly seeds: number;
  readonly networks: Readonly<Record<string, readonly Row[]>>;
}
const fixture = JSON.parse(readFileSync(new URL('../fixtures/torch-init-stats.json', import.meta.url), 'utf8')) as Fixture;
const rowsOf = (key: string): readonly Row[] => {
  const rows = fixture.networks[key];
  if (rows === undefined) throw new Error(`the fixture has no network ${key}`);
  return rows;
};

/** Pooled statistics of a tensor over seeds (moments about 0, as scripts/init_stats.py). */
interface Stats {
  readonly n: number;
  readonly mean: number;
  readonly std: number;
  readonly maxAbs: number;
  readonly kurtosis: number | null;
  /** The kurtosis' standard error by the delta method, from the moments up to the 8th. */
  readonly kurtosisSe: number | null;
}

class Moments {
  n = 0;
  private s = [0, 0, 0, 0, 0]; // w, w^2, w^4, w^6, w^8
  maxAbs = 0;
  add(data: Float32Array): void {
    let [s1, s2, s4, s6, s8] = this.s as [number, number, number, number, number];
    let mx = this.maxAbs;
    for (const w of data) {
      const w2 = w * w;
      const w4 = w2 * w2;
      s1 += w;
      s2 += w2;
      s4 += w4;
      s6 += w4 * w2;
      s8 += w4 * w4;
      if (Math.abs(w) > mx) mx = Math.abs(w);
    }
    this.s = [s1, s2, s4, s6, s8];
    this.maxAbs = mx;
    this.n += data.length;
  }
  stats(): Stats {
    const [m1, m2, m4, m6, m8] = this.s.map((v) => v / this.n) as [number, number, number, number, number];
    const std = Math.sqrt(Math.max(m2 - m1 * m1, 0));
    if (m2 === 0) return { n: this.n, mean: m1, std, maxAbs: this.maxAbs, kurtosis: null, kurtosisSe: null };
    const g2 = (-2 * m4) / m2 ** 3;
    const g4 = 1 / m2 ** 2;
    const variance = g2 * g2 * (m4 - m2 * m2) + 2 * g2 * g4 * (m6 - m2 * m4) + g4 * g4 * (m8 - m4 * m4);
    return { n: this.n, mean: m1, std, maxAbs: this.maxAbs, kurtosis: m4 / m2 ** 2, kurtosisSe: Math.sqrt(Math.max(variance, 0) / this.n) };
  }
}

/** The fewest values whose kurtosis is compared. */
const MIN_KURTOSIS_N = 100;

/** The standard error of a sample std: std sqrt((kurtosis - 1) / 4n). */
const stdSe = (std: number, kurtosis: number, n: number): number => std * Math.sqrt(Math.max(kurtosis - 1, 0) / (4 * n));

/** What a tensor should be: a distribution with a std (uniform: in +-bound), or a constant. */
type Expected =
  | { readonly kind: 'uniform'; readonly bound: number }
  | { readonly kind: 'normal'; readonly std: number }
  | { readonly kind: 'constant'; readonly value: number };

const uniform = (bound: number): Expected => ({ kind: 'uniform', bound });
const normal = (std: number): Expected => ({ kind: 'normal', std });
/** PyTorch's default for Linear, Conv1d and Conv2d weights and biases. */
const torchDefault = (fanIn: number): Expected => uniform(1 / Math.sqrt(fanIn));

/** The library's kernel under `init` (TrainOptions.init); `zhang` is the char-CNN's std. */
function kernelLaw(init: InitScheme, fanIn: number, zhang = 0.05): Expected {
  switch (init) {
    case 'he':
      return normal(Math.sqrt(2 / fanIn));
    case 'he-uniform':
      return uniform(Math.sqrt(6 / fanIn));
    case 'torch':
      return torchDefault(fanIn);
    case 'torch-normal':
      return normal(1 / Math.sqrt(3 * fanIn));
    case 'zhang':
      return normal(zhang);
  }
}

/**
 * Why `ours` is not a draw of `ref` (another sample's statistics, or a law): nothing when it is.
 * The std within 4 standard errors of the difference, the kurtosis within 4 of its standard
 * errors (PyTorch's sample's from the fixture; a law's own 0), the mean within 4 standard errors
 * of 0; under a uniform law max |w| within the bound and near it.
 */
function mismatches(ours: Stats, ref: Row | Expected): string[] {
  const out: string[] = [];
  if ('kind' in ref && ref.kind === 'constant') {
    if (!(ours.std === 0 && ours.mean === ref.value)) out.push(`expected all ${String(ref.value)}, got mean ${ours.mean} std ${ours.std}`);
    return out;
  }
  if ('name' in ref && ref.std === 0) {
    if (!(ours.std === 0 && ours.mean === ref.mean))
      out.push(`expected PyTorch's constant ${ref.mean}, got mean ${ours.mean} std ${ours.std}`);
    return out;
  }
  if (ours.kurtosis === null || ours.kurtosisSe === null) return [`expected a draw, got all zeros`];
  const refStd = 'name' in ref ? ref.std : ref.kind === 'uniform' ? ref.bound / Math.sqrt(3) : ref.std;
  const refKurtosis = 'name' in ref ? (ref.kurtosis ?? 0) : ref.kind === 'uniform' ? 1.8 : 3;
  const refN = 'name' in ref ? ref.n : Infinity;
  // The larger kurtosis for both samples: a wrong shape is the kurtosis' to report, not the std's.
  const kurtosis = Math.max(ours.kurtosis, refKurtosis);
  const stdTolerance = 4 * Math.hypot(stdSe(ours.std, kurtosis, ours.n), stdSe(refStd, kurtosis, refN));
  if (!(Math.abs(ours.std - refStd) <= stdTolerance))
    out.push(
      `std ${ours.std.toPrecision(5)}, expected ${refStd.toPrecision(5)} +- ${stdTolerance.toPrecision(2)} (ratio ${(ours.std / refStd).toFixed(3)})`,
    );
  const kurtosisTolerance = 4 * Math.hypot(ours.kurtosisSe, 'name' in ref ? (ref.kurtosisSe ?? 0) : 0);
  // Below ~100 values the delta method's standard error means little (ResNet's fc bias: 80; CharCNN's fc3 bias: 4).
  if (Math.min(ours.n, refN) >= MIN_KURTOSIS_N && !(Math.abs(ours.kurtosis - refKurtosis) <= kurtosisTolerance))
    out.push(`kurtosis ${ours.kurtosis.toFixed(3)}, expected ${refKurtosis.toFixed(3)} +- ${kurtosisTolerance.toFixed(3)}`);
  const meanTolerance = (4 * ours.std) / Math.sqrt(ours.n);
  if (!(Math.abs(ours.mean) <= meanTolerance)) out.push(`mean ${ours.mean.toPrecision(3)}, expected 0 +- ${meanTolerance.toPrecision(2)}`);
  if ('kind' in ref && ref.kind === 'uniform') {
    // Float32 rounding may land a draw a hair above the bound; n uniform draws miss its last 10/n with probability e^-10.
    if (!(ours.maxAbs <= ref.bound * (1 + 1e-6))) out.push(`max |w| ${ours.maxAbs}, above the uniform bound ${ref.bound}`);
    if (ours.n > 20 && !(ours.maxAbs >= ref.bound * (1 - 10 / ours.n)))
      out.push(`max |w| ${ours.maxAbs}, far below the uniform bound ${ref.bound}`);
  }
  return out;
}

/** The fan-in of a library weight from its shape: [kh, kw, in, out] (Conv1d as [1, k, in, out]) or [in, out]. */
const fanInOf = (shape: readonly number[]): number => shape.slice(0, -1).reduce((a, b) => a * b, 1);
/** PyTorch's shape of a library tensor: [out, in, kh, kw], [out, in, k] (the 1-D kernels), [out, in]. */
function torchShape(shape: readonly number[]): number[] {
  if (shape.length === 4) {
    const [kh, kw, cin, cout] = shape as [number, number, number, number];
    return kh === 1 && kw !== 1 ? [cout, cin, kw] : [cout, cin, kh, kw];
  }
  return [...shape].reverse();
}

type Buildable = { buildReplica(inputShape: readonly number[], numClasses: number, seed: number): { params: Params } };

/** A library network's tensors: name, shape, role, and statistics pooled over its seeds. */
interface Drawn {
  readonly name: string;
  readonly shape: readonly number[];
  readonly fanIn: number;
  readonly role: 'kernel' | 'kernelBias' | 'dense' | 'denseBias' | 'gamma' | 'beta';
  readonly stats: Stats;
}

/** Builds `model` for each seed (nothing trained) and pools each trainable tensor's statistics. */
function draw(model: unknown, inputShape: readonly number[], numClasses: number, seeds: readonly number[]): Drawn[] {
  const moments = new Map<string, Moments>();
  const shapes = new Map<string, readonly number[]>();
  let kernels: string[] = [];
  for (const seed of seeds) {
    const { params } = (model as Buildable).buildReplica(inputShape, numClasses, seed);
    try {
      kernels = params.kernels;
      for (const [name, v] of params.trainable) {
        const m = moments.get(name) ?? new Moments();
        m.add(v.dataSync() as Float32Array);
        moments.set(name, m);
        shapes.set(name, v.shape);
      }
    } finally {
      disposeParams(params);
    }
  }
  const names = [...moments.keys()];
  const kernelOf = (bias: string): string | undefined => kernels.find((k) => k.replace(/kernel$/, 'bias') === bias);
  return names.map((name) => {
    const shape = shapes.get(name) as readonly number[];
    const stats = (moments.get(name) as Moments).stats();
    if (name.endsWith('/gamma') || name.endsWith('/beta'))
      return { name, shape, fanIn: 1, role: name.endsWith('/gamma') ? 'gamma' : 'beta', stats } as const;
    if (kernels.includes(name)) return { name, shape, fanIn: fanInOf(shape), role: 'kernel', stats } as const;
    const kernel = kernelOf(name);
    if (kernel !== undefined) return { name, shape, fanIn: fanInOf(shapes.get(kernel) as number[]), role: 'kernelBias', stats } as const;
    if (name.endsWith('/bias')) {
      const weight = shapes.get(name.replace(/bias$/, 'kernel'));
      if (weight === undefined) throw new Error(`no weight for ${name}`);
      return { name, shape, fanIn: fanInOf(weight), role: 'denseBias', stats } as const;
    }
    return { name, shape, fanIn: fanInOf(shape), role: 'dense', stats } as const;
  });
}

/** What the library's `init` makes of each tensor (TrainOptions.init). */
function lawOf(t: Drawn, init: InitScheme, zhang = 0.05): Expected {
  switch (t.role) {
    case 'gamma':
      return { kind: 'constant', value: 1 };
    case 'beta':
      return { kind: 'constant', value: 0 };
    case 'kernel':
      return kernelLaw(init, t.fanIn, zhang);
    case 'kernelBias':
      if (init === 'he' || init === 'he-uniform') return { kind: 'constant', value: 0 };
      return init === 'zhang' ? normal(zhang) : torchDefault(t.fanIn);
    case 'dense':
    case 'denseBias':
      return init === 'zhang' ? normal(zhang) : torchDefault(t.fanIn);
  }
}

/** Every mismatch of a drawn network with the laws of `init` and, given, the fixture's rows in order. */
function check(drawn: readonly Drawn[], init: InitScheme, rows?: readonly Row[], zhang?: number): string[] {
  const out: string[] = [];
  if (rows !== undefined && rows.length !== drawn.length) out.push(`${String(drawn.length)} tensors, PyTorch has ${String(rows.length)}`);
  drawn.forEach((t, i) => {
    const law = mismatches(t.stats, lawOf(t, init, zhang)).map((m) => `${t.name} (law): ${m}`);
    out.push(...law);
    const row = rows?.[i];
    if (row === undefined) return;
    if (torchShape(t.shape).join() !== row.shape.join())
      out.push(`${t.name}: shape [${t.shape.join(', ')}] is not PyTorch's ${row.name} [${row.shape.join(', ')}]`);
    if (t.role !== 'gamma' && t.role !== 'beta' && t.fanIn !== row.fanIn)
      out.push(`${t.name}: fan-in ${String(t.fanIn)}, PyTorch's ${row.name} ${String(row.fanIn)}`);
    out.push(...mismatches(t.stats, row).map((m) => `${t.name} vs PyTorch's ${row.name}: ${m}`));
  });
  return out;
}

const IMAGE: readonly number[] = [28, 28, 1];
const TEXT: readonly number[] = [1, 1014, 70];
const SEEDS = [0, 1, 2, 3, 4, 5, 6, 7];
const CHAR_SEEDS = [0, 1];
const RESNET_INITS = ['he', 'he-uniform', 'torch', 'torch-normal'] as const satisfies readonly InitScheme[];

/** Draws of each (model, init), built once. */
const cache = new Map<string, Drawn[]>();
function drawnOf(model: 'resnet' | 'shallowMaxNN' | 'perceptron' | 'charCnn', init: InitScheme): Drawn[] {
  const key = `${model}/${init}`;
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const made =
    model === 'resnet'
      ? draw(new ResNet({ init }), IMAGE, 10, SEEDS)
      : model === 'shallowMaxNN'
        ? draw(new ShallowMaxNN({ init }), IMAGE, 10, SEEDS)
        : model === 'perceptron'
          ? draw(new Perceptron({ init }), IMAGE, 10, SEEDS)
          : draw(new CharCNN({ init }), TEXT, 2, CHAR_SEEDS);
  cache.set(key, made);
  return made;
}

let tensorsBefore = 0;
beforeAll(async () => {
  await useFastestBackend();
  tensorsBefore = tf.memory().numTensors;
});
afterAll(() => {
  // Every network built here was disposed.
  expect(tf.memory().numTensors).toBe(tensorsBefore);
});

describe('the fixture: PyTorch 1.13 initial weights (scripts/init_stats.py)', () => {
  it('says how it was made, by which PyTorch, over how many seeds', () => {
    expect(fixture.generatedBy).toContain('/usr/bin/python3 scripts/init_stats.py');
    expect(fixture.torchVersion).toMatch(/^1\.13\./);
    expect(fixture.generatedBy).toContain(fixture.torchVersion);
    expect(fixture.seeds).toBe(20);
  });

  it("is PyTorch's default under 'torch' and the peer's draw under the others (bench/convnet_torch.py)", () => {
    const failures: string[] = [];
    for (const [key, rows] of Object.entries(fixture.networks)) {
      const init = key.split('/')[1] as InitScheme;
      for (const row of rows) {
        expect(row.n).toBe(fixture.seeds * row.shape.reduce((a, b) => a * b, 1));
        const isBn = /\.b[n12]\.|^bn\./.test(row.name);
        const isConvWeight = row.name.endsWith('weight') && row.shape.length > 2;
        const law: Expected = isBn
          ? { kind: 'constant', value: row.name.endsWith('weight') ? 1 : 0 }
          : isConvWeight && key.startsWith('resnet20/')
            ? kernelLaw(init, row.fanIn)
            : torchDefault(row.fanIn);
        failures.push(...mismatches(row, law).map((m) => `${key} ${row.name}: ${m}`));
      }
    }
    expect(failures).toEqual([]);
  });
});

describe('init draws as PyTorch does, tensor by tensor', () => {
  it.each(RESNET_INITS)("ResNet-20 on [28, 28, 1] under '%s' matches bench/convnet_torch.py's under the same init", (init) => {
    const drawn = drawnOf('resnet', init);
    expect(drawn.map((t) => t.role).filter((r) => r === 'kernel')).toHaveLength(19);
    expect(check(drawn, init, rowsOf(`resnet20/${init}`))).toEqual([]);
  });

  it("ResNet's fc layer is PyTorch's Linear default under every init", () => {
    const fc = rowsOf('resnet20/torch').filter((r) => r.name.startsWith('fc.'));
    expect(fc.map((r) => r.name)).toEqual(['fc.weight', 'fc.bias']);
    for (const init of RESNET_INITS) {
      const ours = drawnOf('resnet', init).filter((t) => t.name.startsWith('fc/'));
      expect(ours.map((t) => [t.name, t.role, t.fanIn])).toEqual([
        ['fc/kernel', 'dense', 64],
        ['fc/bias', 'denseBias', 64],
      ]);
      ours.forEach((t, i) => {
        expect(mismatches(t.stats, fc[i] as Row)).toEqual([]);
        expect(mismatches(t.stats, torchDefault(64))).toEqual([]);
      });
    }
  });

  it.each(RESNET_INITS)("ShallowMaxNN (64 3x3 filters with bias) under '%s'", (init) => {
    const drawn = drawnOf('shallowMaxNN', init);
    expect(drawn.map((t) => [t.name, t.role, t.fanIn])).toEqual([
      ['conv/kernel', 'kernel', 9],
      ['conv/bias', 'kernelBias', 9],
      ['fc/kernel', 'dense', 64],
      ['fc/bias', 'denseBias', 64],
    ]);
    expect(check(drawn, init, init === 'torch' ? rowsOf('shallowMaxNN/torch') : undefined)).toEqual([]);
  });

  it.each(RESNET_INITS)("Perceptron (one linear layer, its kernel) under '%s'", (init) => {
    const drawn = drawnOf('perceptron', init);
    expect(drawn.map((t) => [t.name, t.role, t.fanIn])).toEqual([
      ['fc/kernel', 'kernel', 784],
      ['fc/bias', 'kernelBias', 784],
    ]);
    expect(check(drawn, init, init === 'torch' ? rowsOf('perceptron/torch') : undefined)).toEqual([]);
  });

  it("CharCNN (small, 1014 x 70) under 'torch' matches bench/convnet_torch.py's CharCNN (Conv1d fan-in kernel x in-channels)", () => {
    const drawn = drawnOf('charCnn', 'torch');
    expect(drawn.filter((t) => t.role === 'kernel').map((t) => t.fanIn)).toEqual([490, 1792, 768, 768, 768, 768]);
    expect(check(drawn, 'torch', rowsOf('charCnn-small/torch'))).toEqual([]);
  });

  it("CharCNN under 'zhang' (its default) draws everything normal with std 0.05", () => {
    const drawn = drawnOf('charCnn', 'zhang');
    expect(drawn).toHaveLength(18);
    expect(check(drawn, 'zhang', undefined, 0.05)).toEqual([]);
  });

  it("the comparison tells 'torch' from PyTorch's std drawn normal (kurtosis) and from He's std drawn uniform (std, sqrt 6)", () => {
    const torchRows = rowsOf('resnet20/torch');
    const kernelsOf = (init: InitScheme) => drawnOf('resnet', init).filter((t) => t.role === 'kernel');
    const rowOf = (t: Drawn) => torchRows[drawnOf('resnet', 'torch').findIndex((u) => u.name === t.name)] as Row;
    // torch-normal: PyTorch's std, so only the kurtosis (3 for 1.8) gives it away, in every layer.
    for (const t of kernelsOf('torch-normal')) {
      const m = mismatches(t.stats, rowOf(t));
      expect(m.some((s) => s.startsWith('kurtosis'))).toBe(true);
      expect(m.some((s) => s.startsWith('std'))).toBe(false);
    }
    // he-uniform: uniform as PyTorch's, its std sqrt(6) = 2.449 times PyTorch's, in every layer.
    for (const t of kernelsOf('he-uniform')) {
      const m = mismatches(t.stats, rowOf(t));
      const ratio = Number(/ratio ([\d.]+)/.exec(m.find((s) => s.startsWith('std')) ?? '')?.[1]);
      expect(Math.abs(ratio - Math.sqrt(6))).toBeLessThan(0.1);
      expect(m.some((s) => s.startsWith('kurtosis'))).toBe(false);
    }
    // He's draw (the library's default before 'torch' existed) is off on both counts.
    for (const t of kernelsOf('he')) {
      const m = mismatches(t.stats, rowOf(t));
      expect(m.some((s) => s.startsWith('std')) && m.some((s) => s.startsWith('kurtosis'))).toBe(true);
    }
  });
});

describe('initScale', () => {
  const build = (model: unknown, inputShape: readonly number[], numClasses: number) => {
    const { params } = (model as Buildable).buildReplica(inputShape, numClasses, 7);
    const values = new Map([...params.trainable].map(([name, v]) => [name, v.dataSync() as Float32Array] as const));
    const kernels = [...params.kernels];
    disposeParams(params);
    return { values, kernels };
  };
  const bytes = (a: Float32Array): Buffer => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
  const cases = [
    ['ResNet', (o: { init: InitScheme; initScale?: number }) => new ResNet(o), IMAGE, 10, 'he'],
    ['ResNet', (o: { init: InitScheme; initScale?: number }) => new ResNet(o), IMAGE, 10, 'torch'],
    ['ShallowMaxNN', (o: { init: InitScheme; initScale?: number }) => new ShallowMaxNN(o), IMAGE, 10, 'torch'],
    ['Perceptron', (o: { init: InitScheme; initScale?: number }) => new Perceptron(o), IMAGE, 10, 'torch-normal'],
    ['CharCNN', (o: { init: InitScheme; initScale?: number }) => new CharCNN({ ...o, length: 123 }), [1, 123, 70], 2, 'zhang'],
  ] as const;
  it.each(cases)("2 doubles every kernel of %s under '%s' exactly and leaves its biases and other layers bit-identical", (...c) => {
    const [, make, inputShape, numClasses, init] = c;
    const one = build(make({ init }), inputShape, numClasses);
    const two = build(make({ init, initScale: 2 }), inputShape, numClasses);
    expect(one.kernels.length).toBeGreaterThan(0);
    expect(two.kernels).toEqual(one.kernels);
    expect([...two.values.keys()]).toEqual([...one.values.keys()]);
    for (const [name, a] of one.values) {
      const b = two.values.get(name) as Float32Array;
      const expected = one.kernels.includes(name) ? a.map((v) => 2 * v) : a;
      // Not only equal: a kernel times 2 is exact in float32; the rest must be the same bits.
      expect(bytes(b).equals(bytes(expected)), name).toBe(true);
      if (one.kernels.includes(name)) expect(bytes(b).equals(bytes(a)), name).toBe(false);
    }
  });
});

describe('init and initScale options', () => {
  const typed = (call: () => unknown, arg: string, fn: string): BlindspotsError => {
    const e = thrownBy(call);
    assertTypedError(e, 'INVALID_ARGUMENT', arg, fn);
    return e as BlindspotsError;
  };

  it("'zhang' is the char-CNN's alone: ResNet, ShallowMaxNN and Perceptron refuse it naming options.init, CharCNN takes it", () => {
    for (const [fn, make] of [
      ['ResNet', () => new ResNet({ init: 'zhang' })],
      ['ShallowMaxNN', () => new ShallowMaxNN({ init: 'zhang' })],
      ['Perceptron', () => new Perceptron({ init: 'zhang' })],
    ] as const) {
      const e = typed(make, 'options.init', fn);
      expect(e.details.arg).toBe('options.init');
      expect(e.message).toContain('"torch-normal"');
      expect(e.details.expected).not.toContain('zhang');
    }
    expect(new CharCNN({ init: 'zhang' }).params['init']).toBe('zhang');
    for (const init of INIT_SCHEMES) expect(new CharCNN({ init }).params['init']).toBe(init);
  });

  it("a misspelt init ('Torch') is refused with the valid choices listed", () => {
    for (const make of [() => new ResNet({ init: 'Torch' as InitScheme }), () => new CharCNN({ init: 'Torch' as InitScheme })]) {
      const e = thrownBy(make) as BlindspotsError;
      expect(e).toBeInstanceOf(BlindspotsError);
      expect(e.code).toBe('INVALID_ARGUMENT');
      expect(e.details.arg).toBe('options.init');
      for (const choice of ['he', 'he-uniform', 'torch', 'torch-normal']) expect(e.details.expected).toContain(`"${choice}"`);
      expect(e.details.received).toContain('Torch');
    }
  });

  it.each([0, -1, Number.NaN, Infinity])('initScale %s is refused', (initScale) => {
    typed(() => new ResNet({ initScale }), 'options.initScale', 'ResNet');
    typed(() => new CharCNN({ initScale }), 'options.initScale', 'CharCNN');
  });

  it("init and initScale are in model.params: the defaults ('he' ResNet and ShallowMaxNN, 'torch' Perceptron, 'zhang' CharCNN; 1), or as given", () => {
    const pick = (p: Readonly<Record<string, unknown>>) => [p['init'], p['initScale']];
    expect(pick(new ResNet().params)).toEqual(['he', 1]);
    expect(pick(new ShallowMaxNN().params)).toEqual(['he', 1]);
    expect(pick(new Perceptron().params)).toEqual(['torch', 1]);
    expect(pick(new CharCNN().params)).toEqual(['zhang', 1]);
    expect(pick(new ResNet({ init: 'torch-normal', initScale: 0.5 }).params)).toEqual(['torch-normal', 0.5]);
    expect(pick(new CharCNN({ init: 'he-uniform', initScale: 3 }).params)).toEqual(['he-uniform', 3]);
    // params go back in as options (a study record's model).
    const again = new ResNet({ init: 'torch', initScale: 2 });
    const { depth, width, init, initScale } = again.params as { depth: number; width: number; init: InitScheme; initScale: number };
    expect(pick(new ResNet({ depth, width, init, initScale }).params)).toEqual(['torch', 2]);
  });
});
