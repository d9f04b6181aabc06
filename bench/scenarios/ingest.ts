/**
 * Ingest: Telegram callback_query vote updates posted to the real webhook
 * over the connections the gateway asks Telegram for (setWebhook's
 * max_connections: 100), across 1,000 open votes, one hot
 * vote taking 20% of the traffic. Updates/s, ack p50/p99, and the time from
 * sending an update until its ballot is committed (NOTIFY on commit).
 * Baseline in the same run: a bare node:http + pg server doing one
 * INSERT ... ON CONFLICT per update.
 */

import type pg from 'pg';
import { WEBHOOK_MAX_CONNECTIONS } from '../../bots/telegram/index.ts';
import { freePort } from '../../tests/support/processes.ts';
import { BASELINE_TABLE_SQL } from '../lib/baseline-webhook.ts';
import { startTsChild } from '../lib/child.ts';
import { type CommitWatch, installCommitTrigger, watchCommits } from '../lib/commit-watch.ts';
import { type BenchDatabase, withDatabase } from '../lib/database.ts';
import { startFakeBotApi } from '../lib/fake-bot-api.ts';
import { startGateway, webhookHeaders } from '../lib/gateway.ts';
import { postAll } from '../lib/http-load.ts';
import { Latencies, type LatencySummary } from '../lib/latency.ts';
import { seededRandom } from '../lib/presses.ts';
import { privateRedis } from '../lib/redis.ts';
import { ratio } from '../lib/report.ts';
import { type CommunitySet, proposalId, seedCommunities, seedProposals } from '../lib/seed.ts';
import { callbackUpdate, type VotePress } from '../lib/telegram-updates.ts';
import type { Figure, Scenario, ScenarioOutcome } from '../lib/types.ts';

/** What the gateway asks Telegram for; the baseline is posted over as many. */
export const CONNECTIONS = WEBHOOK_MAX_CONNECTIONS;
/** The product's send phase stops after this long; its rate is what it managed by then. */
const budgetMs = (quick: boolean) => (quick ? 15_000 : 75_000);
const HOUR_MS = 3_600_000;

export type Workload = {
  presses: VotePress[];
  warmup: VotePress[];
  /** The ballot key `proposalId/voterKey` of press i (product side). */
  ballotKey: (i: number) => string;
  /** The row key `chat/number/user` of press i (baseline side). */
  baselineKey: (i: number) => string;
};

export type IngestRun = {
  /** Updates sent (all, unless the time budget ran out). */
  sent: number;
  updatesPerSecond: number;
  ack: LatencySummary;
  commit: LatencySummary;
  /** Sent, and never seen committed by the watch. */
  uncommitted: number;
  /** Sent, and not in the database when read after the run (when the scenario reads it). */
  notInDatabase?: number;
  /** Reads of a polling watch that failed (their keys are seen by the next read). */
  failedReads: number;
  statuses: Record<number, number>;
  errors: number;
};

/** Sizes: full 20,000 updates over 1,000 votes; quick 1,000 over 100. */
export type IngestSize = ReturnType<typeof ingestSizes>;

export function ingestSizes(quick: boolean) {
  return quick
    ? { updates: 1_000, otherCommunities: 11, hotVoters: 200, warmup: 50 }
    : { updates: 20_000, otherCommunities: 111, hotVoters: 4_000, warmup: 300 };
}

const VOTES_PER_COMMUNITY = 9;
const OTHER_HOUSEHOLDS = 50;

