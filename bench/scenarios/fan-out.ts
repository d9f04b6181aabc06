/**
 * Fan-out: one announcement (a vote's result card) to 1,000 Telegram groups
 * and 200 Slack channels, from the close through the outbox relay and the
 * push queue, against fake platforms enforcing 30 messages/s per bot, 20 per
 * minute per group and 1 per second per Slack channel (429 + retry_after
 * beyond). Completion time as a share of the ideal the limits allow (≥ 95 %),
 * the first send after the close (≤ 1 s), limit violations (429s earned) and
 * requests sent inside a retry_after window (issue 17, done-when 5).
 */
import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import type { CoreDeps } from '../../src/app/core.ts';
import { closeVote } from '../../src/app/deadlines.ts';
import { deliberationStore } from '../../src/store/deliberation-store.ts';
import { startFakeSlack } from '../../tests/support/fake-slack.ts';
import { startFakeTelegram } from '../../tests/support/fake-telegram.ts';
import { PUSH_QUEUE } from '../../workers/push/index.ts';
import { withDatabase } from '../lib/database.ts';
import { privateRedis, uniquePrefix } from '../lib/redis.ts';
import { seedBallots, seedCommunities, seedProposals } from '../lib/seed.ts';
import type { Scenario } from '../lib/types.ts';
import { startWorkerProcess } from '../lib/worker-process.ts';

const TOKEN = '7000000002:bench-fanout';
const SLACK_TOKEN = 'xoxb-bench';
const BOT_RATE_PER_S = 30;

const sizes = (quick: boolean) =>
  quick ? { groups: 60, channels: 10 } : { groups: 1000, channels: 200 };

