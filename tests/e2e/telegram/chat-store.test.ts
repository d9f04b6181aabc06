/** The chat store on PostgreSQL: chat context in one read, /lang, reply claims, pruning. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bindChat } from '../../../src/app/bind-chat.ts';
import { chatCommunity, chatLocale } from '../../../src/app/ports/chat.ts';
import { rosterDeps } from '../../../src/runtime/roster-deps.ts';
import { chatStore } from '../../../src/store/chat-store.ts';
import { pruneExpired } from '../../../src/store/maintenance-store.ts';
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
    const chats = chatStore(db);
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

  it('owes a reply to one of racing callers, gives it back, marks it sent, and prunes old records', async () => {
    const chats = chatStore(db);
    const at = new Date('2026-12-01T00:00:00Z');
    const lease = 60_000;
    const results = await Promise.all(
      Array.from({ length: 10 }, () => chats.claimReply('tg-reply-1-42', at, lease)),
    );
    const owed = results.filter((r) => r.kind === 'owed');
    expect(owed).toHaveLength(1);
    expect(results.filter((r) => r.kind === 'in_flight')).toHaveLength(9);
    const first = owed[0]?.kind === 'owed' ? owed[0].token : '';

    // Only the holder gives it back; then the next caller owes it.
    await chats.releaseReply('tg-reply-1-42', 'someone-else');
    expect((await chats.claimReply('tg-reply-1-42', at, lease)).kind).toBe('in_flight');
    await chats.releaseReply('tg-reply-1-42', first);
    const again = await chats.claimReply('tg-reply-1-42', at, lease);
    if (again.kind !== 'owed') throw new Error(again.kind);
    await chats.replySent('tg-reply-1-42', again.token);
    const later = new Date(at.getTime() + 10 * lease);
    expect((await chats.claimReply('tg-reply-1-42', later, lease)).kind).toBe('sent');

    // An owed claim older than the lease was left by a delivery that died: it is taken over once.
    const dead = await chats.claimReply('tg-reply-1-43', at, lease);
    if (dead.kind !== 'owed') throw new Error(dead.kind);
    const early = new Date(at.getTime() + lease - 1);
    expect((await chats.claimReply('tg-reply-1-43', early, lease)).kind).toBe('in_flight');
    const stale = new Date(at.getTime() + lease);
    const takers = await Promise.all(
      Array.from({ length: 5 }, () => chats.claimReply('tg-reply-1-43', stale, lease)),
    );
    expect(takers.filter((r) => r.kind === 'owed')).toHaveLength(1);
    // The dead delivery's late mark or release no longer touches the new holder's claim.
    await chats.releaseReply('tg-reply-1-43', dead.token);
    await chats.replySent('tg-reply-1-43', dead.token);
    expect((await chats.claimReply('tg-reply-1-43', stale, lease)).kind).toBe('in_flight');

    const old = new Date('2026-11-28T00:00:00Z');
    await chats.claimReply('tg-reply-1-1', old, lease);
    await db.prisma.idempotencyRecord.create({ data: { key: 'tg-1-1', at: old } });
    // The maintenance job's prune takes reply claims with the update ids.
    const pruned = await pruneExpired(db, {
      idempotencyBefore: new Date('2026-11-29T00:00:00Z'),
      outboxBefore: new Date(0),
    });
    expect(pruned.idempotency).toBe(2);
    expect(
      await db.prisma.idempotencyRecord.findMany({
        select: { key: true },
        orderBy: { key: 'asc' },
      }),
    ).toEqual([{ key: 'tg-reply-1-42' }, { key: 'tg-reply-1-43' }]);
  });
});
