/**
 * Hot topics (issue 15, done-when 5): what counting an ordinary group
 * message costs. Two figures of CPU per counted message: in-process (the
 * countMessage use case on a cached opted-in chat, terms to a private
 * Redis, a write per message as a quiet chat gives and a write per 50 as a
 * busy one), and on the webhook (an in-process Telegram gateway, the same
 * 50 messages/s to an opted-in group and to a group that is not counted:
 * the process's CPU difference per message is what counting adds to the
 * request). And the webhook's ack p50/p99 in both phases.
 */
import { randomUUID } from 'node:crypto';
import type { CoreDeps } from '../../src/app/core.ts';
import { countMessage } from '../../src/app/count-message.ts';
import { messageTerms } from '../../src/domain/hot-topics/terms.ts';
import { hotTopicsParts } from '../../src/runtime/hot-topics.ts';
import { systemClock } from '../../src/runtime/system.ts';
import { deliberationStore } from '../../src/store/deliberation-store.ts';
import { hotTopicsCorpus } from '../../tests/support/hot-topics-corpus.ts';
import { startHotTopicsGateway } from '../../tests/support/hot-topics-gateway.ts';
import { SECRET_HEADER, TEST_SECRET } from '../../tests/support/telegram.ts';
import { withDatabase } from '../lib/database.ts';
import { postAll } from '../lib/http-load.ts';
import { Latencies } from '../lib/latency.ts';
import { privateRedis } from '../lib/redis.ts';
import { ratio } from '../lib/report.ts';
import { seedCommunities } from '../lib/seed.ts';
import type { Figure, Scenario } from '../lib/types.ts';

const RATE_PER_SECOND = 50;

/** CPU time (user + system) of this process spent in `work`, in microseconds. */
async function cpuOf(work: () => Promise<void>): Promise<number> {
  const before = process.cpuUsage();
  await work();
  const spent = process.cpuUsage(before);
  return spent.user + spent.system;
}

const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

