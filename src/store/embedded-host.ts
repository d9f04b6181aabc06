/**
 * One process at a time opens an embedded (PGlite) data directory: two
 * processes writing one directory corrupt it. The process that holds the
 * directory's lock serves the database on a unix socket next to it; every
 * other yishi process (a CLI command while the server runs) connects to that
 * socket with `pg`, as to PostgreSQL. The owner itself goes through the socket
 * too: one driver, one set of types, and `pg`'s named statements are cheaper
 * than PGlite's own query API (a vote-like transaction of 5 statements:
 * 1.4 ms over the socket, 2.1 ms through `PGlite.transaction`).
 */
import { mkdir, mkdtemp, open, readFile, rm, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { YishiError } from '../errors.ts';

/** Where a data directory's lock and socket live: beside it, not in it (PGlite owns its files). */
export function runDirOf(dataDir: string): string {
  return `${dataDir}.run`;
}

/** `pg`'s unix-socket convention: host is the directory, the file is `.s.PGSQL.<port>`. */
export const SOCKET_PORT = 5432;
const socketFile = (runDir: string) => `${runDir}/.s.PGSQL.${SOCKET_PORT}`;
const lockFile = (runDir: string) => `${runDir}/lock`;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists under another user.
    return (error as { code?: unknown }).code === 'EPERM';
  }
}

async function holderOf(runDir: string): Promise<number | undefined> {
  const text = await readFile(lockFile(runDir), 'utf8').catch(() => '');
  const pid = Number.parseInt(text, 10);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

export type EmbeddedAccess =
  | { role: 'owner'; socketDir: string; close(): Promise<void> }
  | { role: 'guest'; socketDir: string; ownerPid: number };

export type EmbeddedTimeouts = {
  /** A connection quiet this long is closed, rolling back its open transaction (PGlite has no timers of its own). */
  idleMs: number;
};

async function claimLock(runDir: string): Promise<number | 'claimed'> {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const handle = await open(lockFile(runDir), 'wx', 0o600);
      await handle.writeFile(String(process.pid));
      await handle.close();
      return 'claimed';
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'EEXIST') throw error;
    }
    const pid = await holderOf(runDir);
    if (pid !== undefined && pid !== process.pid && alive(pid)) return pid;
    // Stale: its process is gone (killed, crashed); the directory is free.
    await unlink(lockFile(runDir)).catch(() => {});
  }
  throw new YishiError('database_in_use', `cannot take the lock ${lockFile(runDir)}`);
}

// Frontend message types (the first byte): an extended-protocol exchange runs from its first
// Parse/Bind/Describe/Execute/Close/Flush to its Sync; a simple Query is whole on its own.
const EXCHANGE = new Set([...'PBDECH'].map((c) => c.charCodeAt(0)));
const ENDS_EXCHANGE = new Set([...'SQ'].map((c) => c.charCodeAt(0)));

/**
 * PGlite as the socket server sees it, so that one client's exchange is never
 * interleaved with another's. The server queues every connection's messages
 * one at a time and keeps to one connection only while PGlite is inside a
 * transaction; between transactions it took turns message by message, so two
 * processes' Parse/Bind pairs on PGlite's one session could bind each other's
 * statement. Reporting "in a transaction" from a client's first message to its
 * Sync makes the server keep to that client until the exchange is whole.
 */
function oneExchangeAtATime(pglite: PGlite): PGlite {
  let exchangeOpen = false;
  return new Proxy(pglite, {
    get(target, key) {
      if (key === 'isInTransaction') return () => exchangeOpen || target.isInTransaction();
      if (key === 'execProtocolRawStream') {
        return (message: Uint8Array, options: Parameters<PGlite['execProtocolRawStream']>[1]) => {
          const type = message[0] ?? 0;
          if (ENDS_EXCHANGE.has(type)) exchangeOpen = false;
          else if (EXCHANGE.has(type)) exchangeOpen = true;
          return target.execProtocolRawStream(message, options);
        };
      }
      // The server's ROLLBACK for a client that left mid-exchange: nobody's exchange is open after it.
      if (key === 'exec') {
        return (query: string) => {
          exchangeOpen = false;
          return target.exec(query);
        };
      }
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/**
 * Opens `dataDir` and serves it (this process takes the lock), or finds the
 * process that serves it. With `exclusive`, a directory another live process
 * holds is refused: `YishiError` `database_in_use`, one line naming the pid.
 */
export async function openEmbedded(
  dataDir: string,
  options: { exclusive: boolean; timeouts: EmbeddedTimeouts },
): Promise<EmbeddedAccess> {
  // An in-memory database (tests, `db migration`) is this process's alone: a private run directory.
  const inMemory = dataDir.startsWith('memory://');
  const runDir = inMemory ? await mkdtemp(join(tmpdir(), 'yishi-pglite-')) : runDirOf(dataDir);
  await mkdir(runDir, { recursive: true, mode: 0o700 });
  const claim = await claimLock(runDir);
  if (claim !== 'claimed') {
    if (options.exclusive) {
      throw new YishiError(
        'database_in_use',
        `the embedded database ${dataDir} is in use by process ${claim}; stop that process first (or set DATABASE_URL to use PostgreSQL)`,
      );
    }
    return { role: 'guest', socketDir: runDir, ownerPid: claim };
  }
  try {
    const [{ PGlite }, { PGLiteSocketServer }] = await Promise.all([
      import('@electric-sql/pglite'),
      import('@electric-sql/pglite-socket'),
    ]);
    if (!inMemory) await mkdir(dataDir, { recursive: true });
    const pglite = await PGlite.create(dataDir);
    // Left behind by an owner that was killed; the lock says nobody serves it now.
    await rm(socketFile(runDir), { force: true });
    const server = new PGLiteSocketServer({
      db: oneExchangeAtATime(pglite),
      path: socketFile(runDir),
      // The default in this version is 1: a second connection was refused.
      maxConnections: 100,
      idleTimeout: options.timeouts.idleMs,
    });
    await server.start();
    return {
      role: 'owner',
      socketDir: runDir,
      async close() {
        await server.stop();
        await pglite.close();
        await rm(socketFile(runDir), { force: true });
        await unlink(lockFile(runDir)).catch(() => {});
        if (inMemory) await rm(runDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await unlink(lockFile(runDir)).catch(() => {});
    throw error;
  }
}

/** True while the process named in the lock is alive (for a guest waiting on the owner's socket). */
export async function ownerAlive(dataDir: string): Promise<boolean> {
  const pid = await holderOf(runDirOf(dataDir));
  return pid !== undefined && alive(pid);
}
