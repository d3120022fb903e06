/**
 * Builds the native kernels addon (native/binding.gyp: src/kernels/*.c once per instruction set,
 * native/addon.c) with node-gyp and copies it to prebuilds/<platform>-<arch>/, prebuildify's
 * layout, where node-gyp-build finds it (in this checkout and in the packed package):
 *
 *   npm run build:native
 *
 * Needs a C compiler and make (Debian: gcc, make) and the Node headers: those of the running Node
 * (`<prefix>/include/node`, which Debian's and NodeSource's nodejs packages and the official
 * tarballs have), or the folder `npm_config_nodedir` names; nothing is downloaded. node-gyp is
 * npm's own (npm puts it on the PATH of package scripts and names it in npm_config_node_gyp).
 * Installing the package never runs this: without a prebuild that loads, the kernels run as wasm.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** The folder whose include/node has the Node-API headers of the running Node, or undefined. */
export function nodeHeadersDir(): string | undefined {
  const candidates = [process.env.npm_config_nodedir, resolve(dirname(process.execPath), '..')];
  return candidates.find((d) => d !== undefined && d !== '' && existsSync(join(d, 'include', 'node', 'node_api.h')));
}

/** How to run node-gyp: npm's own when it can be found, else `node-gyp` on the PATH. */
function nodeGyp(): [string, string[]] {
  const candidates = [
    process.env.npm_config_node_gyp,
    resolve(dirname(process.execPath), '../lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js'),
  ];
  const script = candidates.find((p) => p !== undefined && p !== '' && existsSync(p));
  return script === undefined ? ['node-gyp', []] : [process.execPath, [script]];
}

/** The prebuild's path: prebuilds/<platform>-<arch>/node.napi[.<libc>].node, as prebuildify names it. */
export function prebuildPath(root = '.'): string {
  const musl = process.platform === 'linux' && existsSync('/etc/alpine-release');
  const libc = process.platform === 'linux' ? (musl ? '.musl' : '.glibc') : '';
  return join(root, 'prebuilds', `${process.platform}-${process.arch}`, `node.napi${libc}.node`);
}

/** Builds the addon and copies it to {@link prebuildPath}; returns that path. */
export function buildNative(): string {
  const headers = nodeHeadersDir();
  if (headers === undefined)
    throw new Error(
      `the Node headers (include/node/node_api.h) are not beside ${process.execPath}: install them with Node, or set npm_config_nodedir`,
    );
  const [command, prefix] = nodeGyp();
  execFileSync(command, [...prefix, 'rebuild', `--nodedir=${headers}`, '--loglevel=warn'], { cwd: 'native', stdio: 'inherit' });
  const built = join('native', 'build', 'Release', 'blindspots.node');
  const out = prebuildPath();
  mkdirSync(dirname(out), { recursive: true });
  // One prebuild per folder: node-gyp-build would pick among stale names too.
  for (const f of readdirSync(dirname(out))) rmSync(join(dirname(out), f));
  copyFileSync(built, out);
  return out;
}

if (import.meta.url === `file://${process.argv[1] ?? ''}`) {
  console.log(`wrote ${buildNative()}`);
}
