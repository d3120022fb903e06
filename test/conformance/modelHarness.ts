/**
 * The model conformance harness: the estimator contract of DESIGN.md as one function returning
 * the failures, used by the suite over the `models` registry and by its own tests.
 */
import * as tf from '@tensorflow/tfjs';
import { BlindspotsError, type ErrorCode } from '../../src/errors.js';
import type { Model, ModelEntry } from '../../src/models/model.js';
import type { FeatureMatrix } from '../../src/types.js';

/** A conformance entry for a features model. */
export interface ModelCase {
  readonly x: FeatureMatrix;
  readonly y: Int32Array;
  readonly numClasses: number;
}

/** Runs every check; returns one message per failed check (empty: conformant). */
export async function checkModel(entry: ModelEntry<'features'>, c: ModelCase): Promise<string[]> {
  const failures: string[] = [];
  const check = async (what: string, body: () => Promise<void>): Promise<void> => {
    try {
      await body();
    } catch (e) {
      failures.push(`${entry.name}: ${what}: ${(e as Error).message}`);
    }
  };
  const withModel = async (body: (m: Model<'features'>) => Promise<void>): Promise<void> => {
    const m = entry.create({ seed: 1 });
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
    if (!(thrown instanceof BlindspotsError)) throw new Error(`threw ${String(thrown)}, not a BlindspotsError`);
    if (thrown.code !== code) throw new Error(`code ${thrown.code}, expected ${code}`);
    if (arg !== undefined && !thrown.details.arg?.startsWith(arg)) throw new Error(`names argument ${String(thrown.details.arg)}, expected ${arg}`);
  };

  await check('predict before fit throws NotFittedError', () => withModel((m) => rejects('NOT_FITTED', undefined, () => m.predict(c.x))));

  await check('fit returns the model; predict gives one label in range per sample; no tensor leak', async () => {
    const before = tf.memory().numTensors;
    await withModel(async (m) => {
      const r = await m.fit(c.x, c.y);
      if (r !== m) throw new Error('fit did not resolve to the model');
      const p = await m.predict(c.x);
      if (!(p instanceof Int32Array) || p.length !== c.x.rows) throw new Error('predict did not return an Int32Array, one per sample');
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

  const { rows, cols, data } = c.x;
  await check('typed error: label count mismatch', () => withModel((m) => rejects('LENGTH_MISMATCH', 'y', () => m.fit(c.x, c.y.subarray(1)))));
  await check('typed error: empty data', () => withModel((m) => rejects('EMPTY_INPUT', undefined, () => m.fit({ data: new Float32Array(0), rows: 0, cols }, new Int32Array(0)))));
  await check('typed error: a single class', () => withModel((m) => rejects('INVALID_ARGUMENT', 'y', () => m.fit(c.x, new Int32Array(c.x.rows)))));
  await check('typed error: NaN features', () =>
    withModel((m) => {
      const bad = data.slice();
      bad[3] = Number.NaN;
      return rejects('NON_FINITE', 'x', () => m.fit({ data: bad, rows, cols }, c.y));
    }),
  );
  await check('typed error: feature count mismatch at predict', () =>
    withModel(async (m) => {
      await m.fit(c.x, c.y);
      await rejects('INVALID_SHAPE', 'x', () => m.predict({ data: new Float32Array(rows * (cols + 1)), rows, cols: cols + 1 }));
    }),
  );
  return failures;
}
