import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // tfjs keeps one global engine per process; isolating files in forks keeps the
    // tensor-leak checks of one file from seeing another file's tensors.
    pool: 'forks',
  },
});
