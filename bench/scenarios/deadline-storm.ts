/**
 * Deadline storm: 10,000 votes closing at the same instant, in a worker
 * process of their own, while the webhook (another process) keeps taking vote
 * updates at a steady rate. Every vote must be closed exactly once (state,
 * tally, result announcement in the outbox) within 15 s (p99), and every
 * announcement relayed to the push queue (the real one in Redis, without
 * its worker) within 5 s of its deadline (p99); the webhook's ack p99 during
 * the storm ≤ 200 ms (issue 17, done-when 3).
 */
import { Queue } from 'bullmq';
import { PUSH_QUEUE } from '../../workers/push/index.ts';
import { installCommitTrigger, watchCommits } from '../lib/commit-watch.ts';
import { type BenchDatabase, withDatabase } from '../lib/database.ts';
import { startFakeBotApi } from '../lib/fake-bot-api.ts';
import { startGateway, webhookHeaders } from '../lib/gateway.ts';
import { postAll } from '../lib/http-load.ts';
import { Latencies } from '../lib/latency.ts';
import { privateRedis, uniquePrefix } from '../lib/redis.ts';
import { proposalId, seedBallots, seedCommunities, seedProposals, sqlTime } from '../lib/seed.ts';
import { callbackUpdate } from '../lib/telegram-updates.ts';
import type { Scenario } from '../lib/types.ts';
import { startWorkerProcess } from '../lib/worker-process.ts';

const VOTES_PER_COMMUNITY = 10;
const HOUSEHOLDS = 10;

const sizes = (quick: boolean) =>
  quick
    ? { votes: 200, leadMs: 15_000, ingestPerSecond: 10, waitMs: 60_000 }
    : { votes: 10_000, leadMs: 40_000, ingestPerSecond: 25, waitMs: 120_000 };

async function scalar(db: BenchDatabase, sql: string, params: unknown[] = []): Promise<number> {
  const { rows } = await db.pool.query<{ n: string | null }>(sql, params);
  return Number(rows[0]?.n ?? 0);
}

