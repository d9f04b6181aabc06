import { Composer } from 'grammy';
import { assignResolution } from '../../../src/app/assign-resolution.ts';
import { parseAssignment, splitFirst } from '../args.ts';
import type { TelegramDeps, YishiContext } from '../context.ts';
import { assignLines } from '../replies.ts';
import { replyOnce } from '../reply.ts';
import { commandText, communityKnown, numberArg, replyContext, usageLines } from './shared.ts';

/** `/assign N lead=NAME due=DATE [coop=A,B]`. */
export function assignFeature(deps: TelegramDeps): Composer<YishiContext> {
  const feature = new Composer<YishiContext>();
  feature.command('assign', async (ctx) => {
    if (!(await communityKnown(ctx, deps))) return;
    const [numberWord, rest] = splitFirst(commandText(ctx));
    const number = await numberArg(ctx, deps, 'assign', numberWord);
    if (number === undefined) return;
    const { lead, due, coop } = parseAssignment(rest);
    if (lead === undefined || due === undefined) {
      await replyOnce(ctx, deps, usageLines('assign', ctx.turn));
      return;
    }
    const outcome = await assignResolution(deps.core, {
      actor: ctx.turn.actor,
      idempotencyKey: ctx.turn.updateKey,
      number,
      lead,
      due,
      coop,
    });
    await replyOnce(ctx, deps, assignLines(outcome, replyContext(ctx.turn, 'assign'), number));
  });
  return feature;
}