/** Seeds the hot vote, the other open votes and a warm-up vote; builds the update list. */
export async function seedIngest(db: { pool: pg.Pool }, size: IngestSize): Promise<Workload> {
  const closesAt = new Date(Date.now() + 2 * HOUR_MS);
  const vote = { state: 'voting' as const, first: closesAt, stepMs: 0, eligibility: true };
  const hot = await seedCommunities(db.pool, { tag: 0, count: 1, households: size.hotVoters });
  await seedProposals(db.pool, hot, { ...vote, perCommunity: 1 });
  const others = await seedCommunities(db.pool, {
    tag: 1,
    count: size.otherCommunities,
    households: OTHER_HOUSEHOLDS,
  });
  await seedProposals(db.pool, others, { ...vote, perCommunity: VOTES_PER_COMMUNITY });
  const warm = await seedCommunities(db.pool, { tag: 2, count: 1, households: size.warmup });
  await seedProposals(db.pool, warm, { ...vote, perCommunity: 1 });

  const random = seededRandom(1);
  const choices = ['for', 'against', 'abstain'] as const;
  const choice = () => choices[Math.floor(random() * 3)] ?? 'for';
  // Every update is a first ballot of a distinct (voter, vote) pair, so each commits one row.
  const pairs: { c: number; n: number; h: number }[] = [];
  for (let c = 0; c < size.otherCommunities; c++)
    for (let n = 1; n <= VOTES_PER_COMMUNITY; n++)
      for (let h = 0; h < OTHER_HOUSEHOLDS; h++) pairs.push({ c, n, h });
  for (let i = pairs.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [pairs[i], pairs[j]] = [pairs[j] as (typeof pairs)[0], pairs[i] as (typeof pairs)[0]];
  }
  const where: { set: CommunitySet; c: number; n: number; h: number }[] = [];
  let hotNext = 0;
  let otherNext = 0;
  for (let i = 0; i < size.updates; i++) {
    if (i % 5 === 0) where.push({ set: hot, c: 0, n: 1, h: hotNext++ });
    else {
      const p = pairs[otherNext++];
      if (!p) throw new Error('not enough voter/vote pairs');
      where.push({ set: others, ...p });
    }
  }
  const press = (w: (typeof where)[0], updateId: number): VotePress => ({
    updateId,
    userId: w.set.userId(w.c, w.h),
    chatId: w.set.chatId(w.c),
    number: w.n,
    choice: choice(),
  });
  const at = (i: number) => where[i] as (typeof where)[0];
  return {
    presses: where.map((w, i) => press(w, 10_000_000 + i)),
    warmup: Array.from({ length: size.warmup }, (_, h) =>
      press({ set: warm, c: 0, n: 1, h }, 1 + h),
    ),
    ballotKey: (i) =>
      `${proposalId(at(i).set, at(i).c, at(i).n)}/${at(i).set.householdId(at(i).c, at(i).h)}`,
    baselineKey: (i) =>
      `${at(i).set.chatId(at(i).c)}/${at(i).n}/${at(i).set.userId(at(i).c, at(i).h)}`,
  };
}

/** Posts the warm-up, then the measured updates; waits for every commit (up to 60 s). */
export async function measureIngest(options: {
  url: string;
  headers: Record<string, string>;
  workload: Workload;
  /** Opened before the warm-up, closed at the end. */
  watch: () => Promise<CommitWatch>;
  keyOf: (i: number) => string;
  /** Every key in the database after the run, read once the watch has seen all or given up. */
  finalKeys?: () => Promise<Set<string>>;
  ratePerSecond?: number;
  /** Stop sending after this long (a slow product would otherwise take the whole run). */
  budgetMs?: number;
  /** Given each 2xx body, as Telegram is: a button's answer rides in it (FakeBotApi.webhookReply). */
  onBody?: (body: string) => void;
}): Promise<IngestRun> {
  const { workload } = options;
  const watch = await options.watch();
  try {
    await postAll({
      url: options.url,
      headers: options.headers,
      total: workload.warmup.length,
      body: (i) => callbackUpdate(workload.warmup[i] as VotePress),
      connections: CONNECTIONS,
      ...(options.onBody ? { onBody: options.onBody } : {}),
    });
    const total = workload.presses.length;
    const stopAt = performance.now() + (options.budgetMs ?? Number.POSITIVE_INFINITY);
    const load = await postAll({
      stop: () => performance.now() > stopAt,
      url: options.url,
      headers: options.headers,
      total,
      body: (i) => callbackUpdate(workload.presses[i] as VotePress),
      connections: CONNECTIONS,
      ...(options.ratePerSecond ? { ratePerSecond: options.ratePerSecond } : {}),
      ...(options.onBody ? { onBody: options.onBody } : {}),
    });
    const sent = load.sentAt.filter((t) => !Number.isNaN(t)).length;
    await watch.waitFor(sent + workload.warmup.length, 60_000);
    const commit = new Latencies();
    const stored = await options.finalKeys?.();
    let uncommitted = 0;
    let notInDatabase = 0;
    for (let i = 0; i < total; i++) {
      const sentAt = load.sentAt[i] ?? Number.NaN;
      if (Number.isNaN(sentAt)) continue;
      const key = options.keyOf(i);
      const at = watch.committedAt.get(key);
      if (at === undefined) uncommitted++;
      else commit.record(at - sentAt);
      if (stored && !stored.has(key)) notInDatabase++;
    }
    return {
      sent,
      updatesPerSecond: Math.round(sent / (load.wallMs / 1000)),
      ack: load.acks.summary(),
      commit: commit.summary(),
      uncommitted,
      ...(stored ? { notInDatabase } : {}),
      failedReads: watch.failedReads(),
      statuses: load.statuses,
      errors: load.errors,
    };
  } finally {
    await watch.close();
  }
}

