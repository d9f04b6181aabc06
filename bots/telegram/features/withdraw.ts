import { Composer } from 'grammy';
import { withdrawProposal } from '../../../src/app/withdraw-proposal.ts';
import { words } from '../args.ts';
import type { TelegramDeps, YishiContext } from '../context.ts';
import { withdrawLines } from '../replies.ts';
import { replyOnce } from '../reply.ts';
import { commandText, communityKnown, numberArg, replyContext } from './shared.ts';

/** `/withdraw N`. */
export function withdrawFeature(deps: TelegramDeps): Composer<YishiContext> {
  const feature = new Composer<YishiContext>();
  feature.command('withdraw', async (ctx) => {
    if (!(await communityKnown(ctx, deps))) return;
    const number = await numberArg(ctx, deps, 'withdraw', words(commandText(ctx))[0]);
    if (number === undefined) return;
    const outcome = await withdrawProposal(deps.core, {
      actor: ctx.turn.actor,
      idempotencyKey: ctx.turn.updateKey,
      number,
    });
    await replyOnce(ctx, deps, withdrawLines(outcome, replyContext(ctx.turn, 'withdraw'), number));
  });
  return feature;
}
