import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/support/setup.ts'],
    // each test file gets its own database, so files run in parallel safely
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
