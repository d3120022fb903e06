import type { ResolvedSignalOptions } from '../../encoders/encoderRegistry.js';
import type { ModelEntry, ModelParams } from '../../models/model.js';
import { VERSION } from '../../version.js';
import { hashKey } from '../store/canonicalJson.js';
import type { DataIdentity } from '../store/cellRecord.js';

/**
 * A cell's key: the hash of everything that decides its result — the data's identity, the
 * signal and its resolved options, the model and its parameters, the seed, the library version.
 * Threads are left out for models whose result does not depend on them, so that a machine may
 * run those cells on its own thread count and still find them done. Equal keys, same cell: a
 * rerun skips it, merge keeps one.
 */
export function cellKey(cell: {
  readonly data: DataIdentity;
  readonly signal: string;
  readonly options: ResolvedSignalOptions;
  readonly model: ModelEntry;
  readonly params: ModelParams;
  readonly seed: number;
}): string {
  const { data, signal, options, model, params, seed } = cell;
  const keyParams = model.threads === 'changes-result' ? params : withoutThreads(params);
  return hashKey({
    data: { name: data.name, preparation: data.preparation, dither: data.dither, train: data.train.sha256, test: data.test.sha256 },
    signal,
    options,
    model: model.name,
    params: keyParams,
    seed,
    version: VERSION,
  });
}

function withoutThreads(params: ModelParams): ModelParams {
  const { threads: _threads, ...rest } = params;
  return rest;
}
