import { Composer } from 'grammy';
import { isRefusal } from '../../../src/app/core.ts';
import type { MessageLine } from '../../../src/app/outbound.ts';
import { pointsOf } from '../../../src/app/points.ts';
import type { PointsAward } from '../../../src/app/ports.ts';
import { formatDate, t } from '../../../src/i18n/translate.ts';
import type { TelegramDeps, YishiContext } from '../context.ts';
import { refusalLines } from '../replies.ts';
import { replyOnce } from '../reply.ts';
import { communityKnown, replyContext } from './shared.ts';

const KINDS: ReadonlySet<string> = new Set<PointsAward['kind']>([
  'propose',
  'cosign',
  'vote',
  'progress_check',
]);

/** `/points`: the sender's balance and recent entries. */
export function pointsFeature(deps: TelegramDeps): Composer<YishiContext> {
  const feature = new Composer<YishiContext>();
  feature.command('points', async (ctx) => {
    if (!(await communityKnown(ctx, deps))) return;
    const c = replyContext(ctx.turn, 'points');
    const actor = await deps.core.store.transact((tx) => tx.actor(ctx.turn.actor));
    if (isRefusal(actor)) {
      await replyOnce(ctx, deps, refusalLines(actor, c));
      return;
    }
    const view = await pointsOf(deps.status, { residentId: actor.residentId });
    const lines: MessageLine[] = [{ key: 'points.balance', params: { balance: view.balance } }];
    if (view.recent.length === 0) lines.push({ key: 'points.none', params: {} });
    else lines.push({ key: 'points.recent', params: {} });
    for (const entry of view.recent) {
      lines.push({
        key: 'points.entry',
        params: {
          at: formatDate(new Date(entry.at), c.locale, c.timezone),
          kind: KINDS.has(entry.kind)
            ? t(c.locale, `points.kind.${entry.kind as PointsAward['kind']}`)
            : entry.kind,
          amount: entry.amount,
        },
      });
    }
    await replyOnce(ctx, deps, lines);
  });
  return feature;
}
