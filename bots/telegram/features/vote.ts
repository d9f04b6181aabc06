import { Composer } from 'grammy';
import { castVote } from '../../../src/app/cast-vote.ts';
import { ChoiceArg, words } from '../args.ts';
import type { TelegramDeps, YishiContext } from '../context.ts';
import { voteLines } from '../replies.ts';
import { answerOnce, replyOnce } from '../reply.ts';
import { commandText, communityKnown, numberArg, replyContext } from './shared.ts';

/**
 * `/vote N for|against|abstain` and the ballot buttons. A button's answer is
 * shown only to the voter. A typed ballot in a group is confirmed in a
 * private message and its command message deleted where the bot may; when
 * the bot cannot write to the voter privately, the group hears only that a
 * ballot was recorded, never which.
 */
export function voteFeature(deps: TelegramDeps): Composer<YishiContext> {
  const feature = new Composer<YishiContext>();
  feature.command('vote', async (ctx) => {
    if (!(await communityKnown(ctx, deps))) return;
    const [numberWord, choiceWord] = words(commandText(ctx));
    const number = await numberArg(ctx, deps, 'vote', numberWord);
    if (number === undefined) return;
    const choice = ChoiceArg.safeParse(choiceWord ?? '');
    if (!choice.success) {
      await replyOnce(ctx, deps, [{ key: 'refusal.invalid.choice', params: { number } }], {
        deleteCommand: true,
      });
      return;
    }
    const outcome = await castVote(deps.core, {
      actor: ctx.turn.actor,
      idempotencyKey: ctx.turn.updateKey,
      number,
      choice: choice.data,
    });
    const { lines, reveals } = voteLines(outcome, replyContext(ctx.turn, 'vote'), number);
    await replyOnce(ctx, deps, lines, {
      deleteCommand: true,
      privately: reveals
        ? { fallback: [{ key: 'vote.private_fallback', params: { number } }] }
        : undefined,
    });
  });
  feature.on('callback_query:data', async (ctx, next) => {
    const action = ctx.turn.action;
    if (action?.kind !== 'vote') return next();
    const outcome = await castVote(deps.core, {
      actor: ctx.turn.actor,
      idempotencyKey: ctx.turn.updateKey,
      number: action.number,
      choice: action.choice,
    });
    const { lines } = voteLines(outcome, replyContext(ctx.turn, 'vote'), action.number);
    await answerOnce(ctx, deps, lines, {
      alert: outcome.kind !== 'recorded' && outcome.kind !== 'already_recorded',
    });
  });
  return feature;
}
