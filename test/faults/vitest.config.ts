import { defineConfig } from 'vitest/config';

/** `pnpm test:faults`: the full-scale fault runs (faults.long.test.ts), which `pnpm test` leaves out. */
export default defineConfig({
  test: {
    root: new URL('../..', import.meta.url).pathname,
    include: ['test/faults/**/*.long.test.ts'],
    pool: 'forks',
    // One file at a time: the abuse suite measures /healthz latency and memory, which the
    // fault runs' load next to it would distort.
    fileParallelism: false,
    testTimeout: 600_000,
    hookTimeout: 120_000,
    globalSetup: ['./test/global-setup.ts'],
  },
});
