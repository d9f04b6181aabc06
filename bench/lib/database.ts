/**
 * A PostgreSQL database of the scenario's own, copied from the migrated
 * template the test suite uses (migrated here first when it does not exist
 * yet), and dropped at the end.
 */
import pg from 'pg';
import migrateTemplate from '../../tests/support/global-setup.ts';
import { createTestDatabase, type TestDatabase } from '../../tests/support/postgres.ts';

let template: Promise<void> | undefined;

export type BenchDatabase = TestDatabase & {
  /** A plain `pg` pool on the same database, for seeding and checks outside the product. */
  pool: pg.Pool;
};

export async function createBenchDatabase(): Promise<BenchDatabase> {
  template ??= migrateTemplate();
  await template;
  const db = await createTestDatabase();
  const pool = new pg.Pool({ connectionString: db.url, max: 4 });
  // An idle client error (the database dropped under it) must not end the run.
  pool.on('error', () => {});
  return {
    ...db,
    pool,
    async drop() {
      await pool.end().catch(() => {});
      await db.drop();
    },
  };
}

/** Runs `work` with a fresh database and always drops it. */
export async function withDatabase<T>(work: (db: BenchDatabase) => Promise<T>): Promise<T> {
  const db = await createBenchDatabase();
  try {
    return await work(db);
  } finally {
    await db.drop().catch(() => {});
  }
}
