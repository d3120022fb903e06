import { extname } from 'node:path';
import { fail } from '../errors.js';

/** The shard a process runs: `i/n`, or `auto` from Slurm array or Kubernetes Indexed Job variables. */
export function parseShard(
  cmd: string,
  raw: string,
  completions: number | undefined,
  env: NodeJS.ProcessEnv = process.env,
): { index: number; count: number } {
  if (raw === 'auto') {
    if (env.SLURM_ARRAY_TASK_ID !== undefined) {
      const id = Number(env.SLURM_ARRAY_TASK_ID);
      const count = Number(env.SLURM_ARRAY_TASK_COUNT);
      // Array indices may start anywhere (--array=1-8): count from the smallest.
      const min = env.SLURM_ARRAY_TASK_MIN === undefined ? 0 : Number(env.SLURM_ARRAY_TASK_MIN);
      if (![id, count, min].every(Number.isInteger) || count < 1) {
        throw fail(
          'INVALID_ARGUMENT',
          cmd,
          '--shard',
          'SLURM_ARRAY_TASK_ID, SLURM_ARRAY_TASK_COUNT (and SLURM_ARRAY_TASK_MIN) as integers',
          `${String(env.SLURM_ARRAY_TASK_ID)}/${String(env.SLURM_ARRAY_TASK_COUNT)}`,
        );
      }
      return checkShardRange(cmd, id - min, count);
    }
    if (env.JOB_COMPLETION_INDEX !== undefined) {
      if (completions === undefined)
        throw fail(
          'INVALID_ARGUMENT',
          cmd,
          '--completions',
          "the Job's completions (a Kubernetes Indexed Job does not tell its pods)",
          'none',
        );
      return checkShardRange(cmd, Number(env.JOB_COMPLETION_INDEX), completions);
    }
    throw fail(
      'INVALID_ARGUMENT',
      cmd,
      '--shard',
      'auto inside a Slurm array job (SLURM_ARRAY_TASK_ID) or a Kubernetes Indexed Job (JOB_COMPLETION_INDEX)',
      'neither variable set',
    );
  }
  const m = /^(\d+)\/(\d+)$/.exec(raw);
  if (m === null) throw fail('INVALID_ARGUMENT', cmd, '--shard', "i/n (0 <= i < n) or 'auto'", JSON.stringify(raw));
  return checkShardRange(cmd, Number(m[1]), Number(m[2]));
}

function checkShardRange(cmd: string, index: number, count: number): { index: number; count: number } {
  if (!Number.isInteger(index) || !Number.isInteger(count) || count < 1 || index < 0 || index >= count) {
    throw fail('INVALID_ARGUMENT', cmd, '--shard', 'a shard index in [0, count)', `${String(index)}/${String(count)}`);
  }
  return { index, count };
}

/** `results.jsonl` for shard 2 of 8 becomes `results.shard-2-of-8.jsonl`: one file per shard, merged afterwards. */
export function shardResultsPath(path: string, shard: { index: number; count: number }): string {
  const ext = extname(path);
  return `${path.slice(0, path.length - ext.length)}.shard-${String(shard.index)}-of-${String(shard.count)}${ext}`;
}
