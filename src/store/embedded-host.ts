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
import { randomUUID } from 'node:crypto';
import { link, mkdir, mkdtemp, readFile, rm, stat, unlink, writeFile } from 'node:fs/promises';
import type { Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { PGlite } from '@electric-sql/pglite';
import type { PGLiteSocketServer as SocketServer } from '@electric-sql/pglite-socket';
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

/** The lock's text as written, or null when there is no lock. */
async function readLock(runDir: string): Promise<string | null> {
  return readFile(lockFile(runDir), 'utf8').catch(() => null);
}

function pidIn(lock: string | null): number | undefined {
  const pid = Number.parseInt(lock ?? '', 10);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

async function holderOf(runDir: string): Promise<number | undefined> {
  return pidIn(await readLock(runDir));
}

export type EmbeddedAccess =
  | { role: 'owner'; socketDir: string; close(): Promise<void> }
  | { role: 'guest'; socketDir: string; ownerPid: number };

export type EmbeddedTimeouts = {
  /** A connection quiet this long is closed, rolling back its open transaction (PGlite has no timers of its own). */
  idleMs: number;
};

/** Held while a stale lock is being removed: only its holder may unlink `lock`. */
const takeoverFile = (runDir: string) => `${runDir}/lock.takeover`;
/** A takeover takes microseconds; one older than this was left by a process that died in it. */
const TAKEOVER_STALE_MS = 10_000;

const codeOf = (error: unknown) => (error as { code?: unknown }).code;

/**
 * Creates the lock with this process's pid already in it. Written with
 * `open('wx')` then `writeFile`, another opener could read it empty in
 * between, call it stale and unlink a live lock: two PGlite instances on one
 * directory. `link` publishes the whole file at once and fails if one exists.
 */
async function createLock(runDir: string): Promise<boolean> {
  const draft = `${lockFile(runDir)}.${process.pid}.${randomUUID()}`;
  await writeFile(draft, String(process.pid), { mode: 0o600 });
  try {
    await link(draft, lockFile(runDir));
    return true;
  } catch (error) {
    if (codeOf(error) !== 'EEXIST') throw error;
    return false;
  } finally {
    await unlink(draft).catch(() => {});
  }
}

/**
 * Removes the lock if it still reads `stale`. Two openers that both found
 * it stale could otherwise both unlink it, the second one removing the lock
 * the first had just taken; the takeover file lets one of them at a time look
 * and unlink. This process's own pid counts as stale: after a container
 * restart the new server often has the pid the old one had.
 */
async function removeStaleLock(runDir: string, stale: string): Promise<void> {
  try {
    await writeFile(takeoverFile(runDir), String(process.pid), { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if (codeOf(error) !== 'EEXIST') throw error;
    const since = await stat(takeoverFile(runDir)).then(
      (s) => Date.now() - s.mtimeMs,
      () => 0,
    );
    if (since > TAKEOVER_STALE_MS) await unlink(takeoverFile(runDir)).catch(() => {});
    // Another opener is looking; it takes microseconds.
    await delay(10);
    return;
  }
  try {
    if ((await readLock(runDir)) === stale) await unlink(lockFile(runDir)).catch(() => {});
  } finally {
    await unlink(takeoverFile(runDir)).catch(() => {});
  }
}

async function claimLock(runDir: string): Promise<number | 'claimed'> {
  for (let attempt = 0; attempt < 20; attempt++) {
    if (await createLock(runDir)) return 'claimed';
    const lock = await readLock(runDir);
    // Gone already: its owner closed between our attempt and our look.
    if (lock === null) continue;
    const pid = pidIn(lock);
    if (pid !== undefined && pid !== process.pid && alive(pid)) return pid;
    // Stale: its process is gone (killed, crashed); the directory is free.
    await removeStaleLock(runDir, lock);
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
 * Stops taking connections and waits, at most `boundMs`, for the ones open to
 * end. The owner may be a CLI command whose own work is done while other
 * commands are connected to it: closing under them failed them mid-command.
 * A client that finds the socket gone waits for the lock and opens the
 * directory itself (database.ts). A quiet client is cut by the socket's idle
 * bound anyway, so the wait ends when the last busy client does.
 */
async function drain(server: SocketServer, boundMs: number): Promise<void> {
  // pglite-socket's stop() closes every connection at once; its net server drains them.
  const net = (server as unknown as { server: Server | null }).server;
  if (net === null) return;
  const drained = new Promise<void>((resolve) => net.close(() => resolve()));
  const timer = delay(boundMs, undefined, { ref: false });
  await Promise.race([drained, timer]);
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
        await drain(server, options.timeouts.idleMs);
        await server.stop();
        // A message of a client that just left may still be running; PGlite is closed after it.
        await pglite.runExclusive(async () => {});
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
