/**
 * What Prisma's migration table says has been applied, read with a plain
 * query: no schema engine, so no advisory lock to wait for while a server
 * migrates.
 */
import type { Database } from './database.ts';

/** Names of the migrations the database finished (none on a database never migrated). */
export async function appliedMigrationNames({ sql }: Pick<Database, 'sql'>): Promise<string[]> {
  const [table] = await sql.query<{ present: boolean }>(
    `SELECT to_regclass('_prisma_migrations') IS NOT NULL AS present`,
  );
  if (!table?.present) return [];
  const rows = await sql.query<{ name: string }>(
    `SELECT migration_name AS name FROM _prisma_migrations
     WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
  );
  return rows.map((r) => r.name);
}
