/**
 * A PostgreSQL cluster of the test's own (initdb + pg_ctl in a temp dir, on a
 * free port), so a test may stop it the hard way (`pg_ctl stop -m immediate`,
 * as a crash or a cut cable would) and start it again without touching the
 * machine's own server. One database in it, migrated; the returned object is a
 * {@link TestDatabase}, so the usual seeding helpers work on it.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { applyMigrations } from '../../prisma/migrate.ts';
import { openDatabase } from '../../src/store/database.ts';
import type { TestDatabase } from './postgres.ts';
import { freePort } from './processes.ts';
import { testPrisma } from './test-prisma.ts';

const run = promisify(execFile);

function binDir(): string {
  const root = '/usr/lib/postgresql';
  const [newest] = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'pg_ctl')))
    .sort((a, b) => Number(b) - Number(a));
  if (!newest) throw new Error(`no PostgreSQL server binaries under ${root}`);
  return join(root, newest, 'bin');
}

export type ThrowawayPostgres = TestDatabase & {
  port: number;
  /** `pg_ctl stop -m immediate`: every connection drops at once, no shutdown checkpoint. */
  crash(): Promise<void>;
  /** Starts the cluster again (crash recovery) and resolves once it accepts connections. */
  start(): Promise<void>;
};

export async function startThrowawayPostgres(): Promise<ThrowawayPostgres> {
  const bin = binDir();
  const dir = await mkdtemp(join(tmpdir(), 'yishi-pg-'));
  const data = join(dir, 'data');
  // initdb refuses to run as root: the cluster belongs to the postgres user then.
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    await chown(dir, Number(stdout.trim()), Number(gid.trim()));
  }
  const pgRun = (tool: string, args: string[]) =>
    asRoot
      ? run('runuser', ['-u', 'postgres', '--', join(bin, tool), ...args])
      : run(join(bin, tool), args);
  await pgRun('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  const port = await freePort();
  const options = [
    `-p ${port}`,
    `-k ${dir}`,
    '-c listen_addresses=127.0.0.1',
    // Safe for a stopped server (the OS keeps what was written); synchronous_commit stays on,
    // or an immediate stop would lose commits already answered.
    '-c fsync=off',
    '-c full_page_writes=off',
  ].join(' ');
  const start = async () => {
    await pgRun('pg_ctl', ['-D', data, '-o', options, '-l', join(dir, 'log'), '-w', 'start']);
  };
  await start();

  const name = 'yishi';
  const admin = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = `postgresql://postgres@127.0.0.1:${port}/${name}`;
  const db = await openDatabase({ kind: 'postgres', url });
  await applyMigrations(await db.migrationAdapter());

  const prisma = testPrisma(db.pool);
  let stopped = false;
  return {
    ...db,
    prisma,
    name,
    url,
    env: { DATABASE_URL: url },
    port,
    async crash() {
      await pgRun('pg_ctl', ['-D', data, '-m', 'immediate', 'stop']);
      stopped = true;
    },
    async start() {
      await start();
      stopped = false;
    },
    async drop() {
      await prisma.$disconnect().catch(() => {});
      await db.close().catch(() => {});
      if (!stopped) await pgRun('pg_ctl', ['-D', data, '-m', 'immediate', 'stop']).catch(() => {});
      await rm(dir, { recursive: true, force: true });
    },
  };
}
