/** `/status` without a number in words: the open proposals, then the resolutions. */
import type { MessageLine } from '../app/ports/delivery.ts';
import type { ProposalStatusView } from '../app/status.ts';
import { formatDate, type Locale, t } from '../i18n/translate.ts';

/** Entries of the open list before "…and N more". */
const LIST_MAX = 30;

export function openLines(
  items: readonly ProposalStatusView[],
  locale: Locale,
  timezone: string,
): MessageLine[] {
  if (items.length === 0) return [{ key: 'status.empty', params: {} }];
  const shown = items.slice(0, LIST_MAX);
  const proposals = shown.filter((v) => !v.resolution);
  const resolutions = shown.filter((v) => v.resolution);
  const lines: MessageLine[] = [{ key: 'status.open', params: { count: items.length } }];
  if (proposals.length > 0) {
    lines.push({ key: 'status.section.proposals', params: {} });
    for (const v of proposals) {
      lines.push({
        key: 'status.proposal_line',
        params: { number: v.number, title: v.title, state: t(locale, `state.proposal.${v.state}`) },
      });
    }
  }
  if (resolutions.length > 0) {
    lines.push({ key: 'status.section.resolutions', params: {} });
    for (const v of resolutions) {
      const r = v.resolution;
      if (!r) continue;
      lines.push({
        key: 'status.resolution_line',
        params: {
          number: v.number,
          title: v.title,
          state: t(locale, `state.resolution.${r.overdue ? 'overdue' : r.state}`),
          percent: r.progress,
          due: formatDate(new Date(r.dueAt), locale, timezone),
        },
      });
    }
  }
  if (items.length > shown.length) {
    lines.push({ key: 'status.more', params: { count: items.length - shown.length } });
  }
  return lines;
}
