/**
 * Real Telegram groups change under the bot: a chat bound to a forum topic,
 * a group upgraded to a supergroup (new chat id), the bot kicked and added
 * back. Through the webhook, the workers and the push queue against the fake
 * Bot API, which answers as Telegram does (message_thread_id, the 400 with
 * parameters.migrate_to_chat_id, 403 once kicked).
 */
import { randomUUID } from 'node:crypto';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bindChat } from '../../../src/app/bind-chat.ts';
import { propose } from '../../../src/app/propose.ts';
import { watchUnreachableChats } from '../../../src/runtime/chat-metrics.ts';
import { rosterDeps } from '../../../src/runtime/roster-deps.ts';
import { countUnreachableBoundChats } from '../../../src/store/chat-membership-store.ts';
import { communityStore } from '../../../src/store/roster-store.ts';
import { createPushQueue } from '../../../workers/push/queue.ts';
import { seedCommunity, type TestCommunity } from '../../support/community.ts';
import {
  type FakeTelegram,
  type StoredMessage,
  startFakeTelegram,
} from '../../support/fake-telegram.ts';
import { createTestDatabase, type TestDatabase } from '../../support/postgres.ts';
import { runCli } from '../../support/processes.ts';
import { redisConnection } from '../../support/push-harness.ts';
import {
  linkTelegramAccounts,
  messageUpdate,
  type Pipeline,
  startPipeline,
  startTelegramGateway,
  TEST_TOKEN,
  type TelegramGateway,
  updateId,
  userIdOf,
} from '../../support/telegram.ts';

const BOT = { id: 123456789, is_bot: true, first_name: 'Yishi Test', username: 'yishi_test_bot' };
const COMMITTEE = userIdOf(0);

/** A card as a resident sees it: a message of the bot with buttons, naming the title. */
const cardsOf = (fake: FakeTelegram, chatId: number, title: string): StoredMessage[] =>
  fake.messagesIn(chatId).filter((m) => m.text.includes(title) && m.replyMarkup !== undefined);

const sendsTo = (fake: FakeTelegram, chatId: number) =>
  fake.calls('sendMessage').filter((c) => String(c.params.chat_id) === String(chatId));

type MemberStatus = 'member' | 'administrator' | 'left' | 'kicked';

/** `my_chat_member` as Telegram sends it when the bot's status in a group changes. */
function botStatusUpdate(chatId: number, from: MemberStatus, to: MemberStatus) {
  const member = (status: MemberStatus) => ({
    status,
    user: BOT,
    ...(status === 'kicked' ? { until_date: 0 } : {}),
    ...(status === 'administrator'
      ? { can_be_edited: false, can_manage_chat: true, is_anonymous: false }
      : {}),
  });
  return {
    update_id: updateId(),
    my_chat_member: {
      chat: { id: chatId, type: 'supergroup', title: `Group ${chatId}` },
      from: { id: COMMITTEE, is_bot: false, first_name: '居委会' },
      date: Math.floor(Date.now() / 1000),
      old_chat_member: member(from),
      new_chat_member: member(to),
    },
  };
}

/** The service messages of an upgrade: in the old group, and the first one in the supergroup. */
function upgradeUpdates(oldChatId: number, newChatId: number) {
  const date = Math.floor(Date.now() / 1000);
  const from = { id: COMMITTEE, is_bot: false, first_name: '居委会' };
  return [
    {
      update_id: updateId(),
      message: {
        message_id: 900,
        from,
        chat: { id: oldChatId, type: 'group', title: 'Group' },
        date,
        migrate_to_chat_id: newChatId,
      },
    },
    {
      update_id: updateId(),
      message: {
        message_id: 1,
        from,
        chat: { id: newChatId, type: 'supergroup', title: 'Group' },
        date,
        migrate_from_chat_id: oldChatId,
      },
    },
  ];
}

