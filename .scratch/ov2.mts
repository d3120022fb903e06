import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeIdxFolder } from '../test/conformance/fixtures.ts';
import { startRedis } from '../test/study/redisServer.ts';
import { prepareStudy, runStudy } from '../src/study/index.ts';
import { runStudyOnQueue } from '../src/study/queue/index.ts';
const dir = mkdtempSync(join(tmpdir(), 'ov-'));
const redis = await startRedis(dir);
const tiny = { dataset: { idx: writeIdxFolder(join(dir, 'idx'), { train: 90, test: 30, side: 10, classes: 3 }) }, signals: 'all', models: ['gaussianNB'], seeds: [0, 1, 2, 3, 4, 5] } as const;
const w = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'worker', '--queue', redis.url, '--queue-name', 'o', '--concurrency', '1'], { stdio: 'ignore', env: { ...process.env, BLINDSPOTS_NO_HUGETLB: '1' } });
await runStudyOnQueue({ ...tiny, seeds: [99], results: join(dir, 'w.jsonl') } as never, { queue: redis.url, queueName: 'o' });
for (let i = 0; i < 3; i++) {
  let t0 = performance.now();
  await runStudy({ ...prepareStudy(tiny as never), results: join(dir, `l${i}.jsonl`) });
  const l = performance.now() - t0;
  t0 = performance.now();
  const r = await runStudyOnQueue({ ...tiny, results: join(dir, `r${i}.jsonl`) } as never, { queue: redis.url, queueName: 'o' });
  const q = performance.now() - t0;
  console.log('local', (l / 42).toFixed(1), 'queue', (q / 42).toFixed(1), 'ms/cell', r.records.length);
}
w.kill(); await redis.stop();
