import { Composer } from 'grammy';
import { setChatLocale } from '../../../src/app/set-chat-locale.ts';
import type { TelegramDeps, YishiContext } from '../context.ts';
import { replyOnce } from '../reply.ts';
import { commandText } from './shared.ts';

/** `/lang zh|en`: the language of this chat (and of the cards posted in it). */
export function langFeature(deps: TelegramDeps): Composer<YishiContext> {
  const feature = new Composer<YishiContext>();
  feature.command('lang', async (ctx) => {
    const outcome = await setChatLocale(
      { chats: deps.chats },
      { platform: 'telegram', chatId: ctx.turn.chatId, text: commandText(ctx) },
    );
    if (outcome.kind === 'locale_unknown') {
      await replyOnce(ctx, deps, [{ key: 'refusal.invalid.locale', params: {} }]);
      return;
    }
    // The confirmation is already in the new language.
    ctx.turn.locale = outcome.locale;
    await replyOnce(ctx, deps, [{ key: 'lang.set', params: {} }]);
  });
  return feature;
}
