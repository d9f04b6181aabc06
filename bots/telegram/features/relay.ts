import { Composer } from 'grammy';
import { relayVote } from '../../../src/app/relay-vote.ts';
import { ChoiceArg, words } from '../args.ts';
import type { TelegramDeps, YishiContext } from '../context.ts';
import { relayLines } from '../replies.ts';
import { replyOnce } from '../reply.ts';
import { commandText, communityKnown, numberArg, replyContext, usageLines } from './shared.ts';

/** `/relay N UNIT for|against|abstain REF`: confirmed privately, like a ballot. */
export function relayFeature(deps: TelegramDeps): Composer<YishiContext> {
  const feature = new Composer<YishiContext>();
  feature.command('relay', async (ctx) => {
    if (!(await communityKnown(ctx, deps))) return;
    const [numberWord, unit, choiceWord, ...refWords] = words(commandText(ctx));
    const number = await numberArg(ctx, deps, 'relay', numberWord);
    if (number === undefined) return;
    const choice = ChoiceArg.safeParse(choiceWord ?? '');
    if (unit === undefined || !choice.success) {
      await replyOnce(ctx, deps, usageLines('relay', ctx.turn), { deleteCommand: true });
      return;
    }
    const paperRef = refWords.join(' ');
    const outcome = await relayVote(deps.core, {
      actor: ctx.turn.actor,
      idempotencyKey: ctx.turn.updateKey,
      number,
      unit,
      choice: choice.data,
      paperRef,
    });
    const { lines, reveals } = relayLines(outcome, replyContext(ctx.turn, 'relay'), {
      number,
      unit,
      paperRef,
    });
    await replyOnce(ctx, deps, lines, {
      deleteCommand: true,
      privately: reveals
        ? { fallback: [{ key: 'relay.private_fallback', params: { number, unit } }] }
        : undefined,
    });
  });
  return feature;
}
