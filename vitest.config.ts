import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration suites start private servers; keep file parallelism modest on 2-core machines.
    maxWorkers: 2,
    globalSetup: ['test/support/global-setup.ts'],
  },
});
