/**
 * An embedded (PGlite) data directory of the scenario's own, as `npm start`
 * keeps one: `<home>/pglite`, copied from the migrated directory the PGlite
 * test project uses (migrated here first when it does not exist yet), and
 * removed at the end.
 *
 * One process at a time may open it (src/store/embedded-host.ts). The
 * scenario opens it itself, as a CLI command with no server does, to seed
 * before the product starts and to check after it stopped; while the
 * product (or the baseline server) holds it, the scenario reads through the
 * socket that process serves, as a CLI command would.
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
  /** Opens the directory in this process (nothing else may hold it), runs `work`, closes it. */
  open<T>(work: (db: Database) => Promise<T>): Promise<T>;
  /** A `pg` client on the socket of the process that serves the directory. */
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
      async open(use) {
        // exclusive: a product process still holding it would make this a guest of it.
        const db = await openDatabase({ kind: 'pglite', dataDir }, { exclusive: true });
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
