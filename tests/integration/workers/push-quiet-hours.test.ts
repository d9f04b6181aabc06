import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bindChat } from '../../../src/app/bind-chat.ts';
import { rosterDeps } from '../../../src/runtime/roster-deps.ts';
import { communityStore } from '../../../src/store/roster-store.ts';
import { createPushQueue } from '../../../workers/push/queue.ts';
import { seedCommunity, type TestCommunity } from '../../support/community.ts';
import { type FakeTelegram, startFakeTelegram } from '../../support/fake-telegram.ts';
import { createTestDatabase, type TestDatabase } from '../../support/postgres.ts';
import {
  drained,
  keyNoticeText,
  notice,
  redisConnection,
  startHarnessWorker,
  TEST_BOT_TOKEN,
} from '../../support/push-harness.ts';

const HOUR_MS = 3600_000;
const CHAT = '-2001';

/** Wall-clock time of `ms` in Shanghai, e.g. `08:00:00.012`. */
const shanghai = (ms: number) =>
  new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Asia/Shanghai',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    fractionalSecondDigits: 3,
    hourCycle: 'h23',
  }).format(new Date(ms));

describe('quiet hours 22:00-08:00 (Asia/Shanghai, from the community policy)', () => {
  let db: TestDatabase;
  let community: TestCommunity;
  let fake: FakeTelegram;
  const prefix = `t-${randomUUID()}`;

  beforeAll(async () => {
    db = await createTestDatabase();
    community = await seedCommunity(db, { households: 3, policy: { quietHours: '22:00-08:00' } });
    const bound = await bindChat(rosterDeps(db), {
      communityId: community.id,
      platform: 'telegram',
      chatId: CHAT,
    });
    expect(bound.kind).toBe('bound');
    fake = await startFakeTelegram({ token: TEST_BOT_TOKEN });
  });

  /** The push queue on `clock`, reading communities from the database. */
  const queueAt = (clock: { now: () => Date }) =>
    createPushQueue({
      connection: redisConnection(),
      prefix,
      clock,
      communities: communityStore(db),
    });

  afterAll(async () => {
    await fake?.close();
    await db?.drop();
  });

  it('holds a non-urgent push queued at 23:00 local until 08:00 local, 9 hours later', async () => {
    const at2300 = new Date('2026-12-01T23:00:00+08:00');
    const queue = queueAt({ now: () => at2300 });
    try {
      const key = `quiet-${randomUUID()}`;
      await queue.enqueue([notice(community.id, CHAT, key)], { urgent: false });
      await queue.enqueue(
        [
          {
            kind: 'card',
            communityId: community.id,
            number: 1,
            card: 'result_card',
            platform: 'telegram',
            chatId: CHAT,
          },
        ],
        { urgent: false },
      );
      const held = await queue.queue.getJob(`v1-notice-${key}`);
      expect(held?.delay).toBe(9 * HOUR_MS);
      expect(shanghai(at2300.getTime() + (held?.delay ?? 0))).toBe('08:00:00.000');
      const cards = (await queue.queue.getDelayed()).filter((j) => j.name === 'card');
      expect(cards).toHaveLength(1);
      expect(cards[0]?.delay).toBe(9 * HOUR_MS);
      // Every change held back by the same night collapses into the one 08:00 job.
      expect(cards[0]?.id).toMatch(/-q\d+$/);

      const urgentKey = `urgent-${randomUUID()}`;
      await queue.enqueue([notice(community.id, CHAT, urgentKey)], { urgent: true });
      expect((await queue.queue.getJob(`v1-notice-${urgentKey}`))?.delay).toBe(0);
    } finally {
      await queue.queue.obliterate({ force: true });
      await queue.close();
    }
  });

  it('holds each community of one enqueue by its own quiet hours and time zone', async () => {
    const at2300 = new Date('2026-12-01T23:00:00+08:00');
    const queue = queueAt({ now: () => at2300 });
    // The communities come with the request, as the outbox relay passes those it read.
    const community = (id: string, timezone: string, quietHours: string) => ({
      id,
      name: id,
      timezone,
      locale: 'zh-CN' as const,
      policy: { quietHours },
    });
    const communities = [
      community('night', 'Asia/Shanghai', '22:00-08:00'),
      community('late', 'Asia/Shanghai', '23:30-06:00'),
      community('utc', 'UTC', '22:00-08:00'),
      community('early', 'Asia/Shanghai', '21:00-07:00'),
    ];
    try {
      const keys = communities.map((c) => `zone-${c.id}-${randomUUID()}`);
      await queue.enqueue(
        communities.map((c, i) => notice(c.id, CHAT, keys[i] ?? '')),
        { urgent: false, communities },
      );
      const delays = await Promise.all(
        keys.map(async (key) => (await queue.queue.getJob(`v1-notice-${key}`))?.delay),
      );
      // 23:00 in Shanghai is 15:00 UTC.
      expect(delays).toEqual([9 * HOUR_MS, 0, 0, 8 * HOUR_MS]);
    } finally {
      await queue.queue.obliterate({ force: true });
      await queue.close();
    }
  });

  it('delivers it at 08:00 local time: a clock 2 s before 08:00, the urgent push goes at once', async () => {
    // Real time shifted so that "now" is 07:59:58 in Shanghai: the held push is 2 s away.
    const offsetMs = new Date('2026-12-02T07:59:58+08:00').getTime() - Date.now();
    const clock = { now: () => new Date(Date.now() + offsetMs) };
    const queue = queueAt(clock);
    const worker = startHarnessWorker({ db, apiRoot: fake.apiRoot, prefix, clock });
    try {
      const heldKey = `held-${randomUUID()}`;
      const urgentKey = `now-${randomUUID()}`;
      await queue.enqueue([notice(community.id, CHAT, heldKey)], { urgent: false });
      await queue.enqueue([notice(community.id, CHAT, urgentKey)], { urgent: true });
      await fake.until((f) => f.messagesIn(CHAT).length === 2, 10_000);
      await drained(queue.queue);

      const arrival = (key: string) => {
        const call = fake
          .calls('sendMessage')
          .find((c) => String(c.params.text).includes(key) && c.status === 200);
        if (!call) throw new Error(`no delivery of ${key}`);
        return call.at + offsetMs;
      };
      const held = shanghai(arrival(heldKey));
      const urgent = shanghai(arrival(urgentKey));
      console.info(`[push] quiet hours: urgent delivered at ${urgent}, held one at ${held} local`);
      expect(urgent < '08:00:00.000').toBe(true);
      expect(held >= '08:00:00.000').toBe(true);
      expect(held < '08:00:01.000').toBe(true);
      expect(fake.messagesIn(CHAT).map((m) => m.text)).toEqual([
        keyNoticeText(urgentKey),
        keyNoticeText(heldKey),
      ]);
    } finally {
      await worker.close();
      await queue.queue.obliterate({ force: true });
      await queue.close();
    }
  });
});
