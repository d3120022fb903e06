import { Command, CommanderError, Option } from 'commander';
import { encoders } from '../encoders/encoderRegistry.js';
import { BlindspotsError } from '../errors.js';
import { modelNames, models } from '../models/modelRegistry.js';
import { VERSION } from '../version.js';
import { ENCODE_FORMATS, encodeCommand } from './encodeCommand.js';
import { PRESETS } from '../study/spec/presets.js';
import type { WorkerFlags } from './flags.js';
import { mergeCommand } from './mergeCommand.js';
import { REPORT_FORMATS, reportCommand } from './reportCommand.js';
import { STUDY_FILE_HELP, studyCommand } from './studyCommand.js';

/** The CLI: its commands, help and flags (commander checks unknown flags and missing values). */
export function program(setExit: (code: number) => void): Command {
  const cli = new Command('blindspots')
    .description(
      'Blind spots of convolutional networks (Hoffer, Fine & Soudry 2018): hide label-revealing signals, measure which models use them.',
    )
    .version(VERSION, '-v, --version')
    .showHelpAfterError('(add --help for usage)')
    .addHelpText(
      'after',
      `
On Linux the CLI runs with GLIBC_TUNABLES=glibc.malloc.hugetlb=1 (it starts itself again once, and
the second process exits with the first): large arrays then avoid seconds of page faults.
BLINDSPOTS_NO_HUGETLB=1 turns this off.`,
    );
  cli
    .command('signals')
    .description('list the registered signals (domain, family, information, recovery, options)')
    .action(() => {
      for (const e of Object.values(encoders)) {
        console.log(
          `${e.name.padEnd(18)} ${e.domain.padEnd(6)} ${e.family.padEnd(16)} ${e.information.padEnd(9)} ${e.recovery}; options: ${e.options.join(', ')}`,
        );
      }
    });
  cli
    .command('models')
    .description('list the registered models (input, threads, options)')
    .action(() => {
      for (const name of modelNames) {
        const m = models[name];
        console.log(
          `${name.padEnd(21)} ${m.inputKind.padEnd(9)} ${(m.trainsByEpoch ? 'epochs' : '').padEnd(7)} threads: ${m.threads.padEnd(15)} options: ${m.options.join(', ')}`,
        );
      }
    });
  cli
    .command('encode')
    .description('encode an image dataset with a signal and export it (NPY or CIFAR-10 binary)')
    .option('--dataset <name|folder>', 'required: fashion-mnist, mnist, or a folder of CIFAR-10 binary or MNIST-style IDX files')
    .option(
      '--signal <name>',
      `an image signal: ${Object.values(encoders)
        .filter((e) => e.domain === 'image')
        .map((e) => e.name)
        .join(', ')}`,
    )
    .option('--out <folder>', 'required: output folder; also gets encode.json (dataset, signal, resolved options, version)')
    .option('--split <train|test>', 'for folders with train and test files', 'train')
    .option('--scale <x>', 'signal amplitude (default 0.001)')
    .option('--seed <n>', 'seed of the signal (signals that draw; the others accept it without effect)')
    .option('--num-classes <k>', "number of classes (default: the dataset's)")
    .option('--per-class <n>', 'fashion-mnist: take the first n images of each class (reads only those)')
    .option('--size <x>', 'a stratified subset: a fraction in (0, 1] or a count of images (seeded 0, as a study file)')
    .addOption(
      new Option(
        '--format <format>',
        'npy: float32 images.npy + labels.npy; npy-uint8: 8-bit (refuses a signal below 1/255); cifar: CIFAR-10 binary',
      )
        .choices(ENCODE_FORMATS)
        .default('npy'),
    )
    .action((flags: Parameters<typeof encodeCommand>[0]) => setExit(encodeCommand(flags)));
  cli
    .command('study')
    .description('run a study (signals x models x seeds) from a config file or a preset; resumable')
    .argument('[config]', 'a study file (JSON); see below')
    .option('--preset <name>', `a ready-made study: ${Object.keys(PRESETS).join(', ')}`)
    .option('--data <path>', 'with --preset: a folder of CIFAR-10/IDX files (image presets) or a Zhang CSV (text presets)')
    .option('--results <file>', "results file (JSON lines); default the config's")
    .option('--threads <n>', 'threads per cell, for the models that can use them (default 1)')
    .option('--parallel <n>', 'cells at once, each in a worker thread (default: cores / threads)')
    .option(
      '--shard <i/n|auto>',
      "run only shard i of n (cells balanced by cost); 'auto' reads Slurm array or Kubernetes Indexed Job variables",
    )
    .option('--completions <n>', "with --shard auto on Kubernetes: the Job's completions")
    .option(
      '--queue <redis-url>',
      'coordinate: enqueue the cells on a BullMQ queue (redis://host:6379/0) for `blindspots worker`s and collect their records',
    )
    .option('--queue-name <name>', 'with --queue: the queue (default blindspots)')
    .option('--redis-timeout <s>', 'with --queue: give up when Redis has not answered this long (default 60)')
    .addHelpText(
      'after',
      `\n${STUDY_FILE_HELP}\n\nPrints the study table when done. See also: blindspots report, blindspots merge, blindspots worker; docs/scale-out.md.`,
    )
    .action(async (config: string | undefined, flags: Parameters<typeof studyCommand>[1]) => setExit(await studyCommand(config, flags)));
  cli
    .command('worker')
    .description('pull study cells from a queue (blindspots study --queue) and run each in a child process; on any number of machines')
    .requiredOption('--queue <redis-url>', 'the Redis of the queue: redis://host:6379/0 (rediss:// for TLS)')
    .option('--queue-name <name>', 'the queue (default blindspots)')
    .option('--concurrency <k>', 'cells at once, each in its own process (default: cores / threads)')
    .option('--threads <t>', "threads per cell for models whose results do not depend on it (forests); others keep the study's")
    .option('--data <path>', "this machine's copy of the dataset folder or file, when not at the coordinator's path")
    .option('--idle-exit <s>', 'exit once the queue has had nothing to do for this long (batch jobs)')
    .option('--lock-duration <s>', 'how long a cell stays claimed without renewal (default 30; see docs/scale-out.md)')
    .option('--stalled-interval <s>', 'how often to look for cells of dead workers (default 15)')
    .option('--redis-timeout <s>', 'give up when Redis has not answered this long (default 60)')
    .addHelpText(
      'after',
      '\nSIGINT/SIGTERM: the running cells finish, then the worker exits; a second signal stops at once.\nSee docs/scale-out.md.',
    )
    .action(async (flags: WorkerFlags) => {
      // Loaded on demand: BullMQ and ioredis are for the queue commands only.
      const { workerCommand } = await import('./queueCommands.js');
      setExit(await workerCommand(flags));
    });
  cli
    .command('report')
    .description('tables and plots from one or more results files (duplicates merged by key)')
    .argument('<results...>', 'results files (JSON lines)')
    .addOption(
      new Option(
        '--format <format>',
        'md: signal x model accuracy (shuffled in brackets; mean ±sd n over seeds; the verdict where records keep predictions); paper: signal, ConvNet, best competing model; paired: per cell, 95% intervals, exact McNemar test of signal vs shuffled, verdict, k of n seeds; csv, json: one row per cell; svg: heatmap of the gain over clean; curves (accuracy, kernel norms, effective learning rate per epoch), sweep: line plots (SVG) into the --out folder',
      )
        .choices(REPORT_FORMATS)
        .default('md'),
    )
    .option('--out <file>', 'write to a file instead of stdout (a folder for curves and sweep)')
    .addOption(
      new Option('--epoch <which>', 'for models with learning curves: the last epoch or the peak one')
        .choices(['last', 'peak'])
        .default('last'),
    )
    .action((paths: string[], flags: { format?: string; out?: string; epoch?: string }) => setExit(reportCommand(paths, flags)));
  cli
    .command('merge')
    .description('merge results files (shards, workers) into one: one record per key')
    .argument('<results...>', 'results files (JSON lines)')
    .requiredOption('-o, --out <file>', 'the merged file')
    .option('--config <file>', "the study's config: list its cells still missing (exit 1 if any)")
    .option('--preset <name>', 'or the preset it ran')
    .option('--data <path>', 'with --preset: as for study')
    .action((paths: string[], flags: Parameters<typeof mergeCommand>[1]) => setExit(mergeCommand(paths, flags)));
  cli
    .command('env')
    .description('print version, Node and the glibc tunables in use')
    .action(() => {
      // What the process runs with, for bug reports and to check the huge-page relaunch.
      console.log(
        JSON.stringify({
          version: VERSION,
          node: process.version,
          platform: process.platform,
          glibcTunables: process.env.GLIBC_TUNABLES ?? null,
        }),
      );
    });
  cli.exitOverride();
  for (const sub of cli.commands) sub.exitOverride();
  return cli;
}

/** The CLI's entry point; returns the exit code. Typed errors print their message (no stack) and give 2. */
export async function main(argv: readonly string[]): Promise<number> {
  let code = 0;
  const cli = program((c) => (code = c));
  if (argv.length === 0) {
    cli.outputHelp();
    return 2;
  }
  try {
    await cli.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      // commander has printed help, the version or its error already.
      return e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help' ? 0 : 2;
    }
    if (!(e instanceof BlindspotsError)) throw e;
    // The message starts with the function: `blindspots study: …`, or a library function's name.
    console.error(e.details.fn.startsWith('blindspots') ? e.message : `blindspots: ${e.message}`);
    return 2;
  }
}
