import { fail } from '../errors.js';
import type { ModelEntry } from './model.js';

/**
 * Every model of the library by name; studies, the CLI and the conformance suite iterate over it.
 * Empty until the classical models and ConvNets land; models added here must have a conformance
 * entry or the suite fails.
 *
 * @example
 * ```ts
 * import { models } from 'blindspots/models';
 * Object.keys(models); // registered model names
 * ```
 */
export const models: Readonly<Record<string, ModelEntry>> = {};

/**
 * The registry entry for `name`, or an UNKNOWN_NAME error listing the valid names.
 *
 * @example
 * ```ts
 * import { getModel } from 'blindspots/models';
 * getModel('decisionTree'); // throws UNKNOWN_NAME until that model is registered
 * ```
 */
export function getModel(name: string, fn = 'getModel'): ModelEntry {
  const entry = Object.hasOwn(models, name) ? models[name] : undefined;
  if (entry === undefined) {
    const valid = Object.keys(models);
    throw fail('UNKNOWN_NAME', fn, 'name', valid.length > 0 ? `one of ${valid.join(', ')}` : 'a registered model (none are registered yet)', JSON.stringify(name));
  }
  return entry;
}
