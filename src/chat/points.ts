/** `/points` in words: the balance, then the recent entries (or that there are none). */

import type { PointsView } from '../app/points.ts';
import type { MessageLine } from '../app/ports/delivery.ts';
import type { PointsAward } from '../app/ports/store.ts';
import { formatDate, type Locale, t } from '../i18n/translate.ts';

const KINDS: ReadonlySet<string> = new Set<PointsAward['kind']>([
  'propose',
  'cosign',
  'vote',
  'progress_check',
]);

export function pointsLines(view: PointsView, locale: Locale, timezone: string): MessageLine[] {
  const lines: MessageLine[] = [{ key: 'points.balance', params: { balance: view.balance } }];
  if (view.recent.length === 0) lines.push({ key: 'points.none', params: {} });
  else lines.push({ key: 'points.recent', params: {} });
  for (const entry of view.recent) {
    lines.push({
      key: 'points.entry',
      params: {
        at: formatDate(new Date(entry.at), locale, timezone),
        // An entry kind this version has no words for is shown as stored.
        kind: KINDS.has(entry.kind)
          ? t(locale, `points.kind.${entry.kind as PointsAward['kind']}`)
          : entry.kind,
        amount: entry.amount,
      },
    });
  }
  return lines;
}
