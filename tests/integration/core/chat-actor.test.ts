/**
 * Who acts for a chat account: a group acts only for the
 * community it is bound to; only a private chat takes the account's own
 * community (issue 11 item 7: a linked resident's /propose in a group nobody
 * bound created a proposal in their community).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CoreDeps } from '../../../src/app/core.ts';
import type { ActorRef } from '../../../src/app/ports/store.ts';
import { propose } from '../../../src/app/propose.ts';
import { deliberationStore } from '../../../src/store/deliberation-store.ts';
import { seedCommunity, type TestCommunity } from '../../support/community.ts';
import { createTestDatabase, type TestDatabase } from '../../support/postgres.ts';
import { linkTelegramAccounts, userIdOf } from '../../support/telegram.ts';

const UNBOUND = '-1001000000551';

describe('the actor of a chat account', () => {
  let db: TestDatabase;
  let c: TestCommunity;

  beforeAll(async () => {
    db = await createTestDatabase();
    c = await seedCommunity(db, { households: 4 });
    await linkTelegramAccounts(db, c, [1]);
  });
  afterAll(async () => {
    await db?.drop();
  });

  const chat = (chatId: string, isPrivate: boolean): ActorRef => ({
    kind: 'chat',
    platform: 'telegram',
    userId: String(userIdOf(1)),
    chatId,
    isPrivate,
  });

  it('a linked resident acts for nobody in an unbound group, and for their community in private', async () => {
    const deps: CoreDeps = {
      ...c.deps,
      store: deliberationStore(db),
    };
    const before = await db.prisma.proposal.count();
    const inGroup = await propose(deps, {
      actor: chat(UNBOUND, false),
      idempotencyKey: 't-group',
      title: '楼道灯不亮',
    });
    expect(inGroup.kind).toBe('chat_not_bound');
    expect(await db.prisma.proposal.count()).toBe(before);

    const inPrivate = await propose(deps, {
      actor: chat(String(userIdOf(1)), true),
      idempotencyKey: 't-private',
      title: '楼道灯不亮 (private)',
    });
    expect(inPrivate.kind).toBe('proposed');
    expect(await db.prisma.proposal.count()).toBe(before + 1);
  });
});
