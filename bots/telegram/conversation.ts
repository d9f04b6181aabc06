/**
 * Commands and button presses -> the shared conversation (src/chat) -> the
 * reply, sent once. What stays here is Telegram's: which messages are
 * commands for this bot (grammY's matching, `/cmd@bot`, `/start`), and how
 * a reply plan is sent (HTML, a private message, a callback answer).
 */
import { Composer } from 'grammy';
import { COMMAND_NAMES, parseCommand } from '../../src/chat/commands.ts';
import { handle } from '../../src/chat/handle.ts';
import type { ChatReply } from '../../src/chat/reply-plan.ts';
import type { TelegramDeps, YishiContext } from './context.ts';
import { renderMessage } from './render.ts';
import { answerOnce, replyHtmlOnce, replyOnce } from './reply.ts';

/** `/name`, optionally `@bot`, at the start of a message. */
const COMMAND = /^\/([A-Za-z0-9_]{1,64})(?:@([A-Za-z0-9_]+))?/;

/** Sends the conversation's reply plan as Telegram messages, once per update. */
export async function deliver(
  ctx: YishiContext,
  deps: TelegramDeps,
  reply: ChatReply,
): Promise<void> {
  switch (reply.kind) {
    case 'none':
      return;
    case 'message':
      return replyOnce(ctx, deps, reply.lines, {
        locale: reply.locale,
        deleteCommand: reply.deleteCommand,
        privately: reply.privately,
      });
    case 'card': {
      const message = renderMessage(reply.message);
      return replyHtmlOnce(ctx, deps, message.html, { keyboard: message.keyboard });
    }
    case 'answer':
      return answerOnce(ctx, reply.lines, { alert: reply.alert, locale: reply.locale });
  }
}

export function conversationFeature(deps: TelegramDeps): Composer<YishiContext> {
  const feature = new Composer<YishiContext>();

  // grammY matches `/name` and `/name@thisbot`, never another bot's `/name@other`.
  feature.command([...COMMAND_NAMES, 'start'], async (ctx) => {
    const name = COMMAND.exec(ctx.message?.text ?? '')?.[1] ?? '';
    const text = typeof ctx.match === 'string' ? ctx.match : '';
    await deliver(ctx, deps, await handle(deps, ctx.turn, parseCommand(name, text)));
  });

  // The turn middleware lets only valid actions through. The answer goes out with the webhook's
  // 200 (bots/telegram/webhook.ts), so whatever may still fail the delivery comes before it.
  feature.on('callback_query:data', async (ctx) => {
    const { action, cast } = ctx.turn;
    if (action === undefined) return;
    const reply = await handle(deps, ctx.turn, { kind: 'action', action, cast });
    await deliver(ctx, deps, reply);
    // A button answered with a message (a hot topic's draft) still stops the button's spinner.
    if (reply.kind !== 'answer') await ctx.answerCallbackQuery().catch(() => {});
  });

  // A command no one took: answered in a private chat, or in a group when addressed to this
  // bot (`/foo@thisbot`); other bots' commands are left alone.
  feature.on('message:text', async (ctx) => {
    const match = COMMAND.exec(ctx.message.text);
    if (!match) return;
    const addressed = match[2]?.toLowerCase() === ctx.me.username.toLowerCase();
    if (!ctx.turn.isPrivate && !addressed) return;
    const name = match[1] ?? '';
    await deliver(ctx, deps, await handle(deps, ctx.turn, { kind: 'unknown', name }));
  });

  return feature;
}
