import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // graphql ships CommonJS (`main`) and ESM (`module`) copies. Node, and so Mercurius, loads
    // the CommonJS one; Vite would give our code the other, and graphql refuses to mix objects
    // of two copies ("from another module or realm"). One copy, as in production.
    alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }],
  },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['tests/**/*.unit.test.ts'],
          // Fast tests first; the integration project then runs with its own worker limit.
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['tests/**/*.int.test.ts', 'tests/**/*.e2e.test.ts'],
          // Starts (or finds) PostgreSQL, Redis and a Kafka broker once per run.
          globalSetup: ['tests/setup/globalSetup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          // Two cores: more forks than that only makes the broker and PostgreSQL slower.
          maxWorkers: 2,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
