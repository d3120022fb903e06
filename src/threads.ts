import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

/**
 * A worker thread running the module `name` (without extension) next to `moduleUrl`: the built
 * `.js` file; when the library runs from its TypeScript source (its own tests and scripts), the
 * `.ts` file through tsx's loader, registered in the worker first since workers do not inherit
 * the parent's module hooks.
 */
export function spawnWorker(moduleUrl: string, name: string): Worker {
  // The parent's --input-type (node -e scripts) would make the worker refuse its file.
  const execArgv = process.execArgv.filter((a) => !a.startsWith('--input-type'));
  if (!moduleUrl.endsWith('.ts')) return new Worker(new URL(`./${name}.js`, moduleUrl), { execArgv });
  const tsx = createRequire(moduleUrl).resolve('tsx/cjs/api');
  const file = fileURLToPath(new URL(`./${name}.ts`, moduleUrl));
  return new Worker(`require(${JSON.stringify(tsx)}).register(); require(${JSON.stringify(file)});`, { eval: true, execArgv });
}
