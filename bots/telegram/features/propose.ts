import { Composer } from 'grammy';
import { propose } from '../../../src/app/propose.ts';
import { parseProposal } from '../args.ts';
import type { TelegramDeps, YishiContext } from '../context.ts';
import { proposeLines } from '../replies.ts';
import { replyOnce } from '../reply.ts';
import { commandText, communityKnown, replyContext } from './shared.ts';

/** `/propose TITLE` (+ body lines, `#category`). */
export function proposeFeature(deps: TelegramDeps): Composer<YishiContext> {
  const feature = new Composer<YishiContext>();
  feature.command('propose', async (ctx) => {
    if (!(await communityKnown(ctx, deps))) return;
    const { turn } = ctx;
    const { title, body, category } = parseProposal(commandText(ctx));
    const outcome = await propose(deps.core, {
      actor: turn.actor,
      idempotencyKey: turn.updateKey,
      title,
      body,
      category,
    });
    // In a bound group the card itself is the answer (the workers post it); saying it twice is noise.
    if (outcome.kind === 'proposed' && turn.chat.binding) return;
    await replyOnce(ctx, deps, proposeLines(outcome, replyContext(turn, 'propose')));
  });
  return feature;
}
