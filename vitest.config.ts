import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/**
 * Two tiers (docs/contributing.md): `unit` is what `npm test` runs after every change; files named
 * *.integration.test.ts need the outside world or minutes (Redis, npm pack, Chromium, Python,
 * child processes, the examples, training on threads) and run with `npm run test:all`, which CI runs.
 */
const INTEGRATION = 'test/**/*.integration.test.ts';

export default defineConfig({
  resolve: {
    // package.json "imports" maps #platform into dist/; tests run the Node side from src/ (as
    // tsconfig.json "paths" does for tsc and tsx).
    alias: [{ find: /^#platform$/, replacement: fileURLToPath(new URL('./src/platform/node.ts', import.meta.url)) }],
  },
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // tfjs keeps one global engine per process; isolating files in forks keeps the
    // tensor-leak checks of one file from seeing another file's tensors.
    pool: 'forks',
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: [INTEGRATION] } },
      { extends: true, test: { name: 'integration', include: [INTEGRATION] } },
    ],
  },
});
