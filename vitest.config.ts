import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    globalSetup: ['tests/support/tempRoot.ts'],
    testTimeout: 20_000,
    hookTimeout: 60_000,
    // Suites start real servers and child processes; two cores do not gain from more.
    maxWorkers: 2,
    pool: 'forks',
  },
});
