/**
 * The first middleware of every update: reads the chat's context once per
 * handled update (commands and button presses only: other messages cost
 * no query; in a group they go to the hot-topics sink; a vote button in a
 * group gets it from its ballot's batch), and refuses malformed or forged
 * button data before any use case sees it. Before any feature runs it also
 * settles who may act here: a channel's post in a group is nobody's command;
 * an anonymous admin is asked to speak as themselves; a group not bound to a
 * community acts for none.
 */
import type { Middleware } from 'grammy';
import type { Message } from 'grammy/types';
import { COMMAND_NAMES, UNBOUND_COMMANDS } from '../../src/chat/commands.ts';
import { castAhead } from '../../src/chat/handle.ts';
import { invalidActionLines, unboundChatLines } from '../../src/chat/refusals.ts';
import { parseCallbackData } from './callback-data.ts';
import { loadTurn, type TelegramDeps, turnIn, turnKeys, type YishiContext } from './context.ts';
import { renderCallbackAnswer } from './render.ts';
import { replyOnce } from './reply.ts';

/** The commands this bot answers without being named (`/help`, not only `/help@bot`). */
const OWN_COMMANDS: ReadonlySet<string> = new Set<string>([...COMMAND_NAMES, 'start']);

/**
 * A command in a photo's or document's caption reads as the same text:
 * grammY matches commands in `text` only, so the caption is moved there.
 */
function captionAsText(message: Message): void {
  if (message.text !== undefined || !message.caption?.startsWith('/')) return;
  message.text = message.caption;
  message.entities = message.caption_entities ?? [];
}

/**
 * The command's name when it is meant for this bot: one of its own, or any
 * addressed to it (`/foo@thisbot`); undefined for other bots' commands.
 */
function commandFor(text: string, username: string): string | undefined {
  const match = /^\/([A-Za-z0-9_]{1,64})(?:@([A-Za-z0-9_]+))?/.exec(text);
  const name = match?.[1]?.toLowerCase();
  if (name === undefined) return undefined;
  const addressee = match?.[2]?.toLowerCase();
  if (addressee !== undefined) return addressee === username.toLowerCase() ? name : undefined;
  return OWN_COMMANDS.has(name) ? name : undefined;
}

/** Sets `ctx.turn` for commands and button presses; lets nothing else through. */
export function turnMiddleware(deps: TelegramDeps, botId: number): Middleware<YishiContext> {
  return async (ctx, next) => {
    const from = ctx.from;
    if (!from) return;
    const query = ctx.callbackQuery;
    if (query) {
      if (from.is_bot) return;
      if (query.data === undefined) return;
      const action = parseCallbackData(query.data);
      const chat = query.message?.chat;
      const input = {
        botId,
        updateId: ctx.update.update_id,
        // A button on an inline message has no chat: refused below like forged data.
        chatId: String(chat?.id ?? from.id),
        userId: String(from.id),
        isPrivate: chat?.type === 'private',
        action,
      };
      const cast = action && chat ? await castAhead(deps, turnKeys(input), action) : undefined;
      const turn = cast?.chat ? turnIn(input, cast.chat) : await loadTurn(deps, input);
      ctx.turn = { ...turn, cast: cast?.outcome };
      if (!action || !chat) {
        // Nothing is recorded for forged data, not even a reply claim: a redelivery answers again,
        // and Telegram refuses the second answer to the same query, which is harmless.
        const text = renderCallbackAnswer(ctx.turn.locale, invalidActionLines());
        await ctx.answerCallbackQuery({ text, show_alert: true }).catch((error: unknown) => {
          deps.log.info({ err: error }, 'telegram callback answer refused');
        });
        return;
      }
      return next();
    }
    const message = ctx.message;
    if (!message) return;
    captionAsText(message);
    if (!message.text?.startsWith('/')) {
      // An ordinary group message: counted for hot topics when its chat is opted in. The sink
      // returns at once (the work runs after the webhook is answered) and keeps only terms.
      const text = message.text;
      if (text && message.chat.type !== 'private' && !from.is_bot && !message.sender_chat) {
        deps.countMessage?.({
          platform: 'telegram',
          chatId: String(message.chat.id),
          userId: String(from.id),
          deliveryKey: `tg-${botId}-${ctx.update.update_id}`,
          text,
        });
      }
      return;
    }
    const isPrivate = message.chat.type === 'private';
    // Only for the answers given here: in a bound group the conversation tells other bots' commands apart.
    const command = isPrivate ? undefined : commandFor(message.text, ctx.me.username);
    const turn = () =>
      loadTurn(deps, {
        botId,
        updateId: ctx.update.update_id,
        chatId: String(message.chat.id),
        userId: String(from.id),
        isPrivate,
        threadId: message.is_topic_message ? message.message_thread_id : undefined,
        action: undefined,
      });
    if (message.sender_chat) {
      // An automatic forward from the linked channel, or someone posting as a channel: no person
      // to act for or answer, and nothing of theirs to delete.
      if (message.sender_chat.id !== message.chat.id || command === undefined) return;
      ctx.turn = await turn();
      await replyOnce(ctx, deps, [{ key: 'refusal.anonymous_admin', params: {} }]);
      return;
    }
    if (from.is_bot) return;
    ctx.turn = await turn();
    if (!isPrivate && !ctx.turn.chat.binding) {
      if (command === undefined) return;
      if (!UNBOUND_COMMANDS.has(command)) {
        await replyOnce(ctx, deps, unboundChatLines(ctx.turn));
        return;
      }
    }
    return next();
  };
}
