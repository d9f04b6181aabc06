import { Composer } from 'grammy';
import { cosign } from '../../../src/app/cosign.ts';
import { words } from '../args.ts';
import type { TelegramDeps, YishiContext } from '../context.ts';
import { cosignLines } from '../replies.ts';
import { answerOnce, replyOnce } from '../reply.ts';
import { commandText, communityKnown, numberArg, replyContext } from './shared.ts';

/** `/cosign N` and the Co-sign button. */
export function cosignFeature(deps: TelegramDeps): Composer<YishiContext> {
  const feature = new Composer<YishiContext>();
  feature.command('cosign', async (ctx) => {
    if (!(await communityKnown(ctx, deps))) return;
    const number = await numberArg(ctx, deps, 'cosign', words(commandText(ctx))[0]);
    if (number === undefined) return;
    const outcome = await cosign(deps.core, {
      actor: ctx.turn.actor,
      idempotencyKey: ctx.turn.updateKey,
      number,
    });
    await replyOnce(ctx, deps, cosignLines(outcome, replyContext(ctx.turn, 'cosign'), number));
  });
  feature.on('callback_query:data', async (ctx, next) => {
    const action = ctx.turn.action;
    if (action?.kind !== 'cosign') return next();
    const outcome = await cosign(deps.core, {
      actor: ctx.turn.actor,
      idempotencyKey: ctx.turn.updateKey,
      number: action.number,
    });
    await answerOnce(
      ctx,
      deps,
      cosignLines(outcome, replyContext(ctx.turn, 'cosign'), action.number),
      {
        alert: outcome.kind !== 'cosigned' && outcome.kind !== 'already_cosigned',
      },
    );
  });
  return feature;
}