export const fanOut: Scenario = {
  name: 'fan-out',
  title: 'Fan-out of one announcement through the push queue',
  async run(ctx) {
    const size = sizes(ctx.quick);
    return withDatabase(async (db) => {
      const set = await seedCommunities(db.pool, {
        tag: 0,
        count: 1,
        households: 10,
        // Announcements wait out quiet hours; the run must not depend on the hour it runs at.
        policy: { quietHours: null },
      });
      await seedProposals(db.pool, set, {
        perCommunity: 1,
        state: 'voting',
        // Closing in an hour, so the worker's own deadline stays out of the way; the
        // scenario closes it now with a clock an hour ahead.
        first: new Date(Date.now() + 3_600_000),
        stepMs: 0,
        eligibility: true,
        votingMs: 3_600_000,
      });
      await seedBallots(db.pool, set, 1, 8, new Date(Date.now() - 60_000));
      // The seed bound one Telegram group; bind the rest and the Slack channels.
      await db.pool.query('DELETE FROM "ChatBinding" WHERE "communityId" = $1', [
        set.communityId(0),
      ]);
      await db.pool.query(
        `INSERT INTO "ChatBinding" (id, "communityId", platform, "chatId")
         SELECT 'fg-' || g, $1, 'telegram'::"Platform", (-1009000000000 - g)::text FROM generate_series(1, $2) g
         UNION ALL
         SELECT 'fs-' || s, $1, 'slack'::"Platform", 'C0BENCH' || s FROM generate_series(1, $3) s`,
        [set.communityId(0), size.groups, size.channels],
      );

      const redis = await privateRedis();
      const telegram = await startFakeTelegram({ token: TOKEN });
      const slack = await startFakeSlack({ token: SLACK_TOKEN });
      const prefix = uniquePrefix('fanout');
      const pushQueue = new Queue(PUSH_QUEUE, { connection: redis.connection(), prefix });
      // The outbox relay, push queue and push worker run in a worker process of their own,
      // as in production; the fake platforms stay in this one.
      const worker = await startWorkerProcess(
        {
          databaseUrl: db.url,
          redisUrl: redis.url,
          prefix,
          extra: {
            BENCH_TELEGRAM_API_ROOT: telegram.apiRoot,
            BENCH_TELEGRAM_TOKEN: TOKEN,
            BENCH_SLACK_API_URL: slack.apiUrl,
            BENCH_SLACK_TOKEN: SLACK_TOKEN,
          },
        },
        60_000,
      );
      try {
        await worker.waitFor('reconciled', 60_000);
        const clock = { now: () => new Date(Date.now() + 3_600_000 + 1_000) };
        const core: CoreDeps = {
          clock,
          ids: { next: () => randomUUID() },
          store: deliberationStore(db),
        };
        const started = Date.now();
        const closed = await closeVote(core, { communityId: set.communityId(0), number: 1 });
        if (closed.kind !== 'closed') throw new Error(`close: ${JSON.stringify(closed)}`);
        // The close publishes the result card and updates the vote card (its buttons go):
        // every chat gets one message request per publication.
        const cards = closed.publish.length;
        const idealMs = ((size.groups * cards) / BOT_RATE_PER_S) * 1000;
        const timeoutMs = idealMs * 3 + 60_000;
        const done = () =>
          telegram.stats().messageRequests >= size.groups * cards &&
          slack.stats().messageRequests >= size.channels * cards;
        await Promise.all([
          telegram.until(() => telegram.stats().messageRequests >= size.groups * cards, timeoutMs),
          slack.until(() => slack.stats().messageRequests >= size.channels * cards, timeoutMs),
        ]).catch(() => undefined);
        // Late duplicates would land after the counts were reached: let the queue drain first.
        const settleUntil = Date.now() + 15_000;
        for (;;) {
          const counts = await pushQueue.getJobCounts('wait', 'delayed', 'active', 'prioritized');
          if (Object.values(counts).every((n) => n === 0) || Date.now() > settleUntil) break;
          await new Promise((r) => setTimeout(r, 100));
        }
        const tgSends = telegram
          .calls()
          .filter((c) => c.status === 200 && c.method.startsWith('sendMessage'));
        const slackSends = slack.calls('chat.postMessage').filter((c) => c.status === 200);
        const lastTg = Math.max(...tgSends.map((c) => c.at));
        const firstTg = Math.min(...tgSends.map((c) => c.at));
        const lastSlack = Math.max(...slackSends.map((c) => c.at));
        const firstSlack = Math.min(...slackSends.map((c) => c.at));
        const firstSend = Math.min(firstTg, firstSlack);
        const completedMs = Math.max(lastTg, lastSlack) - started;
        const tgStats = telegram.stats();
        const slackStats = slack.stats();
        const wrong: string[] = [];
        for (let g = 1; g <= size.groups; g++) {
          const n = telegram.messagesIn(String(-1009000000000 - g)).length;
          if (n !== cards) wrong.push(`tg ${g}: ${n}`);
        }
        for (let s = 1; s <= size.channels; s++) {
          const n = slack.messagesIn(`C0BENCH${s}`).length;
          if (n !== cards) wrong.push(`slack ${s}: ${n}`);
        }
        const wrongChats = wrong.length;
        // Requests per whole second of the sending window: where the pace falls short of 30/s.
        const perSecond = new Map<number, number>();
        for (const c of telegram.calls()) {
          if (c.status !== 200 || !/^(sendMessage|editMessage)/.test(c.method)) continue;
          const second = Math.floor((c.at - firstTg) / 1000);
          perSecond.set(second, (perSecond.get(second) ?? 0) + 1);
        }
        const seconds = [...perSecond.values()].sort((a, b) => a - b);
        const sendingRate =
          tgSends.length > 1 ? ((tgSends.length - 1) / (lastTg - firstTg)) * 1000 : 0;
        return {
          path: 'close → outbox relay → push queue → fake platforms',
          size: { telegramGroups: size.groups, slackChannels: size.channels },
          figures: [
            {
              name: `completion vs the ideal ${Math.round(idealMs / 1000)} s (${size.groups} groups × ${cards} cards at ${BOT_RATE_PER_S}/s)`,
              value: done() ? Math.round((idealMs / completedMs) * 1000) / 10 : null,
              unit: '%',
              goal: { op: '>=', value: 95 },
              note: done()
                ? `all delivered in ${(completedMs / 1000).toFixed(1)} s; first Telegram send after ${((firstTg - started) / 1000).toFixed(1)} s; ${sendingRate.toFixed(1)}/s while sending`
                : `${tgStats.messageRequests}/${size.groups} + ${slackStats.messageRequests}/${size.channels} within ${Math.round(timeoutMs / 1000)} s`,
            },
            {
              name: 'close → first send',
              value: Number.isFinite(firstSend) ? firstSend - started : null,
              unit: 'ms',
              goal: { op: '<=', value: 1_000 },
              note: `first Telegram send after ${firstTg - started} ms, first Slack send after ${firstSlack - started} ms`,
            },
            {
              name: 'limit violations (429s earned)',
              value: tgStats.limited + slackStats.limited,
              unit: 'count',
              goal: { op: '=', value: 0 },
            },
            {
              name: 'requests inside a retry_after window',
              value: tgStats.insideRetryAfter + slackStats.insideRetryAfter,
              unit: 'count',
              goal: { op: '=', value: 0 },
            },
            {
              name: 'chats without exactly one message per card',
              value: wrongChats,
              unit: 'count',
              goal: { op: '=', value: 0 },
            },
          ],
          details: {
            telegram: tgStats,
            slack: slackStats,
            slackSender: 'bench stand-in (bench/lib/slack-sender.ts): no Slack adapter yet',
            completedMs,
            telegramRequestsPerSecond: {
              min: seconds[0] ?? 0,
              median: seconds[Math.floor(seconds.length / 2)] ?? 0,
              max: seconds.at(-1) ?? 0,
              secondsBelow25: seconds.filter((n) => n < 25).length,
              seconds: seconds.length,
            },
            wrongChats: wrong.slice(0, 10),
            pushOutcomes: (await worker.ask({ cmd: 'stats' }, 'stats', 10_000)).pushOutcomes,
            firstTelegramSendMs: firstTg - started,
            lastSlackMs: lastSlack - started,
          },
        };
      } finally {
        await worker.kill();
        await pushQueue.close();
        await telegram.close();
        await slack.close();
        await redis.stop();
      }
    });
  },
};
