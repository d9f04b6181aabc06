/**
 * New cards reach the chat at once, also right after the workers start
 * (issue 11, item 3 and done-when line 3): the product's workers (deadlines,
 * outbox relay, push queue and worker, composed as src/runtime does, default
 * timings) on real PostgreSQL and Redis, posting to the fake Bot API with
 * Telegram's flood limits. Edits still coalesce (push-queue.test.ts).
 *
 * Latency is from the commit (the outbox row's time) to the fake receiving
 * the `sendMessage` that posted the card. The figures are printed; the
 * assertions leave room for a loaded 2-core CI machine.
 */
import { Api } from 'grammy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedCommunities, seedProposals } from '../../../bench/lib/seed.ts';
import { createTelegramSender } from '../../../bots/telegram/sender.ts';
import { cosign } from '../../../src/app/cosign.ts';
import { deadlineJobId } from '../../../src/app/deadline-plan.ts';
import { propose } from '../../../src/app/propose.ts';
import { uuidSource } from '../../../src/runtime/system.ts';
import { databasePorts } from '../../../src/runtime/worker-ports.ts';
import { startWorkers, type Workers } from '../../../workers/index.ts';
import { seedCommunity, type TestCommunity } from '../../support/community.ts';
import { type FakeTelegram, startFakeTelegram } from '../../support/fake-telegram.ts';
import { createTestDatabase, type TestDatabase } from '../../support/postgres.ts';
import { TEST_BOT_TOKEN } from '../../support/push-harness.ts';
import { bindChats, REDIS_URL, testPrefix, waitFor } from '../../support/workers.ts';

/** The workers as the product starts them (default relay, queue and worker timings). */
async function startProductWorkers(db: TestDatabase, fake: FakeTelegram): Promise<Workers> {
  const api = new Api(TEST_BOT_TOKEN, { apiRoot: fake.apiRoot });
  return startWorkers(
    {
      clock: { now: () => new Date() },
      ids: uuidSource,
      ...databasePorts(db),
      senders: { telegram: createTelegramSender(api) },
    },
    { connection: REDIS_URL, prefix: testPrefix() },
  );
}

type Posted = {
  communityId: string;
  number: number;
  kind: string;
  chatId: string;
  /** Epoch ms of the commit that published the card (its first outbox row). */
  committedAt: number;
  /** Epoch ms the fake received the sendMessage that posted it. */
  sentAt: number;
};

/** Every card posted in the database's chats, with its commit and send times. */
async function postedCards(db: TestDatabase, fake: FakeTelegram): Promise<Posted[]> {
  const [rows, outbox] = await Promise.all([
    db.prisma.cardMessage.findMany({ where: { platform: 'telegram' } }),
    db.prisma.outbox.findMany({ orderBy: { createdAt: 'asc' } }),
  ]);
  const firstCommit = new Map<string, number>();
  for (const o of outbox) {
    const key = `${o.communityId}/${o.number}/${o.kind}`;
    if (!firstCommit.has(key)) firstCommit.set(key, o.createdAt.getTime());
  }
  const sends = new Map<string, number>();
  for (const call of fake.calls('sendMessage')) {
    const id = (call.response.result as { message_id?: number } | undefined)?.message_id;
    if (call.status === 200 && id !== undefined) sends.set(`${call.params.chat_id}/${id}`, call.at);
  }
  return rows.flatMap((row) => {
    const committedAt = firstCommit.get(`${row.communityId}/${row.number}/${row.kind}`);
    const sentAt = sends.get(`${row.chatId}/${row.messageId}`);
    if (committedAt === undefined || sentAt === undefined) return [];
    return [{ ...row, committedAt, sentAt }];
  });
}

