/**
 * Only `yishi db migrate` and the server's start migrate. Prisma's schema
 * engine serialises migrations with a session advisory lock; a CLI command
 * that migrated waited on it (10 s, then "Timed out trying to acquire a
 * postgres advisory lock") whenever a server was starting or still held it.
 */
import { randomUUID } from 'node:crypto';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyMigrations, MIGRATIONS_DIR, migrationNames } from '../../../prisma/migrate.ts';
import { openDatabase } from '../../../src/store/database.ts';
import { admin, urlFor } from '../../support/postgres.ts';
import { freePort, runCli, startGateway, startRedis } from '../../support/processes.ts';

/** The key of the schema engine's `pg_advisory_lock` (its error message names it). */
const MIGRATION_LOCK = 72707369;
const PARALLEL = 20;

const percentile = (sorted: readonly number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;

async function until<T>(what: string, probe: () => Promise<T | false>, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await probe();
    if (found !== false) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('committee CLI while the server starts', () => {
  const name = `yishi_t_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const url = urlFor(name);
  const communityId = randomUUID();
  let last: string;
  let probe: pg.Client;

  beforeAll(async () => {
    // A database one migration behind this version, holding a community.
    const names = await migrationNames();
    last = names.at(-1) ?? '';
    const older = await mkdtemp(join(tmpdir(), 'yishi-migrations-'));
    try {
      await cp(MIGRATIONS_DIR, older, { recursive: true });
      await rm(join(older, last), { recursive: true });
      await admin((c) => c.query(`CREATE DATABASE ${name}`));
      const db = await openDatabase({ kind: 'postgres', url });
      try {
        await applyMigrations(await db.migrationAdapter(), older);
      } finally {
        await db.close();
      }
    } finally {
      await rm(older, { recursive: true, force: true });
    }
    probe = new pg.Client({ connectionString: url });
    await probe.connect();
    await probe.query(`INSERT INTO "Community" (id, name) VALUES ($1, '幸福里社区')`, [
      communityId,
    ]);
  });
  afterAll(async () => {
    await probe?.end();
    await admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  });

  const applied = async () =>
    (
      await probe.query<{ name: string }>(
        'SELECT migration_name AS name FROM _prisma_migrations WHERE finished_at IS NOT NULL',
      )
    ).rows.map((r) => r.name);
  const lockHolders = async () =>
    Number(
      (
        await probe.query<{ n: string }>(
          `SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND objid = $1 AND granted`,
          [MIGRATION_LOCK],
        )
      ).rows[0]?.n,
    );
  const status = async () => {
    const started = performance.now();
    const run = await runCli(['status', '--community', communityId, '--json'], {
      DATABASE_URL: url,
    });
    return { ...run, ms: performance.now() - started };
  };

  it('a command on a database behind says in one line to run `npx yishi db migrate`, and migrates nothing', async () => {
    const run = await status();
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toContain('1 migration(s) behind');
    expect(run.stderr).toContain('npx yishi db migrate');
    expect(await applied()).not.toContain(last);
  });

  it(`${PARALLEL} status commands run while the server starts; its start migrates and lets go of the lock`, async () => {
    const redis = await startRedis();
    const starting = startGateway({
      DATABASE_URL: url,
      REDIS_URL: redis.url,
      PORT: String(await freePort()),
    });
    let exited: unknown;
    starting.catch((error: unknown) => {
      exited = error;
    });
    const migrated = async () => {
      if (exited) throw exited;
      return (await applied()).includes(last);
    };
    try {
      // The start applies the pending migration, then closes the connection that held the lock.
      await until('the start to apply the migration', migrated, 60_000);
      const recordedAt = performance.now();
      await until(
        'the server to let go of the lock',
        async () => (await lockHolders()) === 0,
        5_000,
      );
      const releasedMs = performance.now() - recordedAt;

      // Another process migrating now holds the lock: a command that touched it would
      // wait 10 s and fail with the engine's timeout.
      const other = new pg.Client({ connectionString: url });
      await other.connect();
      await other.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
      let runs: Awaited<ReturnType<typeof status>>[];
      try {
        runs = await Promise.all(Array.from({ length: PARALLEL }, status));
      } finally {
        await other.end();
      }
      for (const run of runs) {
        expect(run.stderr).toBe('');
        expect(run.code).toBe(0);
        expect(JSON.parse(run.stdout)).toEqual([]);
      }
      const ms = runs.map((r) => r.ms).sort((a, b) => a - b);
      console.info(
        `${PARALLEL} parallel \`yishi status --json\` while the server started: p50 ${Math.round(percentile(ms, 50))} ms, max ${Math.round(ms.at(-1) ?? 0)} ms; lock released ${Math.round(releasedMs)} ms after the migration was recorded`,
      );

      const gateway = await starting;
      expect(gateway.logs()).toContain('migrations applied');
      expect(gateway.logs()).toContain(last);
      expect(await gateway.stop()).toBe(0);
    } finally {
      await (await starting.catch(() => undefined))?.stop();
      await redis.stop();
    }
  }, 180_000);
});
