/**
 * The model conformance harness: the estimator contract of DESIGN.md as one function returning
 * the failures, used by the suite over the `models` registry and by its own tests.
 */
import * as tf from '@tensorflow/tfjs';
import { BlindspotsError, type ErrorCode } from '../../src/errors.js';
import type { InputKind, InputOf, Model, ModelEntry } from '../../src/models/model.js';
import type { FeatureMatrix } from '../../src/types.js';

/** A conformance entry: data the model can fit, and the bad inputs of its kind. */
export interface ModelCase<K extends InputKind = InputKind> {
  readonly x: InputOf[K];
  readonly y: Int32Array;
  readonly rows: number;
  readonly numClasses: number;
  /** No samples: EMPTY_INPUT expected. */
  readonly empty: InputOf[K];
  /** A sample holding a bad value (NaN for numbers), with the expected code and argument. */
  readonly corrupt: { readonly x: InputOf[K]; readonly code: ErrorCode; readonly arg: string };
  /** Samples of another shape (feature count, image size), INVALID_SHAPE at predict; none for texts. */
  readonly otherShape?: InputOf[K];
  /**
   * Checking parameters, as scikit-learn's `_set_checking_parameters`: the same class in a small,
   * fast configuration (a 10-epoch ResNet-20 would make the suite slow, not stricter).
   */
  readonly create?: (options: { seed: number }) => Model<K>;
  /**
   * Constructor options for the registry's `create` (small, fast settings): the suite builds the
   * model through the registry with them and checks they come back in `model.params`.
   */
  readonly options?: Readonly<Record<string, unknown>>;
}

/** The case for a features model: `x` plus its empty, NaN and one-column-more variants. */
export function featureCase(x: FeatureMatrix, y: Int32Array, numClasses: number): ModelCase<'features'> {
  const bad = x.data.slice();
  bad[3] = Number.NaN;
  return {
    x,
    y,
    rows: x.rows,
    numClasses,
    empty: { data: new Float32Array(0), rows: 0, cols: x.cols },
    corrupt: { x: { data: bad, rows: x.rows, cols: x.cols }, code: 'NON_FINITE', arg: 'x' },
    otherShape: { data: new Float32Array(x.rows * (x.cols + 1)), rows: x.rows, cols: x.cols + 1 },
  };
}

