import { Composer } from 'grammy';
import { completeResolution } from '../../../src/app/complete-resolution.ts';
import { splitFirst } from '../args.ts';
import type { TelegramDeps, YishiContext } from '../context.ts';
import { doneLines } from '../replies.ts';
import { replyOnce } from '../reply.ts';
import { commandText, communityKnown, numberArg, replyContext } from './shared.ts';

/** `/done N NOTE`. */
export function doneFeature(deps: TelegramDeps): Composer<YishiContext> {
  const feature = new Composer<YishiContext>();
  feature.command('done', async (ctx) => {
    if (!(await communityKnown(ctx, deps))) return;
    const [numberWord, note] = splitFirst(commandText(ctx));
    const number = await numberArg(ctx, deps, 'done', numberWord);
    if (number === undefined) return;
    const outcome = await completeResolution(deps.core, {
      actor: ctx.turn.actor,
      idempotencyKey: ctx.turn.updateKey,
      number,
      note,
    });
    await replyOnce(ctx, deps, doneLines(outcome, replyContext(ctx.turn, 'done'), number));
  });
  return feature;
}
