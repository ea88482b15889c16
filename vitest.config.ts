import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/*/src/**/*.test.ts', 'apps/*/src/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: ['**/node_modules/**', 'test/faults/**/*.long.test.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    globalSetup: ['./test/global-setup.ts'],
    // Fails a test that leaves a worker, timer or connection open (see the file for where it does not look).
    setupFiles: ['./packages/testing/src/leak-check.ts'],
    // .ci/run sets FLOWQ_TEST_REPORT to sum the whole run into its last line.
    reporters: process.env.FLOWQ_TEST_REPORT ? ['default', 'json'] : ['default'],
    ...(process.env.FLOWQ_TEST_REPORT ? { outputFile: { json: process.env.FLOWQ_TEST_REPORT } } : {}),
  },
});