/** Runs every check; returns one message per failed check (empty: conformant). */
export async function checkModel<K extends InputKind>(entry: ModelEntry<K>, c: ModelCase<K>): Promise<string[]> {
  const failures: string[] = [];
  const check = async (what: string, body: () => Promise<void>): Promise<void> => {
    try {
      await body();
    } catch (e) {
      failures.push(`${entry.name}: ${what}: ${(e as Error).message}`);
    }
  };
  const make = (): Model<K> =>
    c.create !== undefined ? c.create({ seed: 1 }) : entry.create({ seed: 1, ...(c.options === undefined ? {} : { options: c.options }) });
  const withModel = async (body: (m: Model<K>) => Promise<void>): Promise<void> => {
    const m = make();
    try {
      await body(m);
    } finally {
      m.dispose();
    }
  };
  const rejects = async (code: ErrorCode, arg: string | undefined, p: () => Promise<unknown>): Promise<void> => {
    let thrown: unknown;
    try {
      await p();
    } catch (e) {
      thrown = e;
    }
    if (thrown === undefined) throw new Error('no error');
    if (!(thrown instanceof BlindspotsError))
      throw new Error(`threw ${thrown instanceof Error ? `${thrown.name}: ${thrown.message}` : typeof thrown}, not a BlindspotsError`);
    if (thrown.code !== code) throw new Error(`code ${thrown.code}, expected ${code}`);
    if (arg !== undefined && !thrown.details.arg?.startsWith(arg))
      throw new Error(`names argument ${String(thrown.details.arg)}, expected ${arg}`);
  };

  await check('predict before fit throws NotFittedError', () => withModel((m) => rejects('NOT_FITTED', undefined, () => m.predict(c.x))));

  await check('fit returns the model; predict gives one label in range per sample; no tensor leak', async () => {
    const before = tf.memory().numTensors;
    await withModel(async (m) => {
      const r = await m.fit(c.x, c.y);
      if (r !== m) throw new Error('fit did not resolve to the model');
      const p = await m.predict(c.x);
      if (!(p instanceof Int32Array) || p.length !== c.rows) throw new Error('predict did not return an Int32Array, one per sample');
      if (p.some((v) => v < 0 || v >= c.numClasses)) throw new Error('predicted a label out of range');
    });
    const after = tf.memory().numTensors;
    if (after !== before) throw new Error(`${String(after - before)} tensors leaked`);
  });

  await check('fit twice, and two models with one seed, give the same predictions', async () => {
    await withModel(async (a) => {
      const p1 = await (await a.fit(c.x, c.y)).predict(c.x);
      const p2 = await (await a.fit(c.x, c.y)).predict(c.x);
      if (p1.join() !== p2.join()) throw new Error('refit changed the predictions');
      await withModel(async (b) => {
        const p3 = await (await b.fit(c.x, c.y)).predict(c.x);
        if (p1.join() !== p3.join()) throw new Error('a second model with the same seed differs');
      });
    });
  });

  await check('an aborted fit rejects with AbortError and leaves the model unfitted', () =>
    withModel(async (m) => {
      const ctl = new AbortController();
      ctl.abort();
      let thrown: unknown;
      try {
        await m.fit(c.x, c.y, { signal: ctl.signal });
      } catch (e) {
        thrown = e;
      }
      if (!(thrown instanceof Error) || thrown.name !== 'AbortError') throw new Error(`fit resolved or threw ${String(thrown)}`);
      await rejects('NOT_FITTED', undefined, () => m.predict(c.x));
    }),
  );

  await check('typed error: label count mismatch', () =>
    withModel((m) => rejects('LENGTH_MISMATCH', 'y', () => m.fit(c.x, c.y.subarray(1)))),
  );
  await check('typed error: empty data', () =>
    withModel((m) => rejects('EMPTY_INPUT', undefined, () => m.fit(c.empty, new Int32Array(0)))),
  );
  await check('typed error: a single class', () =>
    withModel((m) => rejects('INVALID_ARGUMENT', 'y', () => m.fit(c.x, new Int32Array(c.rows)))),
  );
  await check(`typed error: a bad value (${c.corrupt.code})`, () =>
    withModel((m) => rejects(c.corrupt.code, c.corrupt.arg, () => m.fit(c.corrupt.x, c.y))),
  );
  const other = c.otherShape;
  if (other !== undefined) {
    await check('typed error: feature count / sample shape mismatch at predict', () =>
      withModel(async (m) => {
        await m.fit(c.x, c.y);
        await rejects('INVALID_SHAPE', 'x', () => m.predict(other));
      }),
    );
  }
  await check('dispose frees every tensor and leaves the model unusable', async () => {
    const before = tf.memory().numTensors;
    const m = make();
    await m.fit(c.x, c.y);
    m.dispose();
    const after = tf.memory().numTensors;
    if (after !== before) throw new Error(`${String(after - before)} tensors left after dispose`);
    let threw = false;
    try {
      await m.predict(c.x);
    } catch {
      threw = true;
    }
    if (!threw) throw new Error('predict after dispose resolved');
    threw = false;
    try {
      await m.fit(c.x, c.y);
    } catch {
      threw = true;
    }
    if (!threw) throw new Error('fit after dispose resolved');
  });

  await check('an aborted re-fit leaves the model unfitted (not with its old fit)', () =>
    withModel(async (m) => {
      await m.fit(c.x, c.y);
      const ctl = new AbortController();
      ctl.abort();
      await m.fit(c.x, c.y, { signal: ctl.signal }).catch(() => undefined);
      await rejects('NOT_FITTED', undefined, () => m.predict(c.x));
    }),
  );

  await check('options given to the registry come back in params, which are JSON', async () => {
    await Promise.resolve();
    const m = make();
    try {
      const params = m.params as Record<string, unknown>;
      if (JSON.stringify(JSON.parse(JSON.stringify(params))) !== JSON.stringify(params)) throw new Error('params are not JSON data');
      for (const [key, value] of Object.entries(c.options ?? {})) {
        if (JSON.stringify(params[key]) !== JSON.stringify(value))
          throw new Error(`options.${key} = ${JSON.stringify(value)} but params.${key} = ${JSON.stringify(params[key])}`);
      }
      if (entry.options.length > 0 && entry.options.every((o) => params[o] === undefined))
        throw new Error('params report none of the options');
    } finally {
      m.dispose();
    }
  });

  await check('the registry refuses a misspelt option and non-object options with typed errors', async () => {
    const creating = (options: unknown) => () =>
      Promise.resolve().then(() => entry.create({ seed: 1, options: options as Record<string, unknown> }).dispose());
    await rejects('UNKNOWN_OPTION', 'options.sede', creating({ ...(c.options ?? {}), sede: 1 }));
    await rejects('INVALID_ARGUMENT', 'options', creating(null));
    await rejects('INVALID_ARGUMENT', 'options', creating('fast'));
  });
  return failures;
}