const percentile = (sorted: readonly number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;

function summary(latencies: readonly number[]): string {
  const sorted = [...latencies].sort((a, b) => a - b);
  return `n=${sorted.length} p50=${percentile(sorted, 50)} p90=${percentile(sorted, 90)} p99=${percentile(sorted, 99)} max=${sorted.at(-1)} ms`;
}

/** Proposes and co-signs to the threshold; returns the number and the announced opening. */
async function toNotice(c: TestCommunity): Promise<{ number: number; opensAt: Date }> {
  const proposed = await propose(c.deps, { actor: c.as(0), title: '楼道照明改造' });
  if (proposed.kind !== 'proposed') throw new Error(JSON.stringify(proposed));
  let opensAt: string | null = null;
  for (let i = 1; i < proposed.threshold; i++) {
    const signed = await cosign(c.deps, { actor: c.as(i), number: proposed.number });
    if (signed.kind !== 'cosigned') throw new Error(JSON.stringify(signed));
    opensAt = signed.votingOpensAt ?? opensAt;
  }
  if (!opensAt) throw new Error('agenda not reached');
  return { number: proposed.number, opensAt: new Date(opensAt) };
}

describe('announcements (real workers, fake Bot API with its limits)', () => {
  let db: TestDatabase;
  let fake: FakeTelegram;
  let workers: Workers | undefined;

  beforeAll(async () => {
    db = await createTestDatabase();
    fake = await startFakeTelegram({ token: TEST_BOT_TOKEN });
  });
  afterAll(async () => {
    await workers?.close();
    await fake?.close();
    await db?.drop();
  });

  it('with a 2 s notice and a 5 s vote, posts the vote card at the opening and the result at the close, right after a start', async () => {
    const chatId = '-1009001';
    const c = await seedCommunity(db, {
      households: 4,
      realClock: true,
      policy: { noticePeriod: '2s', votingWindow: '5s', quietHours: null },
    });
    await bindChats(db, c.id, [{ platform: 'telegram', chatId }]);
    workers = await startProductWorkers(db, fake);
    const { number, opensAt } = await toNotice(c);
    const closesAt = new Date(opensAt.getTime() + 5000);
    const card = (kind: string) => async () =>
      (await postedCards(db, fake)).find(
        (p) => p.communityId === c.id && p.number === number && p.kind === kind,
      );
    const vote = await waitFor('the vote card', card('vote_card'));
    const result = await waitFor('the result card', card('result_card'));
    const proposal = await db.prisma.proposal.findFirstOrThrow({
      where: { communityId: c.id, number },
    });
    const jobs = await Promise.all([
      workers.queue.getJob(deadlineJobId('vote_open', proposal.id, opensAt)),
      workers.queue.getJob(deadlineJobId('vote_close', proposal.id, closesAt)),
    ]);
    const voteLateMs = vote.sentAt - opensAt.getTime();
    const resultLateMs = result.sentAt - closesAt.getTime();
    console.info(
      `[announce] 2 s notice, 5 s vote, workers just started: vote card ${voteLateMs} ms after votingOpensAt ` +
        `(vote opened +${vote.committedAt - opensAt.getTime()} ms, job ran +${(jobs[0]?.finishedOn ?? 0) - opensAt.getTime()} ms), ` +
        `result card ${resultLateMs} ms after votingClosesAt (committed +${result.committedAt - closesAt.getTime()} ms)`,
    );
    expect(proposal.votingClosesAt?.getTime()).toBe(closesAt.getTime());
    // Residents must never be told "not open": the card is up well before the vote ends.
    expect(vote.sentAt).toBeGreaterThanOrEqual(opensAt.getTime());
    expect(voteLateMs).toBeLessThan(2_000);
    expect(resultLateMs).toBeLessThan(2_000);
  }, 30_000);

  it('posts 200 new vote and result cards within a second of their commit (p99), the first right after a start', async () => {
    await workers?.close();
    workers = undefined;
    const communities = 50;
    const perCommunity = 2;
    const stepMs = 200;
    const set = await seedCommunities(db.pool as NonNullable<typeof db.pool>, {
      tag: 7,
      count: communities,
      households: 4,
      policy: { votingWindow: '5s', quietHours: null },
    });
    // The first vote opens as the workers come up (their start-up pass plans it).
    const first = new Date(Date.now() + 500);
    await seedProposals(db.pool as NonNullable<typeof db.pool>, set, {
      perCommunity,
      state: 'noticed',
      first,
      stepMs,
    });
    const startedAt = Date.now();
    workers = await startProductWorkers(db, fake);
    const expected = communities * perCommunity * 2;
    const ours = (p: Posted) => p.communityId.startsWith(`bc-${set.tag}-`);
    const announcements = await waitFor(
      'every vote and result card',
      async () => {
        const cards = (await postedCards(db, fake)).filter(
          (p) => ours(p) && p.kind !== 'proposal_card',
        );
        return cards.length >= expected && cards;
      },
      60_000,
      200,
    );
    const latency = (p: Posted) => p.sentAt - p.committedAt;
    const byTime = [...announcements].sort((a, b) => a.committedAt - b.committedAt);
    const firstOne = byTime[0];
    const cards = (await postedCards(db, fake)).filter(ours);
    const relayedFirst = firstOne
      ? await db.prisma.outbox.findFirst({
          where: {
            communityId: firstOne.communityId,
            number: firstOne.number,
            kind: firstOne.kind,
          },
          orderBy: { createdAt: 'asc' },
        })
      : null;
    console.info(
      `[announce] ${expected} vote and result cards to ${communities} groups, workers started ${first.getTime() - startedAt} ms before the first opening:\n` +
        `  commit -> sendMessage: ${summary(announcements.map(latency))}\n` +
        `  vote cards: ${summary(announcements.filter((p) => p.kind === 'vote_card').map(latency))}\n` +
        `  result cards: ${summary(announcements.filter((p) => p.kind === 'result_card').map(latency))}\n` +
        `  first after the start: ${firstOne ? latency(firstOne) : '?'} ms (committed ${firstOne ? firstOne.committedAt - startedAt : '?'} ms after the start, relayed +${(relayedFirst?.relayedAt?.getTime() ?? 0) - (firstOne?.committedAt ?? 0)} ms)\n` +
        `  proposal cards (new at the opening): ${summary(cards.filter((p) => p.kind === 'proposal_card').map(latency))}\n` +
        `  fake Bot API: ${JSON.stringify(fake.stats())}`,
    );
    const sorted = announcements.map(latency).sort((a, b) => a - b);
    expect(announcements).toHaveLength(expected);
    expect(fake.stats().limited).toBe(0);
    // 1 s is the goal (printed above); a loaded CI machine gets twice that before failing.
    expect(percentile(sorted, 99)).toBeLessThan(2_000);
    expect(percentile(sorted, 50)).toBeLessThan(1_000);
  }, 90_000);
});
