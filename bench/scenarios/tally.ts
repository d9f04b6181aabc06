/**
 * Tally under contention: 10,000 voters on one hot vote, 500 in flight, each
 * pressing 1–5 times, 10% of updates delivered twice, 1% out of order. The
 * final tally must equal the ledger exactly, and the announced result a
 * recount from the database.
 *
 * Path: callback_query updates posted to the Telegram webhook of a gateway
 * process (over the connections the gateway asks Telegram for; a non-2xx
 * answer is delivered again). The vote is then closed with the close use case
 * the deadline worker calls.
 */
import { randomUUID } from 'node:crypto';
import type { CoreDeps } from '../../src/app/core.ts';
import { closeVote } from '../../src/app/deadlines.ts';
import type { Database } from '../../src/store/database.ts';
import { deliberationStore } from '../../src/store/deliberation-store.ts';
import { withDatabase } from '../lib/database.ts';
import { startFakeBotApi } from '../lib/fake-bot-api.ts';
import { startGateway, webhookHeaders } from '../lib/gateway.ts';
import { poster } from '../lib/http-load.ts';
import { ledgerOf, planPresses, runPlan, truncatePlan } from '../lib/presses.ts';
import { privateRedis } from '../lib/redis.ts';
import { type CommunitySet, proposalId, seedCommunities, seedProposals } from '../lib/seed.ts';
import { callbackUpdate } from '../lib/telegram-updates.ts';
import type { Scenario, ScenarioContext, ScenarioOutcome } from '../lib/types.ts';

const HOUR_MS = 3_600_000;
/** No new voter starts after this long; the rate is over the voters served. */
const budgetMs = (quick: boolean) => (quick ? 15_000 : 90_000);

/**
 * Where the vote lives. PostgreSQL: the scenario's database. Embedded: a data
 * directory the gateway serves, reached through its socket.
 */
export type TallyDatabase = {
  /** Runs `work` on the database while the gateway runs (seeding, closing, counting). */
  use<T>(work: (db: Pick<Database, 'sql' | 'pool'>) => Promise<T>): Promise<T>;
  gateway: { databaseUrl: string } | { embeddedHome: string };
};

/** Seeds the hot vote, presses it through the gateway, closes it and checks every count. */
export async function measureTally(
  ctx: ScenarioContext,
  target: TallyDatabase,
  sizes: { voters: number; inFlight: number; budgetMs: number },
): Promise<ScenarioOutcome> {
  const { voters, inFlight } = sizes;
  const fullPlan = planPresses({
    voters,
    firstUpdateId: 500_000_000,
    duplicateShare: 0.1,
    outOfOrderShare: 0.01,
    seed: 6,
  });
  const unexpected: string[] = [];
  const redeliveries = { count: 0, failed: 0 };
  const redis = await privateRedis();
  const botApi = await startFakeBotApi();
  const gateway = await startGateway({
    ...target.gateway,
    redisUrl: redis.url,
    botApiUrl: botApi.url,
    mode: 'web',
  });
  // Telegram delivers over the connections the gateway asked for (setWebhook's max_connections),
  // however many people press at once.
  const client = poster(gateway.webhookUrl, webhookHeaders, botApi.webhookConnections());
  let set: CommunitySet;
  let run: Awaited<ReturnType<typeof runPlan>>;
  let found: Awaited<ReturnType<typeof closeAndCount>>;
  try {
    set = await target.use(async (db) => {
      const seeded = await seedCommunities(db.pool, { tag: 0, count: 1, households: voters });
      await seedProposals(db.pool, seeded, {
        perCommunity: 1,
        state: 'voting',
        first: new Date(Date.now() + HOUR_MS),
        stepMs: 0,
        eligibility: true,
      });
      return seeded;
    });
    ctx.log(`tally: ${fullPlan.presses} presses by ${voters} voters, ${inFlight} in flight`);
    run = await runPlan(
      fullPlan,
      inFlight,
      async (press) => {
        const body = callbackUpdate({
          updateId: press.updateId,
          userId: set.userId(0, press.voter),
          chatId: set.chatId(0),
          number: 1,
          choice: press.choice,
        });
        // As Telegram does: a non-2xx answer is delivered again, a little later.
        for (let attempt = 1; ; attempt++) {
          const status = await client.post(body);
          if (status >= 200 && status < 300) return;
          redeliveries.count++;
          if (attempt >= 5) {
            redeliveries.failed++;
            unexpected.push(`HTTP ${status}`);
            return;
          }
          await new Promise((r) => setTimeout(r, 100 * attempt));
        }
      },
      sizes.budgetMs,
    );
    // Every delivery is answered by now; the gateway (web only: no workers) stays idle.
    found = await target.use((db) => closeAndCount(db, set));
  } finally {
    client.close();
    await gateway.stop();
    await botApi.stop();
    await redis.stop();
  }
  const entry = gateway.entry;
  // Under the time budget, the voters started are complete: the ledger covers exactly them.
  const plan = truncatePlan(fullPlan, run.voters);
  const ledger = ledgerOf(plan);
  const wallMs = run.wallMs;
  const deliveries = plan.deliveries.reduce(
    (n, steps) => n + steps.reduce((m, s) => m + (s.twiceConcurrently ? 2 : 1), 0),
    0,
  );
  const { closed, counted, history, audited, stored, announcements } = found;
  const same = (a: Record<string, number>, b: Record<string, number>) =>
    a.for === b.for && a.against === b.against && a.abstain === b.abstain;
  const checks = {
    tallyEqualsLedger: same(counted, ledger.tally),
    announcedEqualsRecount:
      same(closed.tally, counted) &&
      stored !== undefined &&
      same({ for: stored.f, against: stored.a, abstain: stored.x }, counted),
    historyEqualsLedger: history === ledger.history,
    auditEqualsLedger: audited === ledger.audited,
    oneAnnouncement: announcements === 1,
    noUnexpectedOutcome: unexpected.length === 0,
  };
  const failed = Object.entries(checks)
    .filter(([, ok]) => !ok)
    .map(([name]) => name);
  const pressesPerSecond = plan.presses / (wallMs / 1000);
  return {
    path: `webhook, ${entry}`,
    size: { voters, inFlight, presses: plan.presses, deliveries },
    figures: [
      {
        name: 'votes/s on the hot vote',
        value: Math.round(pressesPerSecond),
        unit: '/s',
        goal: { op: '>=', value: 3000 },
        note: `${plan.presses} presses, ${deliveries} deliveries by ${plan.voters} voters in ${(wallMs / 1000).toFixed(1)} s${plan.voters < voters ? ' (time budget)' : ''}`,
      },
      {
        name: 'checks failed (tally = ledger, result = recount, history, audit, one announcement)',
        value: failed.length,
        unit: 'count',
        goal: { op: '=', value: 0 },
        ...(failed.length ? { note: failed.join(', ') } : {}),
      },
    ],
    details: {
      ledger: { tally: ledger.tally, history: ledger.history, audited: ledger.audited },
      database: { tally: counted, history, audited, announcements },
      announced: closed.tally,
      duplicates: plan.duplicates,
      outOfOrder: plan.outOfOrder,
      unexpected: unexpected.slice(0, 5),
      redeliveries,
      checks,
    },
  };
}