describe('real Telegram groups: topics, upgrades, removal', () => {
  let db: TestDatabase;
  let fake: FakeTelegram;
  let gw: TelegramGateway;
  let pipeline: Pipeline;

  /** A community of its own with one bound group, so its cards go nowhere else. */
  async function communityIn(chatId: number, topic?: string): Promise<TestCommunity> {
    const c = await seedCommunity(db, {
      households: 6,
      realClock: true,
      // Announcements and notices would wait out quiet hours at night: none here.
      policy: { quietHours: null },
    });
    await linkTelegramAccounts(db, c, [0, 1, 2]);
    const bound = await bindChat(rosterDeps(db), {
      communityId: c.id,
      platform: 'telegram',
      chatId: String(chatId),
      topic,
    });
    expect(bound.kind).toBe('bound');
    return c;
  }

  /** Resolves once the relay has turned every outbox row of the community into pushes. */
  async function relayed(communityId: string, timeoutMs = 10_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while ((await db.prisma.outbox.count({ where: { communityId, relayedAt: null } })) > 0) {
      if (Date.now() > until) throw new Error('outbox not relayed in time');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  const proposeIn = async (c: TestCommunity, title: string) => {
    const outcome = await propose(c.deps, {
      actor: c.as(1),
      title,
      body: '',
      category: 'public_facilities',
    });
    expect(outcome.kind).toBe('proposed');
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    fake = await startFakeTelegram({ token: TEST_TOKEN, limits: false });
    const c = await seedCommunity(db, { households: 1, realClock: true });
    gw = await startTelegramGateway(db, c.deps, { fake });
    pipeline = await startPipeline(db, gw.adapter.sender, { coalesceMs: 50 });
  });
  afterAll(async () => {
    await pipeline?.close();
    await gw?.close();
    await fake?.close();
    await db?.drop();
  });

  it('posts the cards of a chat bound with --topic in that topic', async () => {
    const group = -1001000007001;
    const c = await communityIn(group, '4242');
    const title = `东门雨棚-${randomUUID().slice(0, 4)}`;
    await gw.deliver(
      messageUpdate({ chatId: group, userId: userIdOf(1), text: `/propose ${title}` }),
    );
    await fake.until((f) => cardsOf(f, group, title).length === 1);
    const [card] = cardsOf(fake, group, title);
    expect(card?.threadId).toBe(4242);
    expect(sendsTo(fake, group).map((s) => s.params.message_thread_id)).toEqual([4242]);

    // Bound again without a topic: the next card goes to the main thread.
    await bindChat(rosterDeps(db), { communityId: c.id, platform: 'telegram', chatId: `${group}` });
    const next = `西门雨棚-${randomUUID().slice(0, 4)}`;
    await proposeIn(c, next);
    await fake.until((f) => cardsOf(f, group, next).length === 1);
    expect(cardsOf(fake, group, next)[0]?.threadId).toBeUndefined();

    const invalid = await bindChat(rosterDeps(db), {
      communityId: c.id,
      platform: 'telegram',
      chatId: `${group}`,
      topic: 'general',
    });
    expect(invalid.kind).toBe('topic_invalid');
  });

  it('follows a group upgraded to a supergroup when a send is refused with migrate_to_chat_id', async () => {
    const oldGroup = -4007002;
    const newGroup = -1001000007002;
    const c = await communityIn(oldGroup);
    const first = `旧群议题-${randomUUID().slice(0, 4)}`;
    await proposeIn(c, first);
    await fake.until((f) => cardsOf(f, oldGroup, first).length === 1);

    // Upgraded without the bot seeing the service messages: the next send to the old id is refused.
    fake.migrate(oldGroup, newGroup);
    const queued = `升级后议题-${randomUUID().slice(0, 4)}`;
    await proposeIn(c, queued);
    await fake.until((f) => cardsOf(f, newGroup, queued).length === 1);
    await pipeline.drained();
    expect(cardsOf(fake, newGroup, queued)).toHaveLength(1);
    const refused = sendsTo(fake, oldGroup).filter((s) => s.status === 400);
    expect(refused).toHaveLength(1);
    expect(refused[0]?.response).toMatchObject({ parameters: { migrate_to_chat_id: newGroup } });

    const binding = await db.prisma.chatBinding.findFirst({ where: { communityId: c.id } });
    expect(binding?.chatId).toBe(String(newGroup));
    expect(await db.prisma.deliveryProblem.count({ where: { chatId: String(oldGroup) } })).toBe(0);
    const audit = await db.prisma.auditEntry.findMany({
      where: { communityId: c.id, action: 'chat.migrated' },
    });
    expect(audit).toHaveLength(1);
    expect(audit[0]?.payload).toMatchObject({
      from: String(oldGroup),
      to: String(newGroup),
      source: 'send_refused',
    });

    // A resident's /propose from the new id acts in the community, and its card shows there.
    const typed = `新群议题-${randomUUID().slice(0, 4)}`;
    await gw.deliver(
      messageUpdate({ chatId: newGroup, userId: userIdOf(2), text: `/propose ${typed}` }),
    );
    await fake.until((f) => cardsOf(f, newGroup, typed).length === 1);
    const made = await db.prisma.proposal.findFirst({ where: { title: typed } });
    expect(made?.communityId).toBe(c.id);
    expect(sendsTo(fake, oldGroup).filter((s) => s.status === 200)).toHaveLength(1);
  });

  it('follows the upgrade service messages, and a push queued for the old id arrives once at the new one', async () => {
    const oldGroup = -4007003;
    const newGroup = -1001000007003;
    const c = await communityIn(oldGroup);
    const title = `升级前议题-${randomUUID().slice(0, 4)}`;
    await proposeIn(c, title);
    await fake.until((f) => cardsOf(f, oldGroup, title).length === 1);
    await pipeline.drained();

    // Both service messages, each delivered twice: one move.
    const [inOld, inNew] = upgradeUpdates(oldGroup, newGroup);
    for (const update of [inOld, inNew, inOld, inNew]) {
      expect((await gw.post(update ?? {})).status).toBe(200);
    }
    fake.migrate(oldGroup, newGroup);
    const binding = await db.prisma.chatBinding.findFirst({ where: { communityId: c.id } });
    expect(binding?.chatId).toBe(String(newGroup));
    const moved = await db.prisma.cardMessage.findMany({ where: { communityId: c.id } });
    expect(moved.map((m) => m.chatId)).toEqual([String(newGroup)]);
    expect(
      await db.prisma.auditEntry.count({ where: { communityId: c.id, action: 'chat.migrated' } }),
    ).toBe(1);

    // A push that was queued for the old id (e.g. by a relay that read the binding just before).
    const number = (await db.prisma.proposal.findFirst({ where: { title } }))?.number ?? 0;
    const queue = createPushQueue({
      connection: redisConnection(),
      prefix: pipeline.prefix,
      clock: { now: () => new Date() },
      communities: communityStore(db),
      coalesceMs: 50,
    });
    try {
      await queue.enqueue(
        [
          {
            kind: 'card',
            communityId: c.id,
            number,
            card: 'proposal_card',
            platform: 'telegram',
            chatId: String(oldGroup),
          },
        ],
        { urgent: true },
      );
      await fake.until((f) => cardsOf(f, newGroup, title).length === 1);
      await pipeline.drained();
    } finally {
      await queue.close();
    }
    expect(cardsOf(fake, newGroup, title)).toHaveLength(1);
    expect(sendsTo(fake, oldGroup).filter((s) => s.status !== 200)).toHaveLength(0);
  });

  it('stops sending at once when the bot is kicked, and after it is added back the next card arrives and the committee is told', async () => {
    const group = -1001000007004;
    const c = await communityIn(group);
    const registry = new Registry();
    watchUnreachableChats(registry, () => countUnreachableBoundChats(db));
    const gauge = async () =>
      Number(/^yishi_unreachable_bound_chats (\d+)$/m.exec(await registry.metrics())?.[1]);
    const before = await gauge();

    expect((await gw.post(botStatusUpdate(group, 'member', 'kicked'))).status).toBe(200);
    fake.kick(group);
    const [listed] = await rosterDeps(db).chatBindings.list(c.id);
    expect(listed).toMatchObject({ chatId: String(group), reachable: false });
    expect(await gauge()).toBe(before + 1);

    const muted = `踢出后议题-${randomUUID().slice(0, 4)}`;
    await proposeIn(c, muted);
    // Once the relay has queued the card and the worker has dropped it, nothing went to the group.
    await relayed(c.id);
    await pipeline.drained();
    expect(sendsTo(fake, group)).toHaveLength(0);

    fake.readd(group);
    const readd = botStatusUpdate(group, 'left', 'administrator');
    expect((await gw.post(readd)).status).toBe(200);
    expect((await gw.post(readd)).status).toBe(200); // redelivered: told once
    await fake.until((f) => f.messagesIn(COMMITTEE).some((m) => m.text.includes(String(group))));
    const next = `重新加入后议题-${randomUUID().slice(0, 4)}`;
    await proposeIn(c, next);
    await fake.until((f) => cardsOf(f, group, next).length === 1);
    await pipeline.drained();

    const told = fake.messagesIn(COMMITTEE).filter((m) => m.text.includes(String(group)));
    expect(told).toHaveLength(1);
    expect(told[0]?.text).toContain('重新加入');
    // Only the committee: residents 1 and 2 are linked too and hear nothing of it.
    for (const other of [userIdOf(1), userIdOf(2)]) {
      expect(fake.messagesIn(other).filter((m) => m.text.includes(String(group)))).toHaveLength(0);
    }
    expect((await rosterDeps(db).chatBindings.list(c.id))[0]?.reachable).toBe(true);
    expect(await gauge()).toBe(before);
    const actions = await db.prisma.auditEntry.findMany({
      where: { communityId: c.id, action: { in: ['chat.unreachable', 'chat.reachable'] } },
      orderBy: { seq: 'asc' },
    });
    expect(actions.map((a) => a.action)).toEqual(['chat.unreachable', 'chat.reachable']);
  });

  it('yishi chat bind --topic and chat list --json show each chat with its topic and reachability', async () => {
    const group = -1001000007005;
    const c = await communityIn(group);
    const env = { DATABASE_URL: db.url, YISHI_AUTO_MIGRATE: '0' };
    const bound = await runCli(
      [
        'chat',
        'bind',
        '--community',
        c.id,
        '--platform',
        'telegram',
        '--chat',
        `${group}`,
        '--topic',
        '77',
      ],
      env,
    );
    expect(bound).toMatchObject({ code: 0, stderr: '' });
    await db.prisma.deliveryProblem.create({
      data: {
        platform: 'telegram',
        chatId: `${group}`,
        reason: 'bot kicked (my_chat_member)',
        at: new Date(),
      },
    });
    const listed = await runCli(['chat', 'list', '--community', c.id, '--json'], env);
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual([
      {
        platform: 'telegram',
        chatId: `${group}`,
        building: null,
        locale: null,
        topic: '77',
        reachable: false,
        problem: { reason: 'bot kicked (my_chat_member)', at: expect.any(String) },
      },
    ]);
    const refused = await runCli(
      [
        'chat',
        'bind',
        '--community',
        c.id,
        '--platform',
        'telegram',
        '--chat',
        `${group}`,
        '--topic',
        'x',
      ],
      env,
    );
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('message_thread_id');
  });
});
