import { Composer } from 'grammy';
import { joinHousehold } from '../../../src/app/join-household.ts';
import type { TelegramDeps, YishiContext } from '../context.ts';
import { joinLines } from '../replies.ts';
import { replyOnce } from '../reply.ts';
import { commandText } from './shared.ts';

/** `/join CODE`: links this Telegram account to a household. */
export function joinFeature(deps: TelegramDeps): Composer<YishiContext> {
  const feature = new Composer<YishiContext>();
  feature.command('join', async (ctx) => {
    const outcome = await joinHousehold(deps.joinCodes, {
      platform: 'telegram',
      userId: ctx.turn.userId,
      code: commandText(ctx),
    });
    // A code typed in a group is visible to all: remove it where the bot may.
    await replyOnce(ctx, deps, joinLines(outcome), { deleteCommand: true });
  });
  return feature;
}
