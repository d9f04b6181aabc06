/**
 * When a row is committed, observed from outside the product: a trigger on
 * the scenario's own database copy sends NOTIFY with the row's key, and
 * PostgreSQL delivers notifications only when the transaction commits. A
 * listener notes the arrival time of each key. The trigger costs one
 * pg_notify per row; the baseline server's table gets the same trigger.
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

export type CommitWatch = {
  /** performance.now() of the first commit seen for each key. */
  committedAt: Map<string, number>;
  /** Resolves once `count` distinct keys were seen, or after `timeoutMs`. */
  waitFor(count: number, timeoutMs: number): Promise<boolean>;
  close(): Promise<void>;
};

export async function watchCommits(url: string, channel: string): Promise<CommitWatch> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const committedAt = new Map<string, number>();
  let waiter: { count: number; resolve: (ok: boolean) => void } | undefined;
  client.on('notification', (msg) => {
    if (msg.channel !== channel || msg.payload === undefined) return;
    if (!committedAt.has(msg.payload)) committedAt.set(msg.payload, performance.now());
    if (waiter && committedAt.size >= waiter.count) {
      waiter.resolve(true);
      waiter = undefined;
    }
  });
  client.on('error', () => {});
  await client.query(`LISTEN ${channel}`);
  return {
    committedAt,
    waitFor(count, timeoutMs) {
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
    close: () => client.end(),
  };
}
