import { existsSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { applyMigrations } from '../../prisma/migrate.ts';
import { openDatabase } from '../../src/store/database.ts';
import { admin, pgliteTemplateDir, templateName, urlFor } from './postgres.ts';

/** Migrates the PGlite directory the test files copy, once per migrations checksum. */
export async function setupPglite(): Promise<void> {
  const dir = await pgliteTemplateDir();
  if (existsSync(dir)) return;
  const building = `${dir}-building-${process.pid}`;
  const db = await openDatabase({ kind: 'pglite', dataDir: building });
  try {
    await applyMigrations(await db.migrationAdapter());
  } finally {
    await db.close();
  }
  // Renamed into place so a concurrent run never copies a half-migrated directory.
  await rename(building, dir).catch(() => rm(building, { recursive: true, force: true }));
  await rm(`${building}.run`, { recursive: true, force: true });
}

/** Migrates the template database that every integration test file copies. */
export default async function setup(): Promise<void> {
  const template = await templateName();
  const exists = await admin(
    async (c) =>
      (await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [template])).rowCount === 1,
  );
  // Templates of earlier migration sets only take space.
  const stale = await admin(
    async (c) =>
      (
        await c.query(
          "SELECT datname FROM pg_database WHERE datname LIKE 'yishi_template_%' AND datname <> $1",
          [template],
        )
      ).rows as { datname: string }[],
  );
  for (const { datname } of stale) {
    await admin((c) => c.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`)).catch(() => {});
  }
  if (exists) return;
  const building = `${template}_building_${process.pid}`;
  await admin((c) => c.query(`CREATE DATABASE ${building}`));
  const db = await openDatabase({ kind: 'postgres', url: urlFor(building) });
  try {
    await applyMigrations(await db.migrationAdapter());
  } finally {
    await db.close();
  }
  // Rename into place so a concurrent run never copies a half-migrated template.
  await admin(async (c) => {
    try {
      await c.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [
        building,
      ]);
      await c.query(`ALTER DATABASE ${building} RENAME TO ${template}`);
    } catch {
      await c.query(`DROP DATABASE IF EXISTS ${building} WITH (FORCE)`);
    }
  });
}