export const deadlineStorm: Scenario = {
  name: 'deadline-storm',
  title: 'Deadline storm with ingest running',
  async run(ctx) {
    const size = sizes(ctx.quick);
    return withDatabase(async (db) => {
      await installCommitTrigger(db.pool, {
        table: '"Proposal"',
        channel: 'bench_storm',
        keySql: 'NEW.id',
        events: 'UPDATE',
        when: `NEW.state IN ('passed', 'rejected', 'no_quorum') AND OLD.state = 'voting'`,
      });
      const redis = await privateRedis();
      const botApi = await startFakeBotApi();
      const prefix = uniquePrefix('storm');
      // Started on the empty database: its start-up pass ends at once.
      // The real push queue without its worker: relaying includes queueing the pushes in Redis.
      const worker = await startWorkerProcess(
        {
          databaseUrl: db.url,
          redisUrl: redis.url,
          prefix,
          extra: { BENCH_PUSH_QUEUE: 'queue-only' },
        },
        60_000,
      );
      const watch = await watchCommits(db.url, 'bench_storm');
      try {
        await worker.waitFor('reconciled', 60_000);
        const closeAt = Date.now() + size.leadMs;
        const communities = size.votes / VOTES_PER_COMMUNITY;
        const storm = await seedCommunities(db.pool, {
          tag: 0,
          count: communities,
          households: HOUSEHOLDS,
        });
        const spec = {
          perCommunity: VOTES_PER_COMMUNITY,
          state: 'voting' as const,
          first: new Date(closeAt),
          stepMs: 0,
          eligibility: true,
          votingMs: 600_000,
        };
        await seedProposals(db.pool, storm, spec);
        // 8 of 10 households voted: for, for, against, abstain, repeated (4 for, 2 against, 2 abstain).
        await seedBallots(db.pool, storm, VOTES_PER_COMMUNITY, 8, new Date(closeAt - 300_000));
        const scheduled = await worker.ask(
          {
            cmd: 'schedule',
            tag: 0,
            communities,
            perCommunity: VOTES_PER_COMMUNITY,
            firstMs: closeAt,
            stepMs: 0,
            state: 'voting',
            votingMs: 600_000,
          },
          'scheduled',
        );
        ctx.log(
          `deadline-storm: ${scheduled.jobs} closes scheduled in ${Math.round(scheduled.ms)} ms, ${Math.round((closeAt - Date.now()) / 1000)} s before they are due`,
        );

        // The webhook side: open votes elsewhere, updates at a steady rate across the storm.
        // Enough distinct (voter, vote) pairs to keep the rate up for the whole wait.
        const perCommunity = Math.ceil((size.ingestPerSecond * (size.waitMs / 1000 + 10)) / 10);
        const ingestSet = await seedCommunities(db.pool, {
          tag: 1,
          count: 10,
          households: perCommunity,
        });
        await seedProposals(db.pool, ingestSet, {
          perCommunity: 1,
          state: 'voting',
          first: new Date(Date.now() + 7_200_000),
          stepMs: 0,
          eligibility: true,
        });
        const gateway = await startGateway({
          databaseUrl: db.url,
          redisUrl: redis.url,
          botApiUrl: botApi.url,
          mode: 'web',
        });
        let closedAll = false;
        let ingestStats: { sent: number; duringStorm: Latencies; statuses: Record<number, number> };
        const closeAtPerf = performance.now() + (closeAt - Date.now());
        try {
          const total = 10 * perCommunity;
          const startIn = closeAt - 5_000 - Date.now();
          if (startIn > 0) await new Promise((r) => setTimeout(r, startIn));
          const load = postAll({
            url: gateway.webhookUrl,
            headers: webhookHeaders,
            total,
            connections: 40,
            ratePerSecond: size.ingestPerSecond,
            stop: () => closedAll,
            body: (i) =>
              callbackUpdate({
                updateId: 20_000_000 + i,
                userId: ingestSet.userId(i % 10, Math.floor(i / 10)),
                chatId: ingestSet.chatId(i % 10),
                number: 1,
                choice: (['for', 'against', 'abstain'] as const)[i % 3] ?? 'for',
              }),
          });
          await watch.waitFor(size.votes, size.waitMs + (closeAt - Date.now()));
          const lastClose = Math.max(...watch.committedAt.values(), closeAtPerf);
          closedAll = true;
          const result = await load;
          const duringStorm = new Latencies();
          let sent = 0;
          result.sentAt.forEach((t, i) => {
            if (Number.isNaN(t)) return;
            sent++;
            const ack = result.ackMs[i] ?? Number.NaN;
            if (t >= closeAtPerf && t <= lastClose && !Number.isNaN(ack)) duringStorm.record(ack);
          });
          ingestStats = { sent, duringStorm, statuses: result.statuses };
        } finally {
          await gateway.stop();
        }

        // Give the relay a moment to hand the last announcements (and the storm's vote-card
        // edits behind them) to the push queue.
        const relayedBy = Date.now() + 30_000;
        const unrelayed = () =>
          scalar(
            db,
            `SELECT count(*) AS n FROM "Outbox" WHERE "relayedAt" IS NULL
               AND (kind = 'result_card' OR "communityId" LIKE 'bc-0-%')`,
          );
        while ((await unrelayed()) > 0 && Date.now() < relayedBy) {
          await new Promise((r) => setTimeout(r, 200));
        }
        const lateness = new Latencies();
        for (const at of watch.committedAt.values()) lateness.record(at - closeAtPerf);
        const closed = await scalar(
          db,
          `SELECT count(*) AS n FROM "Proposal" WHERE "communityId" LIKE 'bc-0-%' AND state <> 'voting'`,
        );
        const closedTwice = await scalar(
          db,
          `SELECT count(*) AS n FROM (SELECT subject FROM "AuditEntry" WHERE action = 'vote.closed'
             GROUP BY subject HAVING count(*) > 1) twice`,
        );
        const announcements = await scalar(
          db,
          `SELECT count(*) AS n FROM "Outbox" WHERE kind = 'result_card'`,
        );
        const announcedTwice = await scalar(
          db,
          `SELECT count(*) AS n FROM (SELECT "communityId", number FROM "Outbox"
             WHERE kind = 'result_card' GROUP BY 1, 2 HAVING count(*) > 1) twice`,
        );
        const relayed = await scalar(
          db,
          `SELECT count(*) AS n FROM "Outbox" WHERE kind = 'result_card' AND "relayedAt" IS NOT NULL`,
        );
        // Due → relayed p99 of the outbox rows `where` picks ($1 is the due time).
        const relayedP99 = (where: string) =>
          scalar(
            db,
            `SELECT percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM ("relayedAt" - $1::timestamp)) * 1000) AS n
             FROM "Outbox" WHERE ${where}`,
            [sqlTime(new Date(closeAt))],
          );
        const relayP99 = await relayedP99(`kind = 'result_card'`);
        // The vote-card edits (buttons removed) go after the results: how long they trail.
        const editsP99 = await relayedP99(
          `kind = 'vote_card' AND "communityId" LIKE 'bc-0-%'
             AND "createdAt" >= $1::timestamp AND "relayedAt" IS NOT NULL`,
        );
        const tallied = await scalar(
          db,
          `SELECT count(*) AS n FROM "Proposal" WHERE "communityId" LIKE 'bc-0-%'
             AND "tallyFor" = 4 AND "tallyAgainst" = 2 AND "tallyAbstain" = 2`,
        );
        const pushQueue = new Queue(PUSH_QUEUE, { connection: redis.connection(), prefix });
        const pushJobs = Object.values(
          await pushQueue.getJobCounts('wait', 'delayed', 'prioritized'),
        ).reduce((a, b) => a + b, 0);
        await pushQueue.close();
        const summary = lateness.summary();
        const ack = ingestStats.duringStorm.summary();
        const wrong = size.votes - closed + closedTwice + announcedTwice + (size.votes - tallied);
        return {
          path: 'workers + webhook',
          size: { votes: size.votes, ingestPerSecond: size.ingestPerSecond },
          figures: [
            {
              name: 'due → vote closed (committed) p99',
              value: summary.count === size.votes ? summary.p99 : null,
              unit: 'ms',
              goal: { op: '<=', value: 15_000 },
              note:
                summary.count === size.votes
                  ? `p50 ${summary.p50} ms, max ${summary.max} ms`
                  : `only ${summary.count} of ${size.votes} closed within ${size.waitMs / 1000} s`,
            },
            {
              name: 'due → announcement relayed to the push queue p99',
              value: relayed === size.votes ? Math.round(relayP99) : null,
              unit: 'ms',
              goal: { op: '<=', value: 5_000 },
              note: `${relayed} of ${announcements} relayed; ${pushJobs} push jobs queued`,
            },
            {
              name: 'due → closed vote card edit relayed p99 (after the results)',
              value: Math.round(editsP99),
              unit: 'ms',
            },
            {
              name: 'votes not closed exactly once with the right tally and one announcement',
              value: wrong,
              unit: 'count',
              goal: { op: '=', value: 0 },
            },
            {
              name: 'webhook ack p99 during the storm',
              value: ack.count > 0 ? ack.p99 : null,
              unit: 'ms',
              goal: { op: '<=', value: 200 },
              note: `${ack.count} updates at ${size.ingestPerSecond}/s during the storm`,
            },
          ],
          details: {
            lateness: summary,
            ack,
            closed,
            closedTwice,
            announcements,
            announcedTwice,
            relayed,
            pushJobs,
            tallied,
            ingest: { sent: ingestStats.sent, statuses: ingestStats.statuses },
            firstVote: proposalId(storm, 0, 1),
          },
        };
      } finally {
        await watch.close();
        await worker.kill();
        await botApi.stop();
        await redis.stop();
      }
    });
  },
};
