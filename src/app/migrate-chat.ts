import type { Clock } from './ports/clock.ts';
import type { ChatMigrationStore, ChatMoveOutcome } from './ports/delivery.ts';
import type { Platform } from './ports/store.ts';

/**
 * A chat got a new id (Telegram: a group upgraded to a supergroup, told by
 * the `migrate_to_chat_id` / `migrate_from_chat_id` service messages or by a
 * send refused with `parameters.migrate_to_chat_id`). Its binding, card
 * messages, delivery problem and /lang choice move to the new id, the move
 * is audited in the bound community, and pushes still queued for the old id
 * are routed to the new one when they run. Reporting the same move again
 * (both service messages, redeliveries) returns `already`.
 */
export async function migrateChat(
  deps: { clock: Clock; migrations: ChatMigrationStore },
  input: {
    platform: Platform;
    fromChatId: string;
    toChatId: string;
    source: 'service_message' | 'send_refused';
  },
): Promise<ChatMoveOutcome> {
  if (input.fromChatId === input.toChatId) return { kind: 'already' };
  return deps.migrations.move({ ...input, at: deps.clock.now() });
}
