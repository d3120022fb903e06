/**
 * Does the ResNet's verdict depend on its learning-rate schedule, in PyTorch too? Writes one ResNet
 * cell of a study preset as NPY — the very arrays the study trains and tests on (`encodeCell`):
 * train, test, and test with a shuffled label's signal — under bench/out/schedule-peer/<cell>/,
 * then runs scripts/schedule_peer.py with /usr/bin/python3 (Debian's python3-torch), which trains
 * the same ResNet (He et al.'s CIFAR network, option-A shortcuts, He-normal convolutions) under each
 * schedule with the parameters the library resolves for it (the preset's epochs, batch, learning
 * rate and weight decay; the step schedule's momentum and decay steps) and prints a JSON line
 * per epoch: test accuracy and shuffled-signal accuracy, as a study record's learning curve.
 *
 *   npx tsx scripts/schedule-peer.ts [--preset table1-resnet20] [--signal orthogonalNoise] [--scale 0.001]
 *     [--schedules step,onecycle] [--seeds 0] [--threads 1] [--epochs N]    # ~15-25 min a run on one core
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeNpy } from '../src/data/index.js';
import { getModel } from '../src/models/registry.js';
import { STEP_SCHEDULE_OPTIONS } from '../src/models/tfjs/trainOptions.js';
import { encodeCell, planStudy, prepareStudy, PRESETS } from '../src/study/index.js';
import type { ImageArray } from '../src/types.js';
import { benchArgs } from '../bench/args.js';

const args = benchArgs(
  "npx tsx scripts/schedule-peer.ts [--preset table1-resnet20] [--signal orthogonalNoise] [--scale 0.001] [--schedules step,onecycle] [--seeds 0] [--threads 1] [--epochs N (default: the preset's)]",
  {
    preset: 'table1-resnet20',
    signal: 'orthogonalNoise',
    scale: 0.001,
    schedules: ['step', 'onecycle'],
    seeds: [0],
    threads: 1,
    epochs: 0,
  },
  { choices: { preset: Object.keys(PRESETS), schedules: ['step', 'onecycle'] } },
);

const preset = PRESETS[args.preset];
if (preset === undefined) throw new Error(`unknown preset ${args.preset}`); // unreachable: benchArgs checked it
const { about: _about, ...file } = preset;
const plan = planStudy(prepareStudy(file));
const cell = plan.cells.find(
  (c) => c.model === 'resnet' && c.signal === args.signal && (c.sweep === undefined || c.sweep['scale'] === args.scale),
);
if (cell === undefined) {
  const have = plan.cells
    .filter((c) => c.model === 'resnet')
    .map((c) => `${c.signal}${c.sweep === undefined ? '' : ` ${JSON.stringify(c.sweep)}`}`);
  console.error(`preset ${args.preset} has no resnet cell ${args.signal} at scale ${String(args.scale)}; it has: ${have.join(', ')}`);
  process.exit(2);
}
/**
 * The ResNet's parameters under `schedule` as the library resolves them (the preset's options, the
 * model's defaults for the rest): what the PyTorch run is given, so the peer cannot drift from them.
 */
const paramsUnder = (schedule: string): Readonly<Record<string, unknown>> => {
  // The step schedule's own options do not go with one-cycle (the model refuses them).
  const stepOnly: readonly string[] = STEP_SCHEDULE_OPTIONS;
  const common = Object.fromEntries(Object.entries(cell.modelOptions).filter(([k]) => !stepOnly.includes(k)));
  const options = schedule === 'onecycle' ? { ...common, schedule } : { ...cell.modelOptions, schedule };
  const model = getModel('resnet').create({ seed: cell.seed, options });
  const params = model.params;
  model.dispose();
  return params;
};
const flag = (params: Readonly<Record<string, unknown>>, name: string): string => {
  const v = params[name];
  if (typeof v !== 'number' && !Array.isArray(v))
    throw new Error(`resnet parameter ${name} is not a number or a list of numbers: ${JSON.stringify(v)}`);
  return Array.isArray(v) ? v.join(',') : String(v);
};
const dir = join('bench/out/schedule-peer', `${args.preset}-${cell.signal}-${String(args.scale)}`);
mkdirSync(dir, { recursive: true });
const x = encodeCell(plan, cell);
const write = (name: string, images: unknown): void => {
  const a = images as ImageArray;
  writeNpy(join(dir, `${name}_x.npy`), a.data, [...a.shape]);
};
write('train', x.train);
write('test', x.test);
if (x.shuffled !== undefined) write('shuffled', x.shuffled);
writeNpy(join(dir, 'train_y.npy'), plan.train.labels, [plan.train.labels.length]);
writeNpy(join(dir, 'test_y.npy'), plan.test.labels, [plan.test.labels.length]);
console.log(
  `cell ${cell.key} (${cell.signal} ${JSON.stringify(cell.inject)}), resnet ${JSON.stringify(cell.modelOptions)}: arrays in ${dir}`,
);

const torch = '/usr/bin/python3';
try {
  execFileSync(torch, ['-c', 'import torch'], { stdio: 'ignore' });
} catch {
  console.error(`${torch} cannot import torch: apt-get install -y python3-torch`);
  process.exit(1);
}
// Resolved once per schedule, before any run: a bad option fails before the first hour of training.
const paramsBySchedule = new Map(args.schedules.map((schedule) => [schedule, paramsUnder(schedule)]));
for (const seed of args.seeds)
  for (const [schedule, params] of paramsBySchedule) {
    const stepFlags =
      schedule === 'step'
        ? ['--momentum', flag(params, 'momentum'), '--lr-steps', flag(params, 'lrSteps'), '--lr-decay', flag(params, 'lrDecay')]
        : [];
    const r = spawnSync(
      torch,
      [
        'scripts/schedule_peer.py',
        dir,
        '--schedule',
        schedule,
        '--seed',
        String(seed),
        '--threads',
        String(args.threads),
        '--epochs',
        args.epochs > 0 ? String(args.epochs) : flag(params, 'epochs'),
        '--depth',
        flag(params, 'depth'),
        '--width',
        flag(params, 'width'),
        '--batch',
        flag(params, 'batchSize'),
        '--lr',
        flag(params, 'learningRate'),
        '--weight-decay',
        flag(params, 'weightDecay'),
        ...stepFlags,
      ],
      { stdio: 'inherit' },
    );
    if (r.status !== 0) process.exit(r.status ?? 1);
  }
