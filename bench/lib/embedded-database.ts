/**
 * An embedded (PGlite) data directory of the scenario's own, as `npm start`
 * keeps one: `<home>/pglite`, copied from the migrated directory the PGlite
 * test project uses (migrated here first when it does not exist yet), and
 * removed at the end.
 *
 * One process at a time may open it (src/store/embedded-host.ts): the
 * product (or the baseline server) does, and the scenario seeds, reads and
 * checks through the socket that process serves, as a CLI command does while
 * the server runs. (Opening it in the scenario's process as well would cost
 * a PGlite start, ~1 s, each time.)
 */
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { type Database, openDatabase } from '../../src/store/database.ts';
import { runDirOf } from '../../src/store/embedded-host.ts';
import { setupPglite } from '../../tests/support/global-setup.ts';
import { pgliteTemplateDir } from '../../tests/support/postgres.ts';

let template: Promise<void> | undefined;

export type EmbeddedBench = {
  /** What `YISHI_DATA_DIR` is set to for a process that should use this database. */
  home: string;
  dataDir: string;
  /** Runs `work` on the database through the socket of the process that serves it. */
  served<T>(work: (db: Database) => Promise<T>): Promise<T>;
  /** A `pg` client of its own on that socket. */
  connect(): Promise<pg.Client>;
};

export async function withEmbeddedDatabase<T>(work: (db: EmbeddedBench) => Promise<T>): Promise<T> {
  template ??= setupPglite();
  await template;
  const home = await mkdtemp(join(tmpdir(), 'yishi-bench-'));
  const dataDir = join(home, 'pglite');
  try {
    await cp(await pgliteTemplateDir(), dataDir, { recursive: true });
    return await work({
      home,
      dataDir,
      async served(use) {
        // A guest of the serving process, as a CLI command is; closed before that process stops,
        // which waits for its connected clients.
        const db = await openDatabase({ kind: 'pglite', dataDir });
        try {
          return await use(db);
        } finally {
          await db.close();
        }
      },
      async connect() {
        const client = new pg.Client({
          host: runDirOf(dataDir),
          user: 'postgres',
          database: 'postgres',
        });
        // The served socket closes a connection quiet for its idle bound; nothing to end the run.
        client.on('error', () => {});
        await client.connect();
        return client;
      },
    });
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}
