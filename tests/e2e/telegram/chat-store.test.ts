/** The chat store on PostgreSQL: chat context in one read, /lang, reply claims, pruning. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bindChat } from '../../../src/app/bind-chat.ts';
import { chatCommunity, chatLocale } from '../../../src/app/chat-ports.ts';
import { rosterDeps } from '../../../src/runtime/roster-deps.ts';
import { prismaChatStore } from '../../../src/store/chat-store.ts';
import { seedCommunity } from '../../support/community.ts';
import { createTestDatabase, type TestDatabase } from '../../support/postgres.ts';
import { linkTelegramAccounts, userIdOf } from '../../support/telegram.ts';

describe('chat store', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.drop());

  it('reads a group’s binding, a private chat’s communities, and /lang choices', async () => {
    const chats = prismaChatStore(db.prisma);
    const a = await seedCommunity(db, { households: 3 });
    const b = await seedCommunity(db, { households: 3 });
    await bindChat(rosterDeps(db), { communityId: a.id, platform: 'telegram', chatId: '-100777' });
    await linkTelegramAccounts(db, a, [0, 1]);
    await linkTelegramAccounts(db, b, [1]);

    const group = await chats.context('telegram', '-100777', {
      userId: '1',
      withIdentities: false,
    });
    expect(group.binding).toMatchObject({
      communityId: a.id,
      locale: null,
      communityLocale: 'zh-CN',
    });
    expect(chatLocale(group)).toBe('zh-CN');
    expect(chatCommunity(group)).toMatchObject({ kind: 'community', communityId: a.id });

    const one = String(userIdOf(0));
    const alone = await chats.context('telegram', one, { userId: one, withIdentities: true });
    expect(alone.binding).toBeNull();
    expect(alone.communities.map((c) => c.communityId)).toEqual([a.id]);
    expect(chatCommunity(alone)).toMatchObject({ kind: 'community', communityId: a.id });

    const two = String(userIdOf(1));
    const both = await chats.context('telegram', two, { userId: two, withIdentities: true });
    expect(chatCommunity(both)).toMatchObject({ kind: 'several' });
    expect(chatLocale(both)).toBe('zh-CN');
    // Identities are not even looked up for groups.
    const groupView = await chats.context('telegram', '-100777', {
      userId: two,
      withIdentities: false,
    });
    expect(groupView.communities).toEqual([]);

    expect(await chats.setLocale('telegram', '-100777', 'en')).toBe('binding');
    expect(await chats.setLocale('telegram', two, 'en')).toBe('preference');
    expect(
      chatLocale(
        await chats.context('telegram', '-100777', { userId: '1', withIdentities: false }),
      ),
    ).toBe('en');
    expect(
      chatLocale(await chats.context('telegram', two, { userId: two, withIdentities: true })),
    ).toBe('en');
    expect(await db.prisma.chatPreference.count()).toBe(1);
  });

  it('claims a key once among racing callers, gives it back, and prunes old records', async () => {
    const chats = prismaChatStore(db.prisma);
    const at = new Date('2026-12-01T00:00:00Z');
    const results = await Promise.all(
      Array.from({ length: 10 }, () => chats.claim('tg-reply-1-42', at)),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    await chats.release('tg-reply-1-42');
    expect(await chats.claim('tg-reply-1-42', at)).toBe(true);

    const old = new Date('2026-11-28T00:00:00Z');
    await chats.claim('tg-reply-1-1', old);
    await chats.claim('tg-1-1', old);
    const pruned = await chats.pruneIdempotency(new Date('2026-11-29T00:00:00Z'));
    expect(pruned).toBe(2);
    expect(await db.prisma.idempotencyRecord.findMany({ select: { key: true } })).toEqual([
      { key: 'tg-reply-1-42' },
    ]);
  });
});
