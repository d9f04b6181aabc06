import { Composer } from 'grammy';
import { scheduleVote } from '../../../src/app/schedule-vote.ts';
import { splitFirst } from '../args.ts';
import type { TelegramDeps, YishiContext } from '../context.ts';
import { scheduleLines } from '../replies.ts';
import { replyOnce } from '../reply.ts';
import { commandText, communityKnown, numberArg, replyContext } from './shared.ts';

/** `/schedule N YYYY-MM-DD HH:mm` (community time). */
export function scheduleFeature(deps: TelegramDeps): Composer<YishiContext> {
  const feature = new Composer<YishiContext>();
  feature.command('schedule', async (ctx) => {
    if (!(await communityKnown(ctx, deps))) return;
    const [numberWord, opensAt] = splitFirst(commandText(ctx));
    const number = await numberArg(ctx, deps, 'schedule', numberWord);
    if (number === undefined) return;
    const outcome = await scheduleVote(deps.core, {
      actor: ctx.turn.actor,
      idempotencyKey: ctx.turn.updateKey,
      number,
      opensAt: opensAt.replace(/\s+/g, ' '),
    });
    await replyOnce(ctx, deps, scheduleLines(outcome, replyContext(ctx.turn, 'schedule'), number));
  });
  return feature;
}
