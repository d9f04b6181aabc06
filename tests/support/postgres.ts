/**
 * Test databases on the real PostgreSQL. The global setup migrates one
 * template database per migrations checksum; each test file copies it
 * (CREATE DATABASE ... TEMPLATE is a file copy, far faster than migrating).
 */
import { createHash, randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { MIGRATIONS_DIR } from '../../prisma/migrate.ts';
import { type Database, openDatabase } from '../../src/store/database.ts';

export const ADMIN_URL =
  process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';

export function urlFor(database: string): string {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${database}`;
  return url.toString();
}

export async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export async function templateName(): Promise<string> {
  const hash = createHash('sha256');
  for (const dir of (await readdir(MIGRATIONS_DIR)).sort()) {
    if (dir.endsWith('.toml')) continue;
    hash.update(dir).update(await readFile(join(MIGRATIONS_DIR, dir, 'migration.sql')));
  }
  return `yishi_template_${hash.digest('hex').slice(0, 12)}`;
}

export type TestDatabase = Database & { name: string; url: string; drop(): Promise<void> };

/** A fresh, migrated database of this test file's own; `drop()` removes it. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const template = await templateName();
  const name = `yishi_t_${randomBytes(6).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE ${name} TEMPLATE ${template}`));
  const url = urlFor(name);
  const db = await openDatabase({ kind: 'postgres', url });
  return {
    ...db,
    name,
    url,
    async drop() {
      await db.close();
      await admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}
