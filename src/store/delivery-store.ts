/**
 * The push queue's delivery ports in SQL: CardMessage, DeliveryProblem and
 * NoticeSent rows, and chat routes and migrations (chat-membership-store.ts).
 */
import type { CardMessageKey, ChatTarget, DeliveryStores } from '../app/ports/delivery.ts';
import { chatMembershipStore, chatRouteStore } from './chat-membership-store.ts';
import type { Database } from './database.ts';

const CARD =
  'platform = $1::"Platform" AND "chatId" = $2 AND "communityId" = $3 AND number = $4 AND kind = $5';
const cardKey = (key: CardMessageKey) => [
  key.platform,
  key.chatId,
  key.communityId,
  key.number,
  key.kind,
];
const CHAT = 'platform = $1::"Platform" AND "chatId" = $2';

/** Forgets a recorded refusal (DeliveryStores.problems.clear and ChatStore.reachable). */
export const clearDeliveryProblem = async ({ sql }: Pick<Database, 'sql'>, to: ChatTarget) => {
  await sql.execute(`DELETE FROM "DeliveryProblem" WHERE ${CHAT}`, [to.platform, to.chatId]);
};

export function deliveryStores(db: Pick<Database, 'sql'>): DeliveryStores {
  const { sql } = db;
  return {
    routes: chatRouteStore(db),
    migrations: chatMembershipStore(db),
    cards: {
      async get(key) {
        const [row] = await sql.query<{ messageId: string }>(
          `SELECT "messageId" FROM "CardMessage" WHERE ${CARD}`,
          cardKey(key),
        );
        return row?.messageId;
      },
      async put(key, messageId, at) {
        await sql.execute(
          `INSERT INTO "CardMessage" (platform, "chatId", "communityId", number, kind, "messageId", "updatedAt")
           VALUES ($1::"Platform", $2, $3, $4, $5, $6, $7)
           ON CONFLICT (platform, "chatId", "communityId", number, kind)
           DO UPDATE SET "messageId" = EXCLUDED."messageId", "updatedAt" = EXCLUDED."updatedAt"`,
          [...cardKey(key), messageId, at],
        );
      },
      async delete(key) {
        await sql.execute(`DELETE FROM "CardMessage" WHERE ${CARD}`, cardKey(key));
      },
    },
    problems: {
      async record(target, reason, at) {
        await sql.execute(
          `INSERT INTO "DeliveryProblem" (platform, "chatId", reason, at)
           VALUES ($1::"Platform", $2, $3, $4)
           ON CONFLICT (platform, "chatId") DO UPDATE SET reason = EXCLUDED.reason, at = EXCLUDED.at`,
          [target.platform, target.chatId, reason, at],
        );
      },
      async isGone(target) {
        const rows = await sql.query(`SELECT 1 FROM "DeliveryProblem" WHERE ${CHAT}`, [
          target.platform,
          target.chatId,
        ]);
        return rows.length > 0;
      },
      clear: (target) => clearDeliveryProblem(db, target),
    },
    notices: {
      async delivered(key) {
        const rows = await sql.query('SELECT 1 FROM "NoticeSent" WHERE key = $1', [key]);
        return rows.length > 0;
      },
      async record(key, at) {
        await sql.execute(
          'INSERT INTO "NoticeSent" (key, at) VALUES ($1, $2) ON CONFLICT DO NOTHING',
          [key, at],
        );
      },
    },
  };
}
