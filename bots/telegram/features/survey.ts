import { Composer } from 'grammy';
import { answerSurvey } from '../../../src/app/answer-survey.ts';
import { SurveyAnswerArg, words } from '../args.ts';
import type { TelegramDeps, YishiContext } from '../context.ts';
import { surveyLines } from '../replies.ts';
import { answerOnce, replyOnce } from '../reply.ts';
import { commandText, communityKnown, numberArg, replyContext } from './shared.ts';

/** `/survey N yes|no` (or 1..5) and the survey buttons. */
export function surveyFeature(deps: TelegramDeps): Composer<YishiContext> {
  const feature = new Composer<YishiContext>();
  feature.command('survey', async (ctx) => {
    if (!(await communityKnown(ctx, deps))) return;
    const [numberWord, answerWord] = words(commandText(ctx));
    const number = await numberArg(ctx, deps, 'survey', numberWord);
    if (number === undefined) return;
    const answer = SurveyAnswerArg.safeParse(answerWord ?? '');
    if (!answer.success) {
      await replyOnce(ctx, deps, [{ key: 'refusal.invalid.answer', params: { number } }]);
      return;
    }
    const outcome = await answerSurvey(deps.core, {
      actor: ctx.turn.actor,
      idempotencyKey: ctx.turn.updateKey,
      number,
      answer: answer.data,
    });
    await replyOnce(ctx, deps, surveyLines(outcome, replyContext(ctx.turn, 'survey'), number));
  });
  feature.on('callback_query:data', async (ctx, next) => {
    const action = ctx.turn.action;
    if (action?.kind !== 'survey') return next();
    const outcome = await answerSurvey(deps.core, {
      actor: ctx.turn.actor,
      idempotencyKey: ctx.turn.updateKey,
      number: action.number,
      answer: action.answer,
    });
    const lines = surveyLines(outcome, replyContext(ctx.turn, 'survey'), action.number);
    await answerOnce(ctx, deps, lines, { alert: outcome.kind !== 'answered' });
  });
  return feature;
}
