/**
 * Opens the database: PostgreSQL through `@prisma/adapter-pg` when a URL is
 * configured, otherwise an embedded PGlite directory so that a newcomer needs
 * no server. Both speak PostgreSQL, so one schema and one set of migrations
 * serve both.
 */
import { mkdir } from 'node:fs/promises';
import type { SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import pg from 'pg';
import { PrismaClient } from './generated/prisma/client.ts';

export type DatabaseTarget =
  | { kind: 'postgres'; url: string }
  | { kind: 'pglite'; dataDir: string };

export type Database = {
  prisma: PrismaClient;
  /** The same connection(s) Prisma runs on. */
  adapterFactory: SqlMigrationAwareDriverAdapterFactory;
  /**
   * For the migration runner. PostgreSQL: a connection of its own, closed when
   * the runner disposes it. The schema engine's advisory lock is per session:
   * taken through the shared pool, it stayed with whichever pooled connection
   * ran it, for as long as the server kept that connection busy, and every
   * other migrating process (each CLI command then) timed out waiting.
   */
  migrationAdapterFactory: SqlMigrationAwareDriverAdapterFactory;
  kind: DatabaseTarget['kind'];
  /** PostgreSQL only: the pool Prisma runs on, for the stores that speak SQL (sql-session.ts). */
  pool: pg.Pool | undefined;
  close(): Promise<void>;
};

/** Connections per process: enough for 40 webhook requests at once, whose transactions take ~1 ms. */
const POOL_SIZE = 10;

const pools = new WeakMap<PrismaClient, pg.Pool>();

/**
 * The `pg` pool under a client opened here (PostgreSQL), so that a store given
 * only the Prisma client can take the SQL path; undefined for PGlite.
 */
export function sqlPoolOf(prisma: PrismaClient): pg.Pool | undefined {
  return pools.get(prisma);
}

export type DatabaseOptions = {
  /**
   * Told when an idle pooled connection is lost (PostgreSQL stopped or restarted);
   * the pool replaces it on the next query. Connections in use report through
   * the failing query instead (sql-session.ts, Prisma's adapter).
   */
  onConnectionError?: (error: Error) => void;
};

export async function openDatabase(
  target: DatabaseTarget,
  options: DatabaseOptions = {},
): Promise<Database> {
  if (target.kind === 'postgres') {
    const { PrismaPg } = await import('@prisma/adapter-pg');
    // One pool for Prisma and the SQL stores, so a process holds POOL_SIZE connections, not twice.
    // A caller waits at most as long for a connection as Prisma's transactions did (maxWait 30 s).
    const pool = new pg.Pool({
      connectionString: target.url,
      max: POOL_SIZE,
      connectionTimeoutMillis: 30_000,
    });
    // An idle connection dropped by the server must not end the process; the next query reconnects.
    pool.on('error', (error) => options.onConnectionError?.(error));
    const adapterFactory = new PrismaPg(pool);
    const prisma = new PrismaClient({ adapter: adapterFactory });
    pools.set(prisma, pool);
    return {
      prisma,
      adapterFactory,
      migrationAdapterFactory: new PrismaPg({ connectionString: target.url, max: 1 }),
      kind: 'postgres',
      pool,
      async close() {
        await prisma.$disconnect();
        await pool.end();
      },
    };
  }
  const [{ PGlite }, { PrismaPGlite }] = await Promise.all([
    import('@electric-sql/pglite'),
    import('pglite-prisma-adapter'),
  ]);
  if (!target.dataDir.startsWith('memory://')) await mkdir(target.dataDir, { recursive: true });
  const pglite = await PGlite.create(target.dataDir);
  // pglite-prisma-adapter is built against an older driver-adapter-utils whose
  // types differ nominally; at run time it implements the same interface.
  const adapterFactory = new PrismaPGlite(
    pglite,
  ) as unknown as SqlMigrationAwareDriverAdapterFactory;
  const prisma = new PrismaClient({ adapter: adapterFactory });
  return {
    prisma,
    adapterFactory,
    // One connection in-process: nothing else can hold the lock.
    migrationAdapterFactory: adapterFactory,
    kind: 'pglite',
    pool: undefined,
    close: async () => {
      await prisma.$disconnect();
      await pglite.close();
    },
  };
}

/** True when the database answers a trivial query. */
export async function pingDatabase(db: Database): Promise<boolean> {
  try {
    await db.prisma.$queryRaw`SELECT 1`;
    return true;
  } catch {
    return false;
  }
}
