import { defineConfig } from 'vitest/config';

/**
 * Files that start whole systems of processes (API, simulator, several workers) and time what
 * they do: they run after everything else, one at a time, so a loaded 2-core CI machine measures
 * flowq rather than the other test files.
 */
const ALONE = ['test/faults/faults.test.ts', 'test/scheduler-multi-process.test.ts'];

export default defineConfig({
  test: {
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    globalSetup: ['./test/global-setup.ts'],
    // Fails a test that leaves a worker, timer or connection open (see the file for where it does not look).
    setupFiles: ['./packages/testing/src/leak-check.ts'],
    // .ci/run sets FLOWQ_TEST_REPORT to sum the whole run into its last line.
    reporters: process.env.FLOWQ_TEST_REPORT ? ['default', 'json'] : ['default'],
    ...(process.env.FLOWQ_TEST_REPORT ? { outputFile: { json: process.env.FLOWQ_TEST_REPORT } } : {}),
    projects: [
      {
        extends: true,
        test: {
          name: 'suite',
          include: ['packages/*/src/**/*.test.ts', 'apps/*/src/**/*.test.ts', 'test/**/*.test.ts'],
          exclude: ['**/node_modules/**', 'test/faults/**/*.long.test.ts', ...ALONE],
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'alone',
          include: ALONE,
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
