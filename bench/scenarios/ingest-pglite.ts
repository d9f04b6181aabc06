/**
 * Ingest on the embedded database: the same updates as `ingest`, posted to
 * the webhook of a gateway started as `npm start` runs by default (no
 * DATABASE_URL: PGlite in a fresh data directory, served on its socket).
 * Baseline in the same run: the bare node:http server of `ingest`, on its own
 * PGlite directory reached the way the product reaches it (embedded host,
 * socket, `pg`), one INSERT ... ON CONFLICT per update.
 *
 * "Committed" cannot come from LISTEN here (PGlite's connections share one
 * session): a trigger logs each ballot's key, and the log is read through the
 * served socket every POLL_MS (see commit-watch.ts), so each commit time is
 * late by up to one interval plus the read. Ballots lost are counted by
 * reading every ballot after the run.
 */
import { freePort } from '../../tests/support/processes.ts';
import { BASELINE_TABLE_SQL } from '../lib/baseline-webhook.ts';
import { startTsChild } from '../lib/child.ts';
import { installCommitLog, pollCommits } from '../lib/commit-watch.ts';
import { type EmbeddedBench, withEmbeddedDatabase } from '../lib/embedded-database.ts';
import { startFakeBotApi } from '../lib/fake-bot-api.ts';
import { startGateway, webhookHeaders } from '../lib/gateway.ts';
import { privateRedis } from '../lib/redis.ts';
import type { Scenario } from '../lib/types.ts';
import {
  type IngestRun,
  type IngestSize,
  ingestOutcome,
  ingestSizes,
  measureIngest,
  seedIngest,
  type Workload,
} from './ingest.ts';

const POLL_MS = 50;
/** The product's send phase stops after this long (quick: within the smoke test's share). */
const budgetMs = (quick: boolean) => (quick ? 3_000 : 75_000);
/** `ingest`'s sizes; quick sends fewer, the baseline too: two PGlite starts already take most of its share. */
const sizes = (quick: boolean): IngestSize =>
  quick ? { ...ingestSizes(true), updates: 300 } : ingestSizes(false);

async function keysOf(db: EmbeddedBench, sql: string): Promise<Set<string>> {
  const client = await db.connect();
  try {
    return new Set((await client.query<{ key: string }>(sql)).rows.map((r) => r.key));
  } finally {
    await client.end();
  }
}

/** Seeds through the baseline server's socket (it holds the directory first), then measures it. */
async function seedAndRunBaseline(
  home: EmbeddedBench,
  size: IngestSize,
  log: (message: string) => void,
): Promise<{ workload: Workload; base: IngestRun }> {
  const port = await freePort();
  const server = await startTsChild(
    'bench/lib/baseline-webhook.ts',
    [],
    { YISHI_DATA_DIR: home.home, PORT: String(port) },
    /baseline listening/,
  );
  try {
    const workload = await home.served(async (db) => {
      const seeded = await seedIngest(db, size);
      await db.pool.query(BASELINE_TABLE_SQL);
      await installCommitLog(db.pool, {
        table: 'bench_ballot',
        name: 'base',
        keySql: `NEW.chat_id || '/' || NEW.number || '/' || NEW.user_id`,
      });
      await installCommitLog(db.pool, {
        table: '"Ballot"',
        name: 'ballot',
        keySql: `NEW."proposalId" || '/' || NEW."voterKey"`,
      });
      return seeded;
    });
    log(`ingest-pglite: baseline, ${workload.presses.length} updates`);
    const base = await measureIngest({
      url: `http://127.0.0.1:${port}/`,
      headers: {},
      workload,
      watch: async () => pollCommits(await home.connect(), 'base', POLL_MS),
      keyOf: workload.baselineKey,
      finalKeys: () =>
        keysOf(home, `SELECT chat_id || '/' || number || '/' || user_id AS key FROM bench_ballot`),
    });
    return { workload, base };
  } finally {
    await server.stop();
  }
}

async function runProduct(
  home: EmbeddedBench,
  workload: Workload,
  budget: number,
): Promise<
  IngestRun & {
    entry: string;
    botApiCalls: Record<string, number>;
    webhookCalls: Record<string, number>;
  }
> {
  const redis = await privateRedis();
  const botApi = await startFakeBotApi();
  try {
    const gateway = await startGateway({
      embeddedHome: home.home,
      redisUrl: redis.url,
      botApiUrl: botApi.url,
      mode: 'web',
    });
    try {
      const run = await measureIngest({
        url: gateway.webhookUrl,
        headers: webhookHeaders,
        workload,
        watch: async () => pollCommits(await home.connect(), 'ballot', POLL_MS),
        keyOf: workload.ballotKey,
        finalKeys: () =>
          keysOf(home, `SELECT "proposalId" || '/' || "voterKey" AS key FROM "Ballot"`),
        budgetMs: budget,
        onBody: botApi.webhookReply,
      });
      return {
        ...run,
        entry: gateway.entry,
        // As ingest: requests and webhook answers' calls together; webhookCalls: the latter.
        botApiCalls: { ...botApi.calls },
        webhookCalls: { ...botApi.webhookCalls },
      };
    } finally {
      await gateway.stop();
    }
  } finally {
    await botApi.stop();
    await redis.stop();
  }
}

export const ingestPglite: Scenario = {
  name: 'ingest-pglite',
  title: 'Ingest through the Telegram webhook, embedded PGlite',
  async run(ctx) {
    // One directory, held in turn by the baseline server and the gateway, as one PostgreSQL database is.
    return withEmbeddedDatabase(async (home) => {
      const { workload, base } = await seedAndRunBaseline(home, sizes(ctx.quick), ctx.log);
      ctx.log(`ingest-pglite: baseline ${base.updatesPerSecond}/s; now the webhook`);
      const product = await runProduct(home, workload, budgetMs(ctx.quick));
      return ingestOutcome(sizes(ctx.quick), base, product, {
        commitSeen: `log read every ${POLL_MS} ms`,
      });
    });
  },
};
