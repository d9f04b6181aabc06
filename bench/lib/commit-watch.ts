/**
 * When a row is committed, observed from outside the product: a trigger on
 * the scenario's own database copy sends NOTIFY with the row's key, and
 * PostgreSQL delivers notifications only when the transaction commits. A
 * listener notes the arrival time of each key. The trigger costs one
 * pg_notify per row; the baseline server's table gets the same trigger.
 *
 * On the embedded database (PGlite) every connection shares one session, so
 * a listener of its own cannot be had: there a trigger appends each key to a
 * log table with an increasing id, and the scenario reads the new log rows
 * at a fixed interval through the served socket (pollCommits). PGlite runs
 * one transaction at a time, so the ids commit in order and reading past the
 * last id seen misses none.
 */
import pg from 'pg';

/** Adds an `AFTER INSERT OR UPDATE` (or `events`) notification of `keySql` (an expression over NEW) on `table`. */
export async function installCommitTrigger(
  pool: pg.Pool,
  options: {
    table: string;
    channel: string;
    keySql: string;
    when?: string;
    events?: 'INSERT OR UPDATE' | 'UPDATE' | 'INSERT';
  },
): Promise<void> {
  const fn = `bench_notify_${options.channel}`;
  await pool.query(`
    CREATE OR REPLACE FUNCTION ${fn}() RETURNS trigger AS $$
    BEGIN
      PERFORM pg_notify('${options.channel}', ${options.keySql});
      RETURN NULL;
    END $$ LANGUAGE plpgsql`);
  await pool.query(`
    CREATE TRIGGER ${fn} AFTER ${options.events ?? 'INSERT OR UPDATE'} ON ${options.table}
    FOR EACH ROW ${options.when ? `WHEN (${options.when})` : ''} EXECUTE FUNCTION ${fn}()`);
}

type Queryable = Pick<pg.Client, 'query'>;

/** The log table `installCommitLog` writes to. */
const logTable = (name: string) => `bench_commit_${name}`;

/** Appends `keySql` (an expression over NEW) to the log table `name` on every insert or update of `table`. */
export async function installCommitLog(
  db: Queryable,
  options: { table: string; name: string; keySql: string },
): Promise<void> {
  const log = logTable(options.name);
  await db.query(`CREATE TABLE ${log} (id bigserial PRIMARY KEY, key text NOT NULL)`);
  await db.query(`
    CREATE OR REPLACE FUNCTION ${log}() RETURNS trigger AS $$
    BEGIN
      INSERT INTO ${log} (key) VALUES (${options.keySql});
      RETURN NULL;
    END $$ LANGUAGE plpgsql`);
  await db.query(`
    CREATE TRIGGER ${log} AFTER INSERT OR UPDATE ON ${options.table}
    FOR EACH ROW EXECUTE FUNCTION ${log}()`);
}

export type CommitWatch = {
  /** performance.now() of the first commit seen for each key. */
  committedAt: Map<string, number>;
  /** Resolves once `count` distinct keys were seen, or after `timeoutMs`. */
  waitFor(count: number, timeoutMs: number): Promise<boolean>;
  /** Polled reads that failed (each one's keys are picked up by the next). */
  failedReads(): number;
  close(): Promise<void>;
};

export async function watchCommits(url: string, channel: string): Promise<CommitWatch> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const committedAt = new Map<string, number>();
  const wait = waiters(committedAt);
  client.on('notification', (msg) => {
    if (msg.channel !== channel || msg.payload === undefined) return;
    if (!committedAt.has(msg.payload)) committedAt.set(msg.payload, performance.now());
    wait.seen();
  });
  client.on('error', () => {});
  await client.query(`LISTEN ${channel}`);
  return { committedAt, waitFor: wait.waitFor, failedReads: () => 0, close: () => client.end() };
}

/** Keys waiting for a count to be seen. */
function waiters(committedAt: Map<string, number>) {
  let waiter: { count: number; resolve: (ok: boolean) => void } | undefined;
  return {
    seen() {
      if (waiter && committedAt.size >= waiter.count) {
        waiter.resolve(true);
        waiter = undefined;
      }
    },
    waitFor(count: number, timeoutMs: number): Promise<boolean> {
      if (committedAt.size >= count) return Promise.resolve(true);
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          waiter = undefined;
          resolve(false);
        }, timeoutMs);
        waiter = {
          count,
          resolve: (ok) => {
            clearTimeout(timer);
            resolve(ok);
          },
        };
      });
    },
  };
}

/**
 * Reads the log `name` every `intervalMs` (from the start of one read to the
 * start of the next) and notes for each new key the time the read that
 * returned it was answered: later than the commit by at most one interval
 * plus the read itself. `client` is closed with the watch.
 */
export function pollCommits(client: pg.Client, name: string, intervalMs: number): CommitWatch {
  const committedAt = new Map<string, number>();
  const wait = waiters(committedAt);
  const log = logTable(name);
  let last = '0';
  let failed = 0;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let reading: Promise<void> = Promise.resolve();
  const read = async () => {
    const started = performance.now();
    try {
      for (;;) {
        const { rows } = await client.query<{ id: string; key: string }>(
          `SELECT id::text AS id, key FROM ${log} WHERE id > $1::bigint ORDER BY id LIMIT 5000`,
          [last],
        );
        const at = performance.now();
        for (const row of rows) if (!committedAt.has(row.key)) committedAt.set(row.key, at);
        last = rows.at(-1)?.id ?? last;
        wait.seen();
        if (rows.length < 5000) break;
      }
    } catch {
      // The next read picks up from `last`; the count is reported with the figures.
      failed++;
    }
    if (!stopped) {
      const next = Math.max(0, started + intervalMs - performance.now());
      timer = setTimeout(() => {
        reading = read();
      }, next);
    }
  };
  reading = read();
  return {
    committedAt,
    waitFor: wait.waitFor,
    failedReads: () => failed,
    async close() {
      stopped = true;
      clearTimeout(timer);
      await reading;
      await client.end().catch(() => {});
    },
  };
}
