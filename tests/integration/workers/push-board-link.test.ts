/**
 * Cards in the chats link to the item's public board page when PUBLIC_URL
 * is set and the community's board is not off (issue 14): pushed through the
 * real push queue and worker to the fake Telegram Bot API.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderMessage } from '../../../bots/telegram/render.ts';
import { bindChat } from '../../../src/app/bind-chat.ts';
import { boardLink } from '../../../src/app/community-settings.ts';
import { propose } from '../../../src/app/propose.ts';
import { showProposal } from '../../../src/app/show-proposal.ts';
import { rosterDeps } from '../../../src/runtime/roster-deps.ts';
import { cryptoRandom } from '../../../src/runtime/system.ts';
import { boardKeys } from '../../../src/store/board-store.ts';
import { communitySettingsStore } from '../../../src/store/community-settings-store.ts';
import { communityStore } from '../../../src/store/roster-store.ts';
import { statusReader } from '../../../src/store/status-store.ts';
import type { CardPush } from '../../../workers/push/push-request.ts';
import { createPushQueue, type PushQueue } from '../../../workers/push/queue.ts';
import { seedCommunity, type TestCommunity } from '../../support/community.ts';
import {
  type FakeTelegram,
  parseTelegramHtml,
  startFakeTelegram,
} from '../../support/fake-telegram.ts';
import { createTestDatabase, type TestDatabase } from '../../support/postgres.ts';
import {
  drained,
  type HarnessWorker,
  redisConnection,
  startHarnessWorker,
  TEST_BOT_TOKEN,
} from '../../support/push-harness.ts';

const PUBLIC_URL = 'https://yishi.example.org';

describe('board links under pushed cards (push worker, fake Telegram)', () => {
  let db: TestDatabase;
  let fake: FakeTelegram;
  const workers: HarnessWorker[] = [];
  const queues: PushQueue[] = [];
  let chat = 5000;

  /** A push queue and worker of their own, with or without PUBLIC_URL. */
  function pipeline(publicUrl: string | undefined): PushQueue {
    const prefix = `t-${randomUUID()}`;
    workers.push(
      startHarnessWorker({
        db,
        apiRoot: fake.apiRoot,
        prefix,
        ...(publicUrl ? { boardLinks: { publicUrl, keys: boardKeys(db) } } : {}),
      }),
    );
    const queue = createPushQueue({
      connection: redisConnection(),
      prefix,
      clock: { now: () => new Date() },
      communities: communityStore(db),
    });
    queues.push(queue);
    return queue;
  }

  /** A community with the given board policy, a bound chat and proposal #1; its link key if made. */
  async function community(board: 'link' | 'public' | 'off', makeKey: boolean) {
    const c: TestCommunity = await seedCommunity(db, {
      households: 10,
      policy: { board, quietHours: null },
      realClock: true,
    });
    const chatId = String(-++chat);
    expect(
      (await bindChat(rosterDeps(db), { communityId: c.id, platform: 'telegram', chatId })).kind,
    ).toBe('bound');
    expect((await propose(c.deps, { actor: c.as(0), title: '修缮车棚' })).kind).toBe('proposed');
    const settings = {
      clock: c.clock,
      random: cryptoRandom,
      settings: communitySettingsStore(db),
    };
    let key: string | null = null;
    if (makeKey) {
      const link = await boardLink(settings, { communityId: c.id, rotate: false });
      if (link.kind !== 'link') throw new Error(link.kind);
      key = link.key;
    }
    const push: CardPush = {
      kind: 'card',
      communityId: c.id,
      number: 1,
      card: 'proposal_card',
      platform: 'telegram',
      chatId,
    };
    return { id: c.id, chatId, key, push };
  }

  async function pushed(queue: PushQueue, push: CardPush) {
    await queue.enqueue([push], { urgent: true });
    await fake.until((f) => f.messagesIn(push.chatId).length === 1);
    await drained(queue.queue);
    const [message] = fake.messagesIn(push.chatId);
    if (!message) throw new Error('no card');
    return message;
  }

  beforeAll(async () => {
    db = await createTestDatabase();
    fake = await startFakeTelegram({ token: TEST_BOT_TOKEN });
  });

  afterAll(async () => {
    for (const w of workers) await w.close();
    for (const q of queues) {
      await q.queue.obliterate({ force: true });
      await q.close();
    }
    await fake?.close();
    await db?.drop();
  });

  it('links the item page with PUBLIC_URL set and the board open; not when it is off', async () => {
    const queue = pipeline(PUBLIC_URL);
    for (const w of workers) await w.ready();

    const linked = await community('link', true);
    const card = await pushed(queue, linked.push);
    expect(card.links).toEqual([`${PUBLIC_URL}/board/${linked.key}/1`]);
    expect(card.text).toContain('查看公示页');

    // "public" without a stored key: the community's id is its key.
    const open = await community('public', false);
    expect((await pushed(queue, open.push)).links).toEqual([`${PUBLIC_URL}/board/${open.id}/1`]);

    // "link" before anyone made a key: no page to link to yet.
    expect((await pushed(queue, (await community('link', false)).push)).links).toEqual([]);

    const off = await community('off', true);
    const plain = await pushed(queue, off.push);
    expect(plain.links).toEqual([]);
    expect(plain.text).not.toContain('查看公示页');
  });

  it('the /status N card links the same page', async () => {
    const linked = await community('link', true);
    const links = { publicUrl: PUBLIC_URL, keys: boardKeys(db) };
    const input = { communityId: linked.id, number: 1, locale: 'zh-CN' as const, now: new Date() };
    const shown = await showProposal(statusReader(db), input, links);
    if (shown.kind !== 'card') throw new Error(shown.kind);
    expect(parseTelegramHtml(renderMessage(shown.message).html).links).toEqual([
      `${PUBLIC_URL}/board/${linked.key}/1`,
    ]);
    const unlinked = await showProposal(statusReader(db), input);
    if (unlinked.kind !== 'card') throw new Error(unlinked.kind);
    expect(parseTelegramHtml(renderMessage(unlinked.message).html).links).toEqual([]);
  });

  it('no link without PUBLIC_URL', async () => {
    const queue = pipeline(undefined);
    for (const w of workers) await w.ready();
    const linked = await community('link', true);
    const card = await pushed(queue, linked.push);
    expect(card.links).toEqual([]);
    expect(card.text).not.toContain('查看公示页');
  });
});
