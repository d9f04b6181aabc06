/**
 * The outbox relay's side of PostgreSQL: the rows not relayed yet, their
 * mark, and the wake-up when other processes commit rows.
 *
 * The wake-up is `LISTEN` on the channel the Outbox trigger notifies
 * (migration 20261130090000_outbox_notify). It needs a connection of its own
 * held open, so it exists on PostgreSQL only: the embedded database serves
 * one session to every connection, a notification would reach whichever
 * connection's exchange committed, not the listener. There the relay polls.
 */
import pg from 'pg';
import type { OutboxFeed, OutboxRow, OutboxWatch } from '../app/ports/schedule.ts';
import type { Database } from './database.ts';

/** The channel the Outbox trigger notifies. */
export const OUTBOX_CHANNEL = 'yishi_outbox';

/** A lost listening connection is opened again after this long (the relay polls meanwhile). */
const RELISTEN_MS = 1_000;

// Other system announcements last (see OutboxFeed.pending); the backlog this sorts is
// bounded by what the relay has not caught up with (20,000 rows at the peak of a
// 10,000-vote storm, 5-7 ms with 500 rows excluded, measured).
const PENDING = `SELECT id, "communityId", number, kind, announcement, "createdAt",
         "chatPlatform"::text AS "chatPlatform", "chatId"
  FROM "Outbox" WHERE "relayedAt" IS NULL AND id <> ALL($2::text[])
  ORDER BY announcement AND kind <> 'result_card', "createdAt", id LIMIT $1`;

/**
 * Listens on its own connection (built from the pool's settings) until closed,
 * calling `wake` for each notification and after each (re)connection, since
 * rows committed while nobody listened told nobody.
 */
function listen(pool: pg.Pool, wake: () => void): OutboxWatch {
  let closed = false;
  let client: pg.Client | null = null;
  let timer: NodeJS.Timeout | undefined;
  let connecting: Promise<void> = Promise.resolve();

  const retry = () => {
    if (closed || timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      connecting = connect();
    }, RELISTEN_MS);
  };

  async function connect(): Promise<void> {
    const next = new pg.Client({ ...pool.options, keepAlive: true });
    // A lost connection reports 'error' then 'end': listen again after a pause.
    next.on('error', () => undefined);
    next.on('end', () => {
      if (client !== next) return;
      client = null;
      retry();
    });
    next.on('notification', () => wake());
    try {
      await next.connect();
      await next.query(`LISTEN ${OUTBOX_CHANNEL}`);
    } catch {
      await next.end().catch(() => undefined);
      retry();
      return;
    }
    if (closed) {
      await next.end().catch(() => undefined);
      return;
    }
    client = next;
    wake();
  }

  connecting = connect();
  return {
    async close() {
      closed = true;
      clearTimeout(timer);
      await connecting;
      const open = client;
      client = null;
      await open?.end().catch(() => undefined);
    },
  };
}

export function outboxFeed(
  db: Pick<Database, 'sql'> & Partial<Pick<Database, 'kind' | 'pool'>>,
): OutboxFeed {
  const { sql, pool } = db;
  return {
    pending: (limit, excluding = []) => sql.query<OutboxRow>(PENDING, [limit, [...excluding]]),
    async markRelayed(ids, at) {
      if (ids.length === 0) return;
      await sql.execute(
        `UPDATE "Outbox" SET "relayedAt" = $2 WHERE id = ANY($1::text[]) AND "relayedAt" IS NULL`,
        [[...ids], at],
      );
    },
    ...(db.kind === 'postgres' && pool ? { watch: (wake: () => void) => listen(pool, wake) } : {}),
  };
}
