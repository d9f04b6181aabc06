/**
 * The chat store in SQL. The context of a chat is read in one round trip,
 * since every update needs it before anything else; the updates that arrive
 * together share that round trip (DataLoader gathers the reads of one turn of
 * the event loop into one statement, and caches nothing).
 */
import { randomUUID } from 'node:crypto';
import DataLoader from 'dataloader';
import { z } from 'zod';
import type { ChatContext, ChatStore } from '../app/ports/chat.ts';
import type { Platform } from '../app/ports/store.ts';
import { BindingRow, CommunityLocale, LocaleColumn } from './chat-context-row.ts';
import { chatMembershipStore } from './chat-membership-store.ts';
import type { Database } from './database.ts';
import { clearDeliveryProblem } from './delivery-store.ts';

const ContextRow = z.object({
  binding: BindingRow.nullable(),
  preference: LocaleColumn,
  communities: z.array(
    z.object({
      communityId: z.string(),
      name: z.string(),
      locale: CommunityLocale,
      timezone: z.string(),
    }),
  ),
});

/** Identities are looked up only for private chats: a group's binding names the community. */
const CONTEXTS_SQL = `
  SELECT q.ord::int AS ord,
    (SELECT json_build_object('communityId', b."communityId", 'buildingId', b."buildingId",
                              'locale', b.locale, 'communityLocale', c.locale,
                              'timezone', c.timezone)
       FROM "ChatBinding" b JOIN "Community" c ON c.id = b."communityId"
      WHERE b.platform = q.platform::"Platform" AND b."chatId" = q."chatId") AS binding,
    (SELECT p.locale FROM "ChatPreference" p
      WHERE p.platform = q.platform::"Platform" AND p."chatId" = q."chatId") AS preference,
    (SELECT coalesce(json_agg(json_build_object('communityId', c.id, 'name', c.name,
                                                'locale', c.locale, 'timezone', c.timezone)
                              ORDER BY c.name), '[]')
       FROM "ChatIdentity" i JOIN "Community" c ON c.id = i."communityId"
      WHERE q."withIdentities" AND i.platform = q.platform::"Platform"
        AND i."userId" = q."userId") AS communities
  FROM unnest($1::text[], $2::text[], $3::boolean[], $4::text[]) WITH ORDINALITY
    AS q(platform, "chatId", "withIdentities", "userId", ord)`;

type ContextKey = { platform: Platform; chatId: string; withIdentities: boolean; userId: string };

/*
 * A reply claim is an idempotency record whose outcome says where the reply
 * stands: `{"reply":"owed","token":T}` from the claim until the send is done,
 * then `{"reply":"sent"}`. A record without an outcome (claimed before replies
 * were tracked) counts as sent. `at` is the claim's time: an owed claim older
 * than the lease belongs to a delivery that died, and the next one takes it.
 */
const CLAIM_REPLY_SQL =
  'INSERT INTO "IdempotencyRecord" (key, outcome, at) VALUES ($1, $2::jsonb, $3) ON CONFLICT DO NOTHING';
const TAKE_OVER_SQL = `UPDATE "IdempotencyRecord" SET outcome = $2::jsonb, at = $3
  WHERE key = $1 AND outcome->>'reply' = 'owed' AND at <= $4`;
const REPLY_STATE_SQL = `SELECT outcome->>'reply' AS state FROM "IdempotencyRecord" WHERE key = $1`;
const REPLY_SENT_SQL = `UPDATE "IdempotencyRecord" SET outcome = '{"reply":"sent"}'::jsonb
  WHERE key = $1 AND outcome->>'token' = $2`;
const RELEASE_REPLY_SQL = `DELETE FROM "IdempotencyRecord" WHERE key = $1 AND outcome->>'token' = $2`;

export function chatStore(db: Pick<Database, 'sql'>): ChatStore {
  const { sql } = db;
  const contexts = new DataLoader<ContextKey, ChatContext>(
    async (keys) => {
      const rows = await sql.query<{ ord: number }>(CONTEXTS_SQL, [
        keys.map((k) => k.platform),
        keys.map((k) => k.chatId),
        `{${keys.map((k) => (k.withIdentities ? 't' : 'f')).join(',')}}`,
        keys.map((k) => k.userId),
      ]);
      const byOrd = new Map(rows.map((row) => [row.ord, row]));
      // A row that does not parse fails its own update, not the others read with it.
      return keys.map((_, i) => {
        const parsed = ContextRow.safeParse(byOrd.get(i + 1));
        return parsed.success ? parsed.data : new Error(`chat context: ${parsed.error.message}`);
      });
    },
    // Read again for every update: a binding or /lang takes effect at the next one. Updates
    // arrive as separate I/O events: the batch closes after them (setImmediate), not at the
    // end of the current job as DataLoader's default would.
    { cache: false, maxBatchSize: 500, batchScheduleFn: (send) => setImmediate(send) },
  );
  return {
    ...chatMembershipStore(db),

    context: (platform, chatId, sender) =>
      contexts.load({
        platform,
        chatId,
        withIdentities: sender.withIdentities,
        userId: sender.userId,
      }),

    async setLocale(platform, chatId, locale) {
      const bound = await sql.execute(
        'UPDATE "ChatBinding" SET locale = $3 WHERE platform = $1::"Platform" AND "chatId" = $2',
        [platform, chatId, locale],
      );
      if (bound > 0) return 'binding';
      await sql.execute(
        `INSERT INTO "ChatPreference" (platform, "chatId", locale) VALUES ($1::"Platform", $2, $3)
         ON CONFLICT (platform, "chatId") DO UPDATE SET locale = EXCLUDED.locale`,
        [platform, chatId, locale],
      );
      return 'preference';
    },

    async claimReply(key, at, leaseMs) {
      const token = randomUUID();
      const owed = JSON.stringify({ reply: 'owed', token });
      if ((await sql.execute(CLAIM_REPLY_SQL, [key, owed, at])) === 1) {
        return { kind: 'owed', token };
      }
      const staleBefore = new Date(at.getTime() - leaseMs);
      if ((await sql.execute(TAKE_OVER_SQL, [key, owed, at, staleBefore])) === 1) {
        return { kind: 'owed', token };
      }
      const [row] = await sql.query<{ state: string | null }>(REPLY_STATE_SQL, [key]);
      // No record: the holder gave it back a moment ago; the caller asks again.
      if (!row || row.state === 'owed') return { kind: 'in_flight' };
      return { kind: 'sent' };
    },

    async replySent(key, token) {
      await sql.execute(REPLY_SENT_SQL, [key, token]);
    },

    async releaseReply(key, token) {
      await sql.execute(RELEASE_REPLY_SQL, [key, token]);
    },

    reachable: (platform, chatId) => clearDeliveryProblem(db, { platform, chatId }),
  };
}
