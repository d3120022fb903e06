/**
 * Which shard runs each cell: cells by decreasing cost (ties by key), each to the shard with the
 * least cost so far (ties to the lowest index) — the longest-processing-time rule, so shards
 * finish together although a ResNet cell costs a thousand naive-Bayes cells. Deterministic: every
 * shard computes the same assignment.
 *
 * @example
 * ```ts
 * import { assignShards } from 'blindspots/study';
 * assignShards([{ key: 'a', cost: 3 }, { key: 'b', cost: 1 }, { key: 'c', cost: 1 }], 2); //=> [0, 1, 1]
 * ```
 */
export function assignShards(cells: readonly { readonly key: string; readonly cost: number }[], count: number): number[] {
  const at = (i: number): { readonly key: string; readonly cost: number } => cells[i] as { readonly key: string; readonly cost: number };
  const order = cells.map((_, i) => i).sort((a, b) => at(b).cost - at(a).cost || (at(a).key < at(b).key ? -1 : 1));
  const load = new Float64Array(count);
  const owner = new Array<number>(cells.length).fill(0);
  for (const i of order) {
    let best = 0;
    for (let s = 1; s < count; s++) if ((load[s] as number) < (load[best] as number)) best = s;
    owner[i] = best;
    load[best] = (load[best] as number) + at(i).cost;
  }
  return owner;
}