/** Closes the vote with the use case the deadline worker calls (two hours on), and reads every count back. */
async function closeAndCount(db: Pick<Database, 'sql' | 'pool'>, set: CommunitySet) {
  const deps: CoreDeps = {
    clock: { now: () => new Date(Date.now() + 2 * HOUR_MS) },
    ids: { next: () => randomUUID() },
    store: deliberationStore(db),
  };
  const closed = await closeVote(deps, { communityId: set.communityId(0), number: 1 });
  if (closed.kind !== 'closed') throw new Error(`close: ${JSON.stringify(closed)}`);
  const proposal = proposalId(set, 0, 1);
  const recount = await db.pool.query<{ choice: 'for' | 'against' | 'abstain'; n: string }>(
    'SELECT choice::text AS choice, count(*) AS n FROM "Ballot" WHERE "proposalId" = $1 GROUP BY choice',
    [proposal],
  );
  const counted = { for: 0, against: 0, abstain: 0 };
  for (const row of recount.rows) counted[row.choice] = Number(row.n);
  const scalar = async (sql: string) =>
    Number((await db.pool.query<{ n: string }>(sql, [proposal])).rows[0]?.n ?? -1);
  const history = await scalar('SELECT count(*) AS n FROM "BallotHistory" WHERE "proposalId" = $1');
  const audited = await scalar(
    `SELECT count(*) AS n FROM "AuditEntry" WHERE action = 'ballot.cast' AND subject = 'proposal:' || $1`,
  );
  const stored = (
    await db.pool.query<{ f: number; a: number; x: number }>(
      'SELECT "tallyFor" AS f, "tallyAgainst" AS a, "tallyAbstain" AS x FROM "Proposal" WHERE id = $1',
      [proposal],
    )
  ).rows[0];
  const announcements = Number(
    (
      await db.pool.query<{ n: string }>(
        `SELECT count(*) AS n FROM "Outbox" WHERE kind = 'result_card' AND "communityId" = $1 AND number = 1`,
        [set.communityId(0)],
      )
    ).rows[0]?.n,
  );
  return { closed, counted, history, audited, stored, announcements };
}

export const tally: Scenario = {
  name: 'tally',
  title: 'Tally under contention',
  run: (ctx) =>
    withDatabase((db) =>
      measureTally(
        ctx,
        { use: (work) => work(db), gateway: { databaseUrl: db.url } },
        {
          voters: ctx.quick ? 300 : 10_000,
          inFlight: ctx.quick ? 50 : 500,
          budgetMs: budgetMs(ctx.quick),
        },
      ),
    ),
};
