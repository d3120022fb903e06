/**
 * How reports tell variants of one thing apart (a model's parameter sets, a signal's options):
 * the keys that differ and the labels made of them. Internal: the tables and the sweep plots share it.
 */
import type { ParamValue } from '../../models/model.js';
import { canonicalJson } from '../store/canonicalJson.js';

const formatValue = (v: ParamValue): string => (typeof v === 'string' ? v : JSON.stringify(v));

export type Variant = { readonly [k: string]: ParamValue };

/** Each variant's label: the values of `keys` it sets, e.g. `schedule onecycle`. */
export const labelsOf = (variants: readonly Variant[], keys: readonly string[]): string[] =>
  variants.map((v) =>
    keys
      .filter((k) => v[k] !== undefined)
      .map((k) => `${k} ${formatValue(v[k] as ParamValue)}`)
      .join(', '),
  );

/**
 * The keys that tell variants of one thing apart (sorted). Keys that only some variants set (the
 * one-cycle's momentum bounds, the step schedule's decay steps) follow from those every variant
 * sets (the schedule), so when the latter alone tell every variant apart, they alone are given;
 * otherwise every key that differs. Variants that differ in nothing give none. The tables' labels
 * and the sweep plots' axes both use it.
 */
export function variantKeys(variants: readonly Variant[]): string[] {
  const keys = [...new Set(variants.flatMap((v) => Object.keys(v)))].sort();
  const differing = keys.filter((k) => new Set(variants.map((v) => canonicalJson(v[k] ?? null))).size > 1);
  const setByAll = differing.filter((k) => variants.every((v) => v[k] !== undefined && v[k] !== null));
  return setByAll.length > 0 && new Set(labelsOf(variants, setByAll)).size === variants.length ? setByAll : differing;
}
