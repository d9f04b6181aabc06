import { Composer } from 'grammy';
import { chatCommunity } from '../../../src/app/chat-ports.ts';
import { communityPolicy, type Publication } from '../../../src/app/core.ts';
import { buildCard, type MessageLine } from '../../../src/app/outbound.ts';
import {
  openStatus,
  type ProposalStatusView,
  proposalStatus,
  type StatusReader,
} from '../../../src/app/status.ts';
import { formatDate, type Locale, t } from '../../../src/i18n/translate.ts';
import { words } from '../args.ts';
import type { TelegramDeps, Turn, YishiContext } from '../context.ts';
import { renderMessage } from '../render.ts';
import { replyHtmlOnce, replyOnce } from '../reply.ts';
import { commandText, communityKnown, numberArg } from './shared.ts';

/** Entries of the open list before "…and N more". */
const LIST_MAX = 30;

/** The card that shows a proposal as it stands now. */
function cardKindFor(view: ProposalStatusView): Publication['kind'] {
  if (view.resolution) return view.resolution.state === 'done' ? 'survey_card' : 'resolution_card';
  if (view.result) return 'result_card';
  if (view.state === 'voting') return 'vote_card';
  return 'proposal_card';
}

function openLines(
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

async function showProposal(
  ctx: YishiContext,
  deps: TelegramDeps,
  reader: StatusReader,
  communityId: string,
  number: number,
): Promise<void> {
  const { turn } = ctx;
  const status = await proposalStatus(reader, { communityId, number, now: deps.core.clock.now() });
  if (status.kind !== 'status') {
    await replyOnce(ctx, deps, [{ key: `status.${status.kind}`, params: { number } }]);
    return;
  }
  const community = await reader.community(communityId);
  const card = buildCard({ kind: cardKindFor(status.view), communityId, number }, status.view, {
    policy: communityPolicy(community),
    locale: turn.locale,
    timezone: community?.timezone ?? 'Asia/Shanghai',
  });
  const message = renderMessage({ locale: turn.locale, ...card });
  await replyHtmlOnce(ctx, deps, message.html, { keyboard: message.keyboard });
}

function unknownCommunity(turn: Turn): MessageLine[] {
  return [{ key: turn.isPrivate ? 'refusal.not_joined' : 'refusal.chat_not_bound', params: {} }];
}

/** `/status [N]`: one proposal or resolution as its card, or the open list. */
export function statusFeature(deps: TelegramDeps): Composer<YishiContext> {
  const feature = new Composer<YishiContext>();
  feature.command('status', async (ctx) => {
    if (!(await communityKnown(ctx, deps))) return;
    const { turn } = ctx;
    const community = chatCommunity(turn.chat);
    if (community.kind !== 'community') {
      await replyOnce(ctx, deps, unknownCommunity(turn));
      return;
    }
    const [numberWord] = words(commandText(ctx));
    if (numberWord !== undefined) {
      const number = await numberArg(ctx, deps, 'status', numberWord);
      if (number === undefined) return;
      await showProposal(ctx, deps, deps.status, community.communityId, number);
      return;
    }
    const open = await openStatus(deps.status, {
      communityId: community.communityId,
      now: deps.core.clock.now(),
    });
    const lines =
      open.kind === 'open'
        ? openLines(open.items, turn.locale, community.timezone)
        : [{ key: 'status.community_unknown' as const, params: {} }];
    await replyOnce(ctx, deps, lines);
  });
  return feature;
}
