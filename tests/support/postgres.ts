/**
 * Test databases on the real PostgreSQL, or on PGlite when TEST_DRIVER=pglite
 * (the embedded default; vitest.config.ts runs the core and journey tests on
 * both). The global setup migrates one template per migrations checksum; each
 * test file copies it (CREATE DATABASE ... TEMPLATE on PostgreSQL, a directory
 * copy on PGlite), far faster than migrating.
 */
import { createHash, randomBytes } from 'node:crypto';
import { cp, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { MIGRATIONS_DIR } from '../../prisma/migrate.ts';
import { type Database, openDatabase } from '../../src/store/database.ts';
import type { PrismaClient } from '../../src/store/generated/prisma/client.ts';
import { testPrisma } from './test-prisma.ts';

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

export const TEST_DRIVER: 'postgres' | 'pglite' =
  process.env.TEST_DRIVER === 'pglite' ? 'pglite' : 'postgres';

/** The migrated PGlite directory test files copy (PGlite's `dataDir` convention: `<YISHI_DATA_DIR>/pglite`). */
export async function pgliteTemplateDir(): Promise<string> {
  return join(tmpdir(), `${await templateName()}_pglite`, 'pglite');
}

export type TestDatabase = Database & {
  /** For arranging and reading rows in tests (the product itself has no Prisma client). */
  prisma: PrismaClient;
  name: string;
  /** A `pg` connection string (PGlite: its socket). */
  url: string;
  /** What a child process (the CLI) is given to reach this database the way a user's would. */
  env: Record<string, string>;
  drop(): Promise<void>;
};

async function createPgliteDatabase(): Promise<TestDatabase> {
  const home = await mkdtemp(join(tmpdir(), 'yishi-t-'));
  const dataDir = join(home, 'pglite');
  await cp(await pgliteTemplateDir(), dataDir, { recursive: true });
  const db = await openDatabase({ kind: 'pglite', dataDir });
  const prisma = testPrisma(db.pool);
  return {
    ...db,
    prisma,
    name: home,
    url: `postgresql://postgres@localhost/postgres?host=${encodeURIComponent(`${dataDir}.run`)}`,
    env: { YISHI_DATA_DIR: home },
    async drop() {
      await prisma.$disconnect();
      await db.close();
      await rm(home, { recursive: true, force: true });
    },
  };
}

/** A fresh, migrated database of this test file's own; `drop()` removes it. */
export async function createTestDatabase(): Promise<TestDatabase> {
  if (TEST_DRIVER === 'pglite') return createPgliteDatabase();
  const template = await templateName();
  const name = `yishi_t_${randomBytes(6).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE ${name} TEMPLATE ${template}`));
  const url = urlFor(name);
  const db = await openDatabase({ kind: 'postgres', url });
  const prisma = testPrisma(db.pool);
  return {
    ...db,
    prisma,
    name,
    url,
    env: { DATABASE_URL: url },
    async drop() {
      await prisma.$disconnect();
      await db.close();
      await admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}
