/**
 * Update shapes real groups send and the basic fixtures do not (issue 11,
 * items 4, 7 and 8): commands in a forum topic, in a group nobody bound, from
 * an anonymous admin, from the linked channel, and in a photo's caption. Shapes
 * follow the Bot API (Message: message_thread_id, is_topic_message,
 * sender_chat, is_automatic_forward, caption_entities).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bindChat } from '../../../src/app/bind-chat.ts';
import { issueJoinCodes } from '../../../src/app/issue-join-codes.ts';
import { propose } from '../../../src/app/propose.ts';
import { rosterDeps } from '../../../src/runtime/roster-deps.ts';
import { seedCommunity, type TestCommunity } from '../../support/community.ts';
import type { RecordedCall } from '../../support/fake-telegram.ts';
import { createTestDatabase, type TestDatabase } from '../../support/postgres.ts';
import {
  linkTelegramAccounts,
  startTelegramGateway,
  type TelegramGateway,
  updateId,
  userIdOf,
} from '../../support/telegram.ts';
import { openedVote } from '../../support/voting.ts';

const GROUP = -1001000000442;
const UNBOUND = -1001000000443;
const CHANNEL = -1001000000444;
const TOPIC = 4242;
/** GroupAnonymousBot: the sender Telegram shows for an admin who remains anonymous. */
const ANONYMOUS = {
  id: 1087968824,
  is_bot: true,
  first_name: 'Group',
  username: 'GroupAnonymousBot',
};

let nextMessageId = 90_000;
const now = () => Math.floor(Date.now() / 1000);
const person = (id: number) => ({
  id,
  is_bot: false,
  first_name: `居民${id}`,
  language_code: 'zh-hans',
});
const forum = (id: number) => ({ id, title: `幸福里 ${id}`, type: 'supergroup', is_forum: true });
const commandEntities = (text: string) => [
  { type: 'bot_command', offset: 0, length: /^\/\S+/.exec(text)?.[0].length ?? 0 },
];

/** A message update in `chatId`; `extra` adds or replaces message fields. */
function groupMessage(chatId: number, text: string, extra: Record<string, unknown> = {}) {
  return {
    update_id: updateId(),
    message: {
      message_id: nextMessageId++,
      from: person(userIdOf(1)),
      chat: forum(chatId),
      date: now(),
      text,
      entities: commandEntities(text),
      ...extra,
    },
  };
}

/** A message in forum topic 4242, as Telegram sends it: a reply to the topic's creation. */
function topicMessage(userId: number, text: string) {
  return groupMessage(GROUP, text, {
    from: person(userId),
    message_thread_id: TOPIC,
    is_topic_message: true,
    reply_to_message: {
      message_id: TOPIC,
      message_thread_id: TOPIC,
      is_topic_message: true,
      from: person(userIdOf(0)),
      chat: forum(GROUP),
      date: now() - 3600,
      forum_topic_created: { name: '议事', icon_color: 7322096 },
    },
  });
}

