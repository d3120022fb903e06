import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fail } from '../errors.js';

/**
 * A path inside an installed npm data package (resolved from this module, as Node would), or a
 * MISSING_DEPENDENCY error telling the user to install it or to pass `options.dir`.
 */
export function packagePath(fn: string, pkg: string, ...parts: string[]): string {
  try {
    const require = createRequire(import.meta.url);
    return join(dirname(require.resolve(`${pkg}/package.json`)), ...parts);
  } catch {
    throw fail('MISSING_DEPENDENCY', fn, 'options.dir', `the ${pkg} npm package (npm install ${pkg}) or options.dir`, 'not installed');
  }
}
