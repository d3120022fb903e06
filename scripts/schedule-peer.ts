/**
 * Does the ResNet's verdict depend on its learning-rate schedule, in PyTorch too? Writes one ResNet
 * cell of a study preset as NPY — the very arrays the study trains and tests on (`encodeCell`):
 * train, test, and test with a shuffled label's signal — under bench/out/schedule-peer/<cell>/,
 * then runs scripts/schedule_peer.py with /usr/bin/python3 (Debian's python3-torch), which trains
 * the same ResNet (He et al.'s CIFAR network, option-A shortcuts) under each schedule with the
 * parameters the library resolves for it (the preset's epochs, batch, learning rate and weight
 * decay; the step schedule's momentum and decay steps; the convolutions' init and initScale, the
 * preset's or the model's default 'he' unless --init / --init-scale choose them; the stride-2
 * convolutions' padding, the preset's or the model's 'same' unless --stride-padding chooses it) and prints a JSON
 * line per epoch: test accuracy and shuffled-signal accuracy, as a study record's learning curve.
 * In a preset that sweeps the ResNet's init (recipe), the cell is the one with the --init asked.
 *
 *   npx tsx scripts/schedule-peer.ts [--preset table1-resnet20] [--signal orthogonalNoise] [--scale 0.001]
 *     [--schedules step,onecycle] [--seeds 0] [--threads 1] [--epochs N] [--init he|he-uniform|torch|torch-normal]
 *     [--init-scale S] [--stride-padding same|symmetric] [--dry-run]    # ~15-25 min a run on one core
 *
 * --dry-run prints the PyTorch command of each run, and writes and runs nothing.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeNpy } from '../src/data/index.js';
import { getModel } from '../src/models/modelRegistry.js';
import { STEP_SCHEDULE_OPTIONS } from '../src/models/tfjs/trainOptions.js';
import { encodeCell, planStudy, prepareStudy, PRESETS } from '../src/study/index.js';
import type { ImageArray } from '../src/types.js';
import { benchArgs } from '../bench/args.js';

const args = benchArgs(
  "npx tsx scripts/schedule-peer.ts [--preset table1-resnet20] [--signal orthogonalNoise] [--scale 0.001] [--schedules step,onecycle] [--seeds 0] [--threads 1] [--epochs N (default: the preset's)] [--init he|he-uniform|torch|torch-normal (default: the preset's, else the model's)] [--init-scale S (default: the preset's, else 1)] [--stride-padding same|symmetric (default: the preset's, else the model's 'same')] [--bn-shares N (default 1: batch norm over the whole batch; the library's data-parallel run on N threads: N)] [--predictions (write the last epoch's predictions next to the arrays)] [--dry-run]",
  {
    preset: 'table1-resnet20',
    signal: 'orthogonalNoise',
    scale: 0.001,
    schedules: ['step', 'onecycle'],
    seeds: [0],
    threads: 1,
    epochs: 0,
    // Empty and NaN (which cannot be typed): not given. The ResNet resolves and checks what is, as a study's option.
    init: '',
    'init-scale': Number.NaN,
    'stride-padding': '',
    'bn-shares': 1,
    predictions: false,
    'dry-run': false,
  },
  { choices: { preset: Object.keys(PRESETS), schedules: ['step', 'onecycle'] } },
);
/** The init options given on the command line, over the preset's. */
const initOptions: Readonly<Record<string, unknown>> = {
  ...(args.init === '' ? {} : { init: args.init }),
  ...(Number.isNaN(args['init-scale']) ? {} : { initScale: args['init-scale'] }),
  ...(args['stride-padding'] === '' ? {} : { stridePadding: args['stride-padding'] }),
};

const preset = PRESETS[args.preset];
if (preset === undefined) throw new Error(`unknown preset ${args.preset}`); // unreachable: benchArgs checked it
const { about: _about, ...file } = preset;
const plan = planStudy(prepareStudy(file));
const candidates = plan.cells.filter(
  (c) => c.model === 'resnet' && c.signal === args.signal && (c.sweep === undefined || c.sweep['scale'] === args.scale),
);
// The arrays are the same for every init: the cell only names the run (the one that swept --init, if any).
const cell = candidates.find((c) => args.init !== '' && c.params['init'] === args.init) ?? candidates[0];
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
  const options = { ...(schedule === 'onecycle' ? { ...common, schedule } : { ...cell.modelOptions, schedule }), ...initOptions };
  const model = getModel('resnet').create({ seed: cell.seed, options });
  const params = model.params;
  model.dispose();
  return params;
};
const flag = (params: Readonly<Record<string, unknown>>, name: string): string => {
  const v = params[name];
  if (name === 'init' || name === 'stridePadding') {
    if (typeof v !== 'string') throw new Error(`resnet parameter ${name} is not a string: ${JSON.stringify(v)}`);
    return v;
  }
  if (typeof v !== 'number' && !Array.isArray(v))
    throw new Error(`resnet parameter ${name} is not a number or a list of numbers: ${JSON.stringify(v)}`);
  return Array.isArray(v) ? v.join(',') : String(v);
};
const dir = join('bench/out/schedule-peer', `${args.preset}-${cell.signal}-${String(args.scale)}`);
// Resolved once per schedule, before anything is written or run: a bad option fails before the first hour of training.
const paramsBySchedule = new Map(args.schedules.map((schedule) => [schedule, paramsUnder(schedule)]));
const about = `cell ${cell.key} (${cell.signal} ${JSON.stringify(cell.inject)}), resnet ${JSON.stringify({ ...cell.modelOptions, ...initOptions })}`;
if (!args['dry-run']) {
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
  console.log(`${about}: arrays in ${dir}`);
} else console.log(`${about}: arrays would be in ${dir} (dry run: nothing written or run)`);

const torch = '/usr/bin/python3';
try {
  if (!args['dry-run']) execFileSync(torch, ['-c', 'import torch'], { stdio: 'ignore' });
} catch {
  console.error(`${torch} cannot import torch: apt-get install -y python3-torch`);
  process.exit(1);
}
for (const seed of args.seeds)
  for (const [schedule, params] of paramsBySchedule) {
    const stepFlags =
      schedule === 'step'
        ? ['--momentum', flag(params, 'momentum'), '--lr-steps', flag(params, 'lrSteps'), '--lr-decay', flag(params, 'lrDecay')]
        : [];
    const command = [
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
      // The library's draw of the convolutions: PyTorch gets the recipe the ResNet resolved.
      '--init',
      flag(params, 'init'),
      '--init-scale',
      flag(params, 'initScale'),
      '--stride-padding',
      flag(params, 'stridePadding'),
      '--bn-shares',
      String(args['bn-shares']),
      ...(args.predictions
        ? [
            '--predictions',
            join(
              dir,
              `predictions-${schedule}-seed${String(seed)}-${flag(params, 'init')}-shares${String(args['bn-shares'])}-${flag(params, 'stridePadding')}`,
            ),
          ]
        : []),
    ];
    if (args['dry-run']) {
      console.log([torch, ...command].join(' '));
      continue;
    }
    const r = spawnSync(torch, command, { stdio: 'inherit' });
    if (r.status !== 0) process.exit(r.status ?? 1);
  }
