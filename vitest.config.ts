import { defineConfig } from 'vitest/config';

// The tests that hold the use cases and the Telegram journey run a second time
// on PGlite, the embedded default a newcomer's `npm start` uses (TEST_DRIVER,
// tests/support/postgres.ts), as BullMQ runs one suite per backend.
const ON_BOTH_DRIVERS = [
  'tests/integration/core/*.test.ts',
  'tests/integration/foundation/pipelined-transactions.test.ts',
  'tests/e2e/telegram/journey.test.ts',
];

const shared = {
  pool: 'forks',
  // Integration files each get their own database copied from a migrated template.
  fileParallelism: true,
  testTimeout: 60_000,
  hookTimeout: 120_000,
} as const;

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          ...shared,
          name: 'postgres',
          include: ['tests/**/*.test.ts'],
          globalSetup: ['tests/support/global-setup.ts'],
        },
      },
      {
        test: {
          ...shared,
          name: 'pglite',
          include: ON_BOTH_DRIVERS,
          globalSetup: ['tests/support/global-setup-pglite.ts'],
          env: { TEST_DRIVER: 'pglite' },
        },
      },
    ],
  },
});
