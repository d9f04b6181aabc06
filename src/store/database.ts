/**
 * Opens the database: PostgreSQL when a URL is configured, otherwise an
 * embedded PGlite directory so that a newcomer needs no server. Both are
 * reached through one `pg` pool (PGlite through the unix socket it is served
 * on, embedded-host.ts), and every store speaks SQL to it (sql-driver.ts).
 * Prisma keeps the schema and the migrations.
 */
import type { SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import pg from 'pg';
import { YishiError } from '../errors.ts';
import { openEmbedded, ownerAlive } from './embedded-host.ts';
import { poolDriver, type SqlDriver } from './sql-driver.ts';

export type DatabaseTarget =
  | { kind: 'postgres'; url: string }
  | { kind: 'pglite'; dataDir: string };

export type Database = {
  kind: DatabaseTarget['kind'];
  /** What every store runs its statements through. */
  sql: SqlDriver;
  /** The pool under `sql`, for seeding scripts and benchmarks. */
  pool: pg.Pool;
  /**
   * For the migration runner: a connection of its own, closed when the
   * runner disposes it, with no statement or idle timeouts (a migration may
   * take long). The schema engine's advisory lock is per session: taken
   * through the shared pool, it stayed with whichever pooled connection ran
   * it, and every other migrating process timed out waiting.
   */
  migrationAdapter(): Promise<SqlMigrationAwareDriverAdapterFactory>;
  close(): Promise<void>;
};

/** Bounds on the application's connections, so that no transaction holds rows forever. */
export type DatabaseTimeouts = {
  /** A statement running longer is cancelled. */
  statementMs: number;
  /** A transaction left idle longer is ended with its connection. */
  idleInTransactionMs: number;
};

export const DEFAULT_TIMEOUTS: DatabaseTimeouts = {
  statementMs: 30_000,
  idleInTransactionMs: 30_000,
};

/** Connections per process: enough for 40 webhook requests at once, whose transactions take ~1 ms. */
const POOL_SIZE = 10;

export type DatabaseOptions = {
  /**
   * Told when an idle pooled connection is lost (PostgreSQL stopped or restarted);
   * the pool replaces it on the next query. Connections in use report through
   * the failing query instead (sql-session.ts).
   */
  onConnectionError?: (error: Error) => void;
  timeouts?: DatabaseTimeouts;
  /**
   * Embedded only: refuse (`database_in_use`) when another process serves the
   * directory, instead of going through it. The server is exclusive; CLI
   * commands share.
   */
  exclusive?: boolean;
};

async function migrationAdapter(
  config: pg.PoolConfig,
): Promise<SqlMigrationAwareDriverAdapterFactory> {
  const { PrismaPg } = await import('@prisma/adapter-pg');
  return new PrismaPg({ ...config, max: 1 });
}

function openPool(
  connection: pg.PoolConfig,
  max: number,
  timeouts: DatabaseTimeouts,
  options: DatabaseOptions,
  { keepIdle = false } = {},
): pg.Pool {
  // A caller waits at most 30 s for a connection, as long as a statement may run.
  const pool = new pg.Pool({
    ...connection,
    max,
    connectionTimeoutMillis: 30_000,
    statement_timeout: timeouts.statementMs,
    idle_in_transaction_session_timeout: timeouts.idleInTransactionMs,
    // Below the embedded socket's idle bound, so the pool retires a quiet connection before it is cut.
    idleTimeoutMillis: keepIdle
      ? 0
      : Math.min(10_000, Math.floor(timeouts.idleInTransactionMs / 2)),
  });
  // An idle connection dropped by the server must not end the process; the next query reconnects.
  pool.on('error', (error) => options.onConnectionError?.(error));
  return pool;
}

function database(
  kind: Database['kind'],
  pool: pg.Pool,
  migrationConnection: pg.PoolConfig,
  release: () => Promise<void>,
): Database {
  return {
    kind,
    sql: poolDriver(pool, { named: kind === 'postgres' }),
    pool,
    // Loaded when asked for: only the migrating processes need the adapter.
    migrationAdapter: () => migrationAdapter(migrationConnection),
    async close() {
      await pool.end();
      await release();
    },
  };
}

/**
 * The embedded directory, served by this process or by the one that holds it.
 * A guest's pool makes its one connection before it is handed out: the owner
 * may be a CLI command that stops taking connections when its own work is
 * done (it waits for the connected ones), and a guest that finds it gone
 * tries the lock again, so it becomes the next owner or the next one's guest.
 */
async function openEmbeddedPool(
  dataDir: string,
  timeouts: DatabaseTimeouts,
  options: DatabaseOptions,
): Promise<{ pool: pg.Pool; connection: pg.PoolConfig; release: () => Promise<void> }> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const access = await openEmbedded(dataDir, {
      exclusive: options.exclusive ?? false,
      timeouts: { idleMs: timeouts.idleInTransactionMs },
    });
    const connection = { host: access.socketDir, user: 'postgres', database: 'postgres' };
    if (access.role === 'owner') {
      try {
        // One connection per process: PGlite runs one statement at a time anyway.
        const pool = openPool(connection, 1, timeouts, options);
        return { pool, connection, release: () => access.close() };
      } catch (error) {
        await access.close();
        throw error;
      }
    }
    // Kept open while the command runs (the owner's idle bound ends a quiet one), so an owner
    // that stops taking connections does not strand it between two statements.
    const pool = openPool(connection, 1, timeouts, options, { keepIdle: true });
    // The owner may still be opening the directory (its socket appears when it is ready) or be closing.
    const ready = await pool.query('SELECT 1').then(
      () => true,
      () => false,
    );
    if (ready) return { pool, connection, release: async () => {} };
    await pool.end().catch(() => {});
    if (Date.now() > deadline) {
      throw new YishiError(
        'database_in_use',
        `the embedded database ${dataDir} is held by process ${access.ownerPid}, which does not answer on ${access.socketDir}; stop that process`,
      );
    }
    // Polled: the owner is another process, with nothing to await but its socket file.
    if (await ownerAlive(dataDir)) await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export async function openDatabase(
  target: DatabaseTarget,
  options: DatabaseOptions = {},
): Promise<Database> {
  const timeouts = options.timeouts ?? DEFAULT_TIMEOUTS;
  if (target.kind === 'postgres') {
    // Pipelined: a transaction's BEGIN and COMMIT ride with its statements (sql-session.ts).
    // Not the embedded pool: through PGlite's socket a statement refused mid-pipeline broke the
    // connection (database_unreachable instead of its SQLSTATE), though the tally ran 25 % faster.
    const pool = openPool(
      { connectionString: target.url, pipeline: true },
      POOL_SIZE,
      timeouts,
      options,
    );
    return database('postgres', pool, { connectionString: target.url }, async () => {});
  }
  const { pool, connection, release } = await openEmbeddedPool(target.dataDir, timeouts, options);
  return database('pglite', pool, connection, release);
}

/** True when the database answers a trivial query. */
export async function pingDatabase(db: Database): Promise<boolean> {
  try {
    await db.pool.query('SELECT 1');
    return true;
  } catch {
    return false;
  }
}