export const hotTopics: Scenario = {
  name: 'hot-topics',
  title: 'Hot topics: CPU per counted message, webhook ack while counting 50 messages/s',
  async run(ctx) {
    const inProcess = ctx.quick ? 2_000 : 20_000;
    const phaseSeconds = ctx.quick ? 2 : 20;
    const corpus = [...hotTopicsCorpus('zh'), ...hotTopicsCorpus('en')].map((m) => m.text);
    const textOf = (i: number) => corpus[i % corpus.length] ?? '';
    const redisServer = await privateRedis();
    try {
      return await withDatabase(async (db) => {
        const set = await seedCommunities(db.pool, {
          tag: 15,
          count: 2,
          households: 10,
          policy: { hotTopics: 'on' },
        });
        // Group 0 is counted, group 1 is bound but not opted in.
        await db.pool.query(
          `INSERT INTO "HotTopicChat" (platform, "chatId", "communityId", since) VALUES ('telegram', $1, $2, now())`,
          [set.chatId(0), set.communityId(0)],
        );
        const errors: string[] = [];
        const hot = hotTopicsParts({
          sql: db.sql,
          redis: redisServer.connection(),
          clock: systemClock,
          prefix: 'bench-ht',
          onError: (error) => errors.push(error.message),
        });
        const deps = { chats: hot.chats, counter: hot.counter, clock: systemClock };
        const message = (i: number) => ({
          platform: 'telegram' as const,
          chatId: set.chatId(0),
          userId: set.userId(0, i % 10),
          deliveryKey: `bench-${i}`,
          text: textOf(i),
        });
        // Warm-up: the opt-in lookup cached, the salt read, the code compiled.
        for (let i = 0; i < 500; i++) await countMessage(deps, message(1_000_000 + i));
        await hot.counter.flush();

        const termsCpu = await cpuOf(async () => {
          for (let i = 0; i < inProcess; i++) messageTerms(textOf(i));
        });
        const eachCpu = await cpuOf(async () => {
          for (let i = 0; i < inProcess; i++) {
            await countMessage(deps, message(i));
            await hot.counter.flush();
          }
        });
        const batchedCpu = await cpuOf(async () => {
          for (let i = 0; i < inProcess; i++) {
            await countMessage(deps, message(inProcess + i));
            if (i % 50 === 49) await hot.counter.flush();
          }
          await hot.counter.flush();
        });
        ctx.log(`hot-topics: ${inProcess} messages counted in-process twice`);

        const core: CoreDeps = {
          clock: systemClock,
          ids: { next: () => randomUUID() },
          store: deliberationStore(db),
        };
        const gateway = await startHotTopicsGateway(db, core, {
          redis: redisServer.connection(),
          prefix: 'bench-ht-web',
        });
        try {
          const messages = phaseSeconds * RATE_PER_SECOND;
          let updateId = 700_000_000;
          type Side = { cpu: number; acks: Latencies; statuses: Record<number, number> };
          const sides: Record<0 | 1, Side> = {
            0: { cpu: 0, acks: new Latencies(), statuses: {} },
            1: { cpu: 0, acks: new Latencies(), statuses: {} },
          };
          const phase = async (
            group: 0 | 1,
            total: number,
            side?: Side,
            rate = RATE_PER_SECOND,
          ) => {
            let result: Awaited<ReturnType<typeof postAll>> | undefined;
            const cpu = await cpuOf(async () => {
              result = await postAll({
                url: `${gateway.url}/telegram/webhook`,
                headers: { [SECRET_HEADER]: TEST_SECRET },
                total,
                connections: 4,
                ratePerSecond: rate,
                body: (i) =>
                  JSON.stringify({
                    update_id: updateId++,
                    message: {
                      message_id: 1 + i,
                      from: {
                        id: Number(set.userId(group, i % 10)),
                        is_bot: false,
                        first_name: 'r',
                      },
                      chat: { id: Number(set.chatId(group)), type: 'supergroup', title: 'bench' },
                      date: Math.floor(Date.now() / 1000),
                      text: textOf(i),
                    },
                  }),
              });
              await gateway.counted();
            });
            if (!result || !side) return;
            side.cpu += cpu;
            for (const ms of result.ackMs) if (!Number.isNaN(ms)) side.acks.record(ms);
            for (const [code, n] of Object.entries(result.statuses)) {
              side.statuses[Number(code)] = (side.statuses[Number(code)] ?? 0) + n;
            }
          };
          // Warm-up at 500/s: each group's opt-in state read, the webhook's code compiled.
          await phase(1, 300, undefined, 500);
          await phase(0, 300, undefined, 500);
          // Counted and not counted take turns, so a busy moment of the machine hits both alike.
          const rounds = ctx.quick ? 2 : 5;
          for (let r = 0; r < rounds; r++) {
            await phase(1, messages / rounds, sides[1]);
            await phase(0, messages / rounds, sides[0]);
          }
          const summary = (side: Side) => ({ ...side, acks: undefined, ack: side.acks.summary() });
          const off = summary(sides[1]);
          const on = summary(sides[0]);
          ctx.log(`hot-topics: ${messages} webhook messages per phase at ${RATE_PER_SECOND}/s`);
          const perMessage = (us: number) => round(us / inProcess);
          const figures: Figure[] = [
            {
              name: 'CPU per counted message, in-process (a write each)',
              value: perMessage(eachCpu),
              unit: 'µs',
              goal: { op: '<=', value: 1000 },
            },
            {
              name: 'CPU per counted message, in-process (writes of 50)',
              value: perMessage(batchedCpu),
              unit: 'µs',
              goal: { op: '<=', value: 1000 },
            },
            {
              name: 'CPU per message, terms only',
              value: perMessage(termsCpu),
              unit: 'µs',
            },
            {
              name: 'CPU per webhook message, counted minus not counted',
              value: round((on.cpu - off.cpu) / messages),
              unit: 'µs',
              goal: { op: '<=', value: 1000 },
              note: `counted ${round(on.cpu / messages)} µs, not counted ${round(off.cpu / messages)} µs per message (gateway and load generator in one process)`,
            },
            {
              name: 'webhook ack p99, counting 50 messages/s',
              value: on.ack.p99,
              unit: 'ms',
              baseline: off.ack.p99,
              ratio: ratio(on.ack.p99, off.ack.p99),
              note: `baseline: the same 50 messages/s to a group not counted; p50 ${on.ack.p50} vs ${off.ack.p50} ms`,
            },
          ];
          return {
            path: 'in-process countMessage; webhook of an in-process Telegram gateway',
            size: {
              inProcessMessages: inProcess,
              webhookMessagesPerPhase: messages,
              ratePerSecond: RATE_PER_SECOND,
            },
            figures,
            details: { counted: on, notCounted: off, errors: errors.slice(0, 5) },
          };
        } finally {
          await gateway.close();
        }
      });
    } finally {
      await redisServer.stop();
    }
  },
};