async function runBaseline(db: BenchDatabase, workload: Workload): Promise<IngestRun> {
  await db.pool.query(BASELINE_TABLE_SQL);
  await installCommitTrigger(db.pool, {
    table: 'bench_ballot',
    channel: 'bench_base',
    keySql: `NEW.chat_id || '/' || NEW.number || '/' || NEW.user_id`,
  });
  const port = await freePort();
  const server = await startTsChild(
    'bench/lib/baseline-webhook.ts',
    [],
    { DATABASE_URL: db.url, PORT: String(port) },
    /baseline listening/,
  );
  try {
    return await measureIngest({
      url: `http://127.0.0.1:${port}/`,
      headers: {},
      workload,
      watch: () => watchCommits(db.url, 'bench_base'),
      keyOf: workload.baselineKey,
    });
  } finally {
    await server.stop();
  }
}

async function runProduct(
  db: BenchDatabase,
  workload: Workload,
  budget: number,
): Promise<
  IngestRun & {
    entry: string;
    botApiCalls: Record<string, number>;
    webhookCalls: Record<string, number>;
  }
> {
  await installCommitTrigger(db.pool, {
    table: '"Ballot"',
    channel: 'bench_ballot',
    keySql: `NEW."proposalId" || '/' || NEW."voterKey"`,
  });
  const redis = await privateRedis();
  const botApi = await startFakeBotApi();
  try {
    const gateway = await startGateway({
      databaseUrl: db.url,
      redisUrl: redis.url,
      botApiUrl: botApi.url,
      mode: 'web',
    });
    try {
      if (botApi.webhookConnections() !== CONNECTIONS) {
        throw new Error(`the gateway asked for ${botApi.webhookConnections()} webhook connections`);
      }
      const run = await measureIngest({
        url: gateway.webhookUrl,
        headers: webhookHeaders,
        workload,
        watch: () => watchCommits(db.url, 'bench_ballot'),
        keyOf: workload.ballotKey,
        budgetMs: budget,
        onBody: botApi.webhookReply,
      });
      return {
        ...run,
        entry: gateway.entry,
        // Calls per method, requests and webhook answers' calls together; webhookCalls: the latter.
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

/** The figures of one ingest run against its baseline (both databases report the same rows). */
export function ingestOutcome(
  size: IngestSize,
  base: IngestRun,
  product: IngestRun & { entry: string },
  options: { commitSeen?: string } = {},
): ScenarioOutcome {
  const p = product;
  const fig = (
    name: string,
    unit: string,
    pick: (r: IngestRun) => number,
    extra: Partial<Figure> = {},
  ): Figure => {
    const value = pick(p);
    const baseline = pick(base);
    return { name, value, unit, baseline, ratio: ratio(value, baseline), ...extra };
  };
  const seen = options.commitSeen ? ` (${options.commitSeen})` : '';
  // Where the database was read after the run, that is the count; the watch's own is in the details.
  const lost = (r: IngestRun) => r.notInDatabase ?? r.uncommitted;
  return {
    path: `webhook, ${product.entry}`,
    size: {
      updates: size.updates,
      votes: 1 + size.otherCommunities * VOTES_PER_COMMUNITY,
      connections: CONNECTIONS,
    },
    figures: [
      fig('updates/s', '/s', (r) => r.updatesPerSecond, {
        goal: { op: '>=', value: 1000 },
        ...(p.sent < size.updates
          ? { note: `time budget: ${p.sent} of ${size.updates} sent` }
          : {}),
      }),
      {
        name: 'rate as a share of the baseline',
        value: ratio(p.updatesPerSecond, base.updatesPerSecond),
        unit: '×',
        goal: { op: '>=', value: 0.5 },
      },
      fig('ack p50', 'ms', (r) => r.ack.p50),
      fig('ack p99', 'ms', (r) => r.ack.p99, { goal: { op: '<=', value: 200 } }),
      fig(`send → ballot committed p50${seen}`, 'ms', (r) => r.commit.p50),
      fig(`send → ballot committed p99${seen}`, 'ms', (r) => r.commit.p99),
      fig(`send → ballot committed max${seen}`, 'ms', (r) => r.commit.max),
      fig('ballots not committed', 'count', lost, { goal: { op: '=', value: 0 } }),
    ],
    details: { baseline: base, product },
  };
}

export const ingest: Scenario = {
  name: 'ingest',
  title: 'Ingest through the Telegram webhook',
  async run(ctx) {
    return withDatabase(async (db) => {
      const workload = await seedIngest(db, ingestSizes(ctx.quick));
      ctx.log(`ingest: baseline, ${workload.presses.length} updates`);
      const base = await runBaseline(db, workload);
      ctx.log(`ingest: baseline ${base.updatesPerSecond}/s; now the webhook`);
      const product = await runProduct(db, workload, budgetMs(ctx.quick));
      return ingestOutcome(ingestSizes(ctx.quick), base, product);
    });
  },
};