describe('telegram in real groups', () => {
  let db: TestDatabase;
  let a: TestCommunity;
  let gw: TelegramGateway;

  beforeAll(async () => {
    db = await createTestDatabase();
    a = await seedCommunity(db, { households: 10 });
    await bindChat(rosterDeps(db), { communityId: a.id, platform: 'telegram', chatId: `${GROUP}` });
    await linkTelegramAccounts(db, a, [0, 1, 2, 3, 4, 5]);
    gw = await startTelegramGateway(db, a.deps);
  });
  afterAll(async () => {
    await gw?.close();
    await db?.drop();
  });

  /** Posts `update` (expecting 200) and returns the Bot API calls it caused. */
  async function post(update: object): Promise<RecordedCall[]> {
    const before = gw.fake.calls().length;
    expect((await gw.post(update)).status).toBe(200);
    return gw.fake.calls().slice(before);
  }
  const sends = (calls: RecordedCall[]) => calls.filter((c) => c.method === 'sendMessage');
  const stored = async () => ({
    proposals: await db.prisma.proposal.count(),
    ballots: await db.prisma.ballot.count(),
    identities: await db.prisma.chatIdentity.count(),
    audit: await db.prisma.auditEntry.count(),
    records: await db.prisma.idempotencyRecord.count(),
  });

  it('answers /help, /status 1 and /join CODE in the forum topic they came from', async () => {
    const made = await propose(a.deps, { actor: a.as(0), title: '东门加装雨棚' });
    if (made.kind !== 'proposed') throw new Error(made.kind);
    const issued = await issueJoinCodes(rosterDeps(db), { communityId: a.id });
    if (issued.kind !== 'issued') throw new Error(issued.kind);

    const help = topicMessage(userIdOf(2), '/help');
    const [helpReply, ...helpMore] = sends(await post(help));
    expect(helpMore).toEqual([]);
    expect(helpReply?.params).toMatchObject({
      chat_id: GROUP,
      message_thread_id: TOPIC,
      reply_parameters: { message_id: help.message.message_id },
    });
    expect(String(helpReply?.params.text)).toMatch(/^您可以使用的命令/);

    const [status] = sends(await post(topicMessage(userIdOf(2), `/status ${made.number}`)));
    expect(status?.params).toMatchObject({ chat_id: GROUP, message_thread_id: TOPIC });
    expect(String(status?.params.text)).toContain(`议题 #${made.number}`);

    // The code is deleted from the group; the answer has nothing to reply to, and stays in the topic.
    const join = topicMessage(888_101, `/join ${issued.codes[9]?.code ?? ''}`);
    const joinCalls = await post(join);
    expect(joinCalls.filter((c) => c.method === 'deleteMessage')).toMatchObject([
      { params: { chat_id: GROUP, message_id: join.message.message_id } },
    ]);
    const [joined] = sends(joinCalls);
    expect(joined?.params).toMatchObject({ chat_id: GROUP, message_thread_id: TOPIC });
    expect(joined?.params.reply_parameters).toBeUndefined();
    expect(String(joined?.params.text)).toMatch(/^欢迎！/);
  });

  it('says a ballot’s fallback in the topic when the voter never started the bot', async () => {
    const number = await openedVote(a, 8 * 24 * 3600 * 1000);
    gw.fake.markNotStarted(userIdOf(5));
    const calls = await post(topicMessage(userIdOf(5), `/vote ${number} for`));
    const [privately, fallback] = sends(calls);
    expect(privately?.params.chat_id).toBe(userIdOf(5));
    expect(privately?.status).toBe(403);
    expect(fallback?.params).toMatchObject({ chat_id: GROUP, message_thread_id: TOPIC });
    expect(fallback?.params.reply_parameters).toBeUndefined();
    expect(String(fallback?.params.text)).not.toMatch(/赞成/);
  });

  it('in a group nobody bound, a linked resident’s command acts for no community: one answer how to bind it', async () => {
    const before = await stored();
    const proposeCalls = await post(groupMessage(UNBOUND, '/propose 楼道灯不亮'));
    expect(proposeCalls.map((c) => c.method)).toEqual(['sendMessage']);
    const answer = String(proposeCalls[0]?.params.text);
    expect(answer).toMatch(/^本群尚未绑定社区/);
    expect(answer).toContain(
      `npx yishi chat bind --community 社区ID --platform telegram --chat ${UNBOUND}`,
    );
    for (const text of ['/help', `/join ABCD-EFGH`, '/status 1', '/vote 1 for']) {
      const calls = await post(groupMessage(UNBOUND, text));
      expect(calls.map((c) => c.method)).toEqual(['sendMessage']);
      expect(String(calls[0]?.params.text)).toMatch(/^本群尚未绑定社区/);
    }
    // From a forum topic, the line binds that topic.
    const inTopic = groupMessage(UNBOUND, '/help', {
      message_thread_id: 77,
      is_topic_message: true,
    });
    const [topicAnswer] = sends(await post(inTopic));
    expect(topicAnswer?.params.message_thread_id).toBe(77);
    expect(String(topicAnswer?.params.text)).toContain(`--chat ${UNBOUND} --topic 77 完成绑定`);
    // Other bots' commands are theirs.
    expect(await post(groupMessage(UNBOUND, '/propose@other_bot 修路'))).toEqual([]);
    expect(await post(groupMessage(UNBOUND, '/weather'))).toEqual([]);
    // The chat's language may be chosen before it is bound; the answer follows it.
    const [lang] = sends(await post(groupMessage(UNBOUND, '/lang en')));
    expect(lang?.params.chat_id).toBe(UNBOUND);
    const [english] = sends(await post(groupMessage(UNBOUND, '/propose Fix the lights')));
    expect(String(english?.params.text)).toMatch(/^This group is not bound to a community yet/);
    const after = await stored();
    expect({ ...after, records: 0 }).toEqual({ ...before, records: 0 });
  });

  it('asks an anonymous admin to send the command as themselves, and does nothing else', async () => {
    const before = await stored();
    const calls = await post(
      groupMessage(GROUP, '/propose 修缮自行车棚', {
        from: ANONYMOUS,
        sender_chat: { id: GROUP, title: `幸福里 ${GROUP}`, type: 'supergroup' },
      }),
    );
    expect(calls.map((c) => c.method)).toEqual(['sendMessage']);
    expect(String(calls[0]?.params.text)).toMatch(/^您正以匿名管理员身份发言/);
    const after = await stored();
    expect({ ...after, records: 0 }).toEqual({ ...before, records: 0 });
  });

  it('ignores the linked channel’s automatic forward and channel posts: nothing stored, nothing deleted', async () => {
    const number = (await db.prisma.proposal.findFirstOrThrow({ orderBy: { number: 'desc' } }))
      .number;
    const channel = { id: CHANNEL, title: '幸福里通知', type: 'channel' };
    const before = await stored();
    const forwarded = groupMessage(GROUP, `/vote ${number} for`, {
      from: { id: 777000, is_bot: false, first_name: 'Telegram' },
      sender_chat: channel,
      is_automatic_forward: true,
      forward_origin: { type: 'channel', chat: channel, message_id: 12, date: now() },
      forward_from_chat: channel,
      forward_from_message_id: 12,
      forward_date: now(),
    });
    expect(await post(forwarded)).toEqual([]);
    const post_ = {
      update_id: updateId(),
      channel_post: {
        message_id: 13,
        sender_chat: channel,
        chat: channel,
        date: now(),
        text: `/vote ${number} for`,
        entities: commandEntities(`/vote ${number} for`),
      },
    };
    expect(await post(post_)).toEqual([]);
    expect(await stored()).toEqual(before);
  });

  it('takes a command in a photo’s or a document’s caption like the same text', async () => {
    const before = await db.prisma.proposal.count();
    const caption = '/propose 东门路灯不亮\n晚上看不清台阶 #public_facilities';
    const photo = groupMessage(GROUP, '', {
      text: undefined,
      entities: undefined,
      photo: [
        { file_id: 'AgAD-small', file_unique_id: 'AQAD-s', file_size: 1200, width: 90, height: 67 },
        {
          file_id: 'AgAD-large',
          file_unique_id: 'AQAD-l',
          file_size: 48000,
          width: 800,
          height: 600,
        },
      ],
      caption,
      caption_entities: commandEntities(caption),
    });
    // In a bound group the proposal's card is its answer (posted by the workers, not here).
    expect(await post(photo)).toEqual([]);
    expect(await db.prisma.proposal.count()).toBe(before + 1);
    const made = await db.prisma.proposal.findFirstOrThrow({ where: { title: '东门路灯不亮' } });
    expect(made).toMatchObject({ body: '晚上看不清台阶', category: 'public_facilities' });

    const document = groupMessage(GROUP, '', {
      text: undefined,
      entities: undefined,
      document: {
        file_id: 'BQAD-doc',
        file_unique_id: 'AgAD-doc',
        file_name: '照片.pdf',
        mime_type: 'application/pdf',
      },
      caption: `/status ${made.number}`,
      caption_entities: commandEntities(`/status ${made.number}`),
    });
    const [status] = sends(await post(document));
    expect(String(status?.params.text)).toContain(`议题 #${made.number}：东门路灯不亮`);
  });
});
