import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // package.json "imports" maps #platform into dist/; tests run the Node side from src/ (as
    // tsconfig.json "paths" does for tsc and tsx).
    alias: [{ find: /^#platform$/, replacement: fileURLToPath(new URL('./src/platform/node.ts', import.meta.url)) }],
  },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // tfjs keeps one global engine per process; isolating files in forks keeps the
    // tensor-leak checks of one file from seeing another file's tensors.
    pool: 'forks',
  },
});
