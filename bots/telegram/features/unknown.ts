import { Composer } from 'grammy';
import type { TelegramDeps, YishiContext } from '../context.ts';
import { replyOnce } from '../reply.ts';

/**
 * A command no feature took: answered in a private chat, or in a group when
 * addressed to this bot (`/foo@thisbot`); other bots' commands are left alone.
 */
export function unknownCommandFeature(deps: TelegramDeps): Composer<YishiContext> {
  const feature = new Composer<YishiContext>();
  feature.on('message:text', async (ctx) => {
    const match = /^\/([A-Za-z0-9_]{1,64})(?:@([A-Za-z0-9_]+))?/.exec(ctx.message.text);
    if (!match) return;
    const addressed = match[2]?.toLowerCase() === ctx.me.username.toLowerCase();
    if (!ctx.turn.isPrivate && !addressed) return;
    await replyOnce(ctx, deps, [
      { key: 'error.unknown_command', params: { command: match[1] ?? '' } },
    ]);
  });
  return feature;
}
