import { readFileSync } from 'node:fs';
import { fail } from '../errors.js';
import { PRESETS } from '../study/spec/presets.js';
import { datasetSpecFor, type StudyFile } from '../study/spec/prepare.js';
import type { StudyFlags } from './flags.js';

/** Reads a study file (JSON), or a preset, and applies the command-line overrides. */
export function studyFileOf(
  configPath: string | undefined,
  flags: Pick<StudyFlags, 'preset' | 'data' | 'results'>,
  cmd = 'blindspots study',
): StudyFile {
  let file: StudyFile;
  if (flags.preset !== undefined) {
    if (configPath !== undefined) throw fail('INVALID_ARGUMENT', cmd, 'config', 'a config file or --preset, not both', configPath);
    const p = Object.hasOwn(PRESETS, flags.preset) ? PRESETS[flags.preset] : undefined;
    if (p === undefined)
      throw fail('UNKNOWN_NAME', cmd, '--preset', `one of ${Object.keys(PRESETS).join(', ')}`, JSON.stringify(flags.preset));
    file = p;
    if (flags.data !== undefined) {
      // Text presets read a Zhang et al. CSV; image presets a folder of CIFAR-10 or IDX files.
      file = { ...file, dataset: file.dataset === 'spam-assassin' ? { zhangCsv: flags.data } : datasetSpecFor(flags.data, cmd) };
    }
  } else {
    if (configPath === undefined)
      throw fail('INVALID_ARGUMENT', cmd, 'config', 'a config file or --preset (see blindspots study --help)', 'neither');
    if (flags.data !== undefined)
      throw fail('INVALID_ARGUMENT', cmd, '--data', '--data with --preset only (a config file names its dataset)', flags.data);
    let text: string;
    try {
      text = readFileSync(configPath, 'utf8');
    } catch (e) {
      throw fail(
        'INVALID_ARGUMENT',
        cmd,
        'config',
        'a readable JSON file',
        `${configPath}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found' : (e as Error).message}`,
      );
    }
    try {
      file = JSON.parse(text) as StudyFile;
    } catch (e) {
      throw fail('DATA_FORMAT', cmd, 'config', 'a JSON study file', `${configPath}: ${(e as Error).message}`);
    }
  }
  if (flags.results !== undefined) file = { ...file, results: flags.results };
  return file;
}
