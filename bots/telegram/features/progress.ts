import { Composer } from 'grammy';
import { reportProgress } from '../../../src/app/report-progress.ts';
import { PercentArg, splitFirst } from '../args.ts';
import type { TelegramDeps, YishiContext } from '../context.ts';
import { progressLines } from '../replies.ts';
import { replyOnce } from '../reply.ts';
import { commandText, communityKnown, numberArg, replyContext } from './shared.ts';

/** `/progress N PCT NOTE`. */
export function progressFeature(deps: TelegramDeps): Composer<YishiContext> {
  const feature = new Composer<YishiContext>();
  feature.command('progress', async (ctx) => {
    if (!(await communityKnown(ctx, deps))) return;
    const [numberWord, rest] = splitFirst(commandText(ctx));
    const number = await numberArg(ctx, deps, 'progress', numberWord);
    if (number === undefined) return;
    const [percentWord, note] = splitFirst(rest);
    const percent = PercentArg.safeParse(percentWord);
    if (!percent.success) {
      await replyOnce(ctx, deps, [{ key: 'refusal.invalid.percent', params: { number } }]);
      return;
    }
    const outcome = await reportProgress(deps.core, {
      actor: ctx.turn.actor,
      idempotencyKey: ctx.turn.updateKey,
      number,
      percent: percent.data,
      note,
    });
    await replyOnce(ctx, deps, progressLines(outcome, replyContext(ctx.turn, 'progress'), number));
  });
  return feature;
}
