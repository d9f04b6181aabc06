/**
 * The ingest baseline, run as its own process: a bare node:http server that
 * takes a Telegram callback_query update and does one
 * `INSERT ... ON CONFLICT` through `pg` per request. What the machine does
 * for a webhook with no product logic at all.
 *
 *   DATABASE_URL=... PORT=... node --import tsx bench/lib/baseline-webhook.ts
 *
 * With YISHI_DATA_DIR instead of DATABASE_URL, on the embedded database the
 * way the product reaches it: this process opens the PGlite directory, serves
 * it on its socket (src/store/embedded-host.ts) and queries it through `pg`.
 */
import { createServer } from 'node:http';
import pg from 'pg';
import { openDatabase } from '../../src/store/database.ts';

export const BASELINE_TABLE_SQL = `
  CREATE TABLE IF NOT EXISTS bench_ballot (
    chat_id text NOT NULL,
    number int NOT NULL,
    user_id text NOT NULL,
    choice text NOT NULL,
    update_id bigint NOT NULL,
    PRIMARY KEY (chat_id, number, user_id)
  )`;

type CallbackUpdate = {
  update_id: number;
  callback_query?: { from: { id: number }; message?: { chat: { id: number } }; data?: string };
};

async function openPool(): Promise<{ pool: pg.Pool; close: () => Promise<void> }> {
  const home = process.env.YISHI_DATA_DIR;
  if (!home) {
    const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
    return { pool, close: () => pool.end() };
  }
  const db = await openDatabase({ kind: 'pglite', dataDir: `${home}/pglite` }, { exclusive: true });
  return { pool: db.pool, close: () => db.close() };
}

async function start(): Promise<void> {
  const { pool, close } = await openPool();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const update = JSON.parse(Buffer.concat(chunks).toString('utf8')) as CallbackUpdate;
      const q = update.callback_query;
      const [, , number, choice] = (q?.data ?? '').split(':');
      if (!q?.message || !number || !choice) {
        res.writeHead(200).end();
        return;
      }
      pool
        .query(
          `INSERT INTO bench_ballot (chat_id, number, user_id, choice, update_id)
           VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (chat_id, number, user_id)
           DO UPDATE SET choice = EXCLUDED.choice, update_id = EXCLUDED.update_id`,
          [String(q.message.chat.id), Number(number), String(q.from.id), choice, update.update_id],
        )
        .then(
          () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'),
          () => res.writeHead(500).end(),
        );
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(Number(process.env.PORT), '127.0.0.1', () => {
    process.stdout.write('baseline listening\n');
  });
  process.once('SIGTERM', () => {
    server.close();
    void close().then(() => process.exit(0));
  });
}

if (import.meta.url === `file://${process.argv[1]}`) await start();
