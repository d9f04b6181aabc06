/**
 * What Telegram tells about the chats themselves rather than people's
 * commands: the bot's own membership (`my_chat_member`: removed, kicked,
 * added back) and a group's upgrade to a supergroup (the
 * `migrate_to_chat_id` message in the old group, `migrate_from_chat_id` in
 * the new one). Runs before the turn middleware, which lets only commands
 * and buttons through; every other update goes on with `next()`.
 */
import { Composer } from 'grammy';
import type { ChatMember } from 'grammy/types';
import { recordBotMembership } from '../../../src/app/chat-membership.ts';
import { migrateChat } from '../../../src/app/migrate-chat.ts';
import type { TelegramDeps, YishiContext } from '../context.ts';

/** The bot cannot post here: not a member, or restricted from sending. */
function isOut(member: ChatMember): boolean {
  switch (member.status) {
    case 'left':
    case 'kicked':
      return true;
    case 'restricted':
      return !member.is_member || !member.can_send_messages;
    default:
      return false;
  }
}

export function membershipFeature(deps: TelegramDeps): Composer<YishiContext> {
  const feature = new Composer<YishiContext>();
  const clock = deps.core.clock;

  feature.on('my_chat_member', async (ctx) => {
    const change = ctx.myChatMember;
    const before = isOut(change.old_chat_member);
    const after = isOut(change.new_chat_member);
    // Promotions and other changes that leave the bot able to post change nothing here.
    if (before === after) return;
    const target = { platform: 'telegram' as const, chatId: String(change.chat.id) };
    const outcome = await recordBotMembership(
      { clock, chats: deps.chats },
      {
        target,
        membership: after
          ? { kind: 'removed', reason: `bot ${change.new_chat_member.status} (my_chat_member)` }
          : { kind: 'member' },
        eventKey: `tg-${ctx.me.id}-${ctx.update.update_id}`,
      },
    );
    deps.log.info(
      { chatId: target.chatId, status: change.new_chat_member.status, outcome: outcome.kind },
      'telegram bot membership changed',
    );
  });

  feature.on(['message:migrate_to_chat_id', 'message:migrate_from_chat_id'], async (ctx) => {
    const message = ctx.message;
    const here = String(message.chat.id);
    const move =
      message.migrate_to_chat_id !== undefined
        ? { fromChatId: here, toChatId: String(message.migrate_to_chat_id) }
        : { fromChatId: String(message.migrate_from_chat_id), toChatId: here };
    const outcome = await migrateChat(
      { clock, migrations: deps.chats },
      { platform: 'telegram', ...move, source: 'service_message' },
    );
    deps.log.info({ ...move, outcome: outcome.kind }, 'telegram group upgraded to a supergroup');
  });

  return feature;
}
