/**
 * The scheduled side of hot topics: roll the counter's days into
 * PostgreSQL, and send the committee its weekly card. Both run from an
 * hourly job and are idempotent: a day's aggregates are replaced, not
 * added to, and each card is claimed per week and chat before it is sent.
 */
import { nextLocalWeekdayTime } from '../domain/quiet-hours.ts';
import { type Locale, normalizeLocale } from '../i18n/translate.ts';
import { communityPolicy } from './core.ts';
import { localDay } from './count-message.ts';
import { hotList, type ShownTerm } from './hot-topics.ts';
import type { ButtonAction, ChatSender, MessageLine, OutboundMessage } from './ports/delivery.ts';
import type { HotTopicStore, MessageCounter } from './ports/hot-topics.ts';
import type { CommunityRecord, Platform } from './ports/store.ts';

const DAY_MS = 86_400_000;

/**
 * A term only one person used in a week is not kept in PostgreSQL: it says
 * nothing about the community and something about that person.
 */
export const MIN_SENDERS_KEPT = 2;

/** A day is settled (no longer read from the counter) once it is this far behind. */
const SETTLE_AFTER_DAYS = 2;

/** A missed weekly card is still sent this long after its time. */
export const CARD_GRACE_MS = DAY_MS;

export type RollUpDeps = {
  counter: Pick<MessageCounter, 'pendingDays' | 'readDay' | 'settleDay' | 'flush'>;
  topics: Pick<HotTopicStore, 'saveDay' | 'community'>;
};

/** Writes every counted day into PostgreSQL; returns how many community days were written. */
export async function rollUpTopics(deps: RollUpDeps, now: Date): Promise<number> {
  await deps.counter.flush();
  let written = 0;
  for (const { communityId, day } of await deps.counter.pendingDays()) {
    const community = await deps.topics.community(communityId);
    if (!community) {
      await deps.counter.settleDay(communityId, day);
      continue;
    }
    const counted = await deps.counter.readDay(communityId, day);
    await deps.topics.saveDay(communityId, day, {
      messages: counted.messages,
      terms: counted.terms.filter((t) => t.senders7 >= MIN_SENDERS_KEPT),
    });
    written++;
    const today = localDay(now, community.timezone);
    if (Date.parse(today) - Date.parse(day) >= SETTLE_AFTER_DAYS * DAY_MS) {
      await deps.counter.settleDay(communityId, day);
    }
  }
  return written;
}

/** The hot list as a message: one line per term, a draft button per term. */
export function hotTopicsMessage(
  items: readonly ShownTerm[],
  input: { locale: Locale; community: string; heading: 'weekly' | 'now' },
): OutboundMessage {
  const lines: MessageLine[] = [
    { key: `topics.heading.${input.heading}`, params: { community: input.community } },
  ];
  items.forEach((item, i) => {
    lines.push({
      key: 'topics.item',
      params: { rank: i + 1, term: item.term, count: item.last7, senders: item.senders7 },
    });
  });
  lines.push({ key: items.length > 0 ? 'topics.how_to_propose' : 'topics.empty', params: {} });
  const buttons: ButtonAction[] = items.map((item) => ({
    kind: 'topic',
    termId: item.termId,
    term: item.term,
  }));
  return { locale: input.locale, lines, progress: null, buttons };
}

export type CardDeps = {
  topics: Pick<
    HotTopicStore,
    'countingCommunities' | 'window' | 'committeeChats' | 'claimCard' | 'releaseCard'
  >;
  senders: Partial<Record<Platform, ChatSender>>;
};

/** The week's card time of a community at or before `now`, if within the grace. */
function cardTimeDue(community: CommunityRecord, now: Date): Date | undefined {
  const { weekday, minuteOfDay } = communityPolicy(community).digest;
  const last = nextLocalWeekdayTime(
    new Date(now.getTime() - 7 * DAY_MS),
    weekday,
    minuteOfDay,
    community.timezone,
  );
  return last <= now && now.getTime() - last.getTime() < CARD_GRACE_MS ? last : undefined;
}

/**
 * Sends the weekly hot-topics card privately to each committee member of
 * each community with hot topics on, at the digest's weekday and time;
 * nothing when nothing is hot. Returns how many cards went out.
 */
export async function sendTopicCards(deps: CardDeps, now: Date): Promise<number> {
  let sent = 0;
  for (const community of await deps.topics.countingCommunities()) {
    const due = cardTimeDue(community, now);
    if (!due) continue;
    const items = await hotList(deps.topics, community, now);
    if (items.length === 0) continue;
    const week = localDay(due, community.timezone);
    for (const chat of await deps.topics.committeeChats(community.id)) {
      const sender = deps.senders[chat.platform];
      if (!sender) continue;
      const key = `v1-hot-${community.id}-${week}-${chat.platform}-${chat.chatId}`;
      if (!(await deps.topics.claimCard(key, now))) continue;
      const locale = normalizeLocale(chat.locale ?? '') ?? community.locale;
      const message = hotTopicsMessage(items, {
        locale,
        community: community.name,
        heading: 'weekly',
      });
      const result = await sender.send({ platform: chat.platform, chatId: chat.chatId }, message);
      if (result.kind === 'sent') sent++;
      // A person who never started the bot stays unreachable; anything else is tried next hour.
      else if (result.kind !== 'gone') await deps.topics.releaseCard(key);
    }
  }
  return sent;
}
