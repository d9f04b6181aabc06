/**
 * The first middleware of every update: reads the chat's context once per
 * handled update (commands and button presses only: other messages cost
 * nothing), and refuses malformed or forged button data before any use case
 * sees it.
 */
import type { Middleware } from 'grammy';
import { chatCommunity } from '../../src/app/chat-ports.ts';
import { parseCallbackData } from './callback-data.ts';
import { loadTurn, type TelegramDeps, type YishiContext } from './context.ts';
import { renderCallbackAnswer } from './render.ts';
import { answerOnce } from './reply.ts';

/** Sets `ctx.turn` for commands and button presses; lets nothing else through. */
export function turnMiddleware(deps: TelegramDeps, botId: number): Middleware<YishiContext> {
  return async (ctx, next) => {
    const from = ctx.from;
    if (!from || from.is_bot) return;
    const query = ctx.callbackQuery;
    if (query) {
      if (query.data === undefined) return;
      const action = parseCallbackData(query.data);
      const chat = query.message?.chat;
      ctx.turn = await loadTurn(deps, {
        botId,
        updateId: ctx.update.update_id,
        // A button on an inline message has no chat: refused below like forged data.
        chatId: String(chat?.id ?? from.id),
        userId: String(from.id),
        isPrivate: chat?.type === 'private',
        action,
      });
      if (action && chat && ctx.turn.isPrivate) {
        const community = chatCommunity(ctx.turn.chat);
        if (community.kind === 'several') {
          const names = community.names.join(ctx.turn.locale === 'en' ? ', ' : '、');
          await answerOnce(
            ctx,
            deps,
            [{ key: 'refusal.several_communities', params: { communities: names } }],
            { alert: true },
          );
          return;
        }
      }
      if (!action || !chat) {
        // Nothing is recorded for forged data, not even a reply claim: a redelivery answers again,
        // and Telegram refuses the second answer to the same query, which is harmless.
        const text = renderCallbackAnswer(ctx.turn.locale, [
          { key: 'callback.invalid', params: {} },
        ]);
        await ctx.answerCallbackQuery({ text, show_alert: true }).catch((error: unknown) => {
          deps.log.info({ err: error }, 'telegram callback answer refused');
        });
        return;
      }
      return next();
    }
    const message = ctx.message;
    if (!message?.text?.startsWith('/')) return;
    ctx.turn = await loadTurn(deps, {
      botId,
      updateId: ctx.update.update_id,
      chatId: String(message.chat.id),
      userId: String(from.id),
      isPrivate: message.chat.type === 'private',
      action: undefined,
    });
    return next();
  };
}
