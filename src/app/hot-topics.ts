/**
 * The committee's side of hot topics in a chat: `/topics on|off` opts a
 * bound chat in or out of counting, `/topics` shows the current hot list,
 * and a hot-list button turns a term into a proposal draft.
 */
import { DEFAULT_HOT_RULE, type HotTerm, rankHotTopics } from '../domain/hot-topics/rank.ts';
import { actorLabel, type CoreDeps, communityPolicy, isRefusal } from './core.ts';
import type { CountingChats } from './count-message.ts';
import { localDay } from './count-message.ts';
import { findActor } from './find-actor.ts';
import { PERMISSIONS, permits } from './permissions.ts';
import type { HotTopicStore } from './ports/hot-topics.ts';
import type { Actor, ActorRef, CommunityRecord, Platform } from './ports/store.ts';

const DAY_MS = 86_400_000;

export type HotTopicsDeps = {
  core: Pick<CoreDeps, 'store' | 'clock'>;
  topics: HotTopicStore;
  chats: Pick<CountingChats, 'forget'>;
};

/** A hot term as shown, with the id its button carries. */
export type ShownTerm = HotTerm & { termId: number };

export type TopicsRefusal =
  | { kind: 'not_joined' }
  | { kind: 'chat_not_bound' }
  | { kind: 'not_committee' }
  /** The community's policy has `hotTopics: "off"`: the committee changes it first. */
  | { kind: 'policy_off' };

export type SetTopicsOutcome =
  | { kind: 'opted_in'; changed: boolean }
  | { kind: 'opted_out'; changed: boolean }
  | { kind: 'private_chat' }
  | TopicsRefusal;

export type ShowTopicsOutcome =
  | { kind: 'hot_list'; community: string; items: ShownTerm[]; counting: boolean }
  | TopicsRefusal;

type Committee = { community: CommunityRecord; actor: Actor } | TopicsRefusal;

/** The committee member behind the command, or why they may not use /topics. */
async function committeeMember(deps: HotTopicsDeps, actor: ActorRef): Promise<Committee> {
  const found = await findActor(deps.core, { actor });
  if (isRefusal(found)) {
    return { kind: found.kind === 'chat_not_bound' ? 'chat_not_bound' : 'not_joined' };
  }
  if (!permits(found, PERMISSIONS.hotTopics)) return { kind: 'not_committee' };
  return { community: found.community, actor: found };
}

/** The current hot list of a community at `now` (its local day). */
export async function hotList(
  topics: Pick<HotTopicStore, 'window'>,
  community: Pick<CommunityRecord, 'id' | 'timezone'>,
  now: Date,
): Promise<ShownTerm[]> {
  const today = localDay(now, community.timezone);
  const window = await topics.window(community.id, today);
  const historyDays = window.firstDay
    ? Math.round((Date.parse(today) - Date.parse(window.firstDay)) / DAY_MS) + 1
    : 0;
  const byTerm = new Map(window.terms.map((t) => [t.term, t.termId]));
  return rankHotTopics(
    window.terms,
    {
      messages7: window.messages7,
      messagesPrevious28: window.messagesPrevious28,
      historyDays,
    },
    DEFAULT_HOT_RULE,
  ).map((t) => ({ ...t, termId: byTerm.get(t.term) ?? 0 }));
}

/** `/topics on|off` in a bound chat, by the committee. */
export async function setChatTopics(
  deps: HotTopicsDeps,
  input: { actor: ActorRef; platform: Platform; chatId: string; isPrivate: boolean; on: boolean },
): Promise<SetTopicsOutcome> {
  if (input.isPrivate) return { kind: 'private_chat' };
  const member = await committeeMember(deps, input.actor);
  if ('kind' in member) return member;
  const { community } = member;
  if (input.on && communityPolicy(community).hotTopics !== 'on') return { kind: 'policy_off' };
  const at = deps.core.clock.now();
  const result = await deps.topics.setChat(
    { platform: input.platform, chatId: input.chatId, communityId: community.id, on: input.on, at },
    {
      communityId: community.id,
      actor: actorLabel(member.actor),
      action: input.on ? 'hot_topics.chat_opted_in' : 'hot_topics.chat_opted_out',
      subject: `chat:${input.platform}:${input.chatId}`,
      payload: {},
      at,
    },
  );
  // This process stops (or starts) counting at once; others within their cache's lifetime.
  deps.chats.forget(input.platform, input.chatId);
  const changed = result === 'changed';
  return input.on ? { kind: 'opted_in', changed } : { kind: 'opted_out', changed };
}

/** Bare `/topics`: the hot list, for the committee. */
export async function showHotTopics(
  deps: HotTopicsDeps,
  input: { actor: ActorRef; platform: Platform; chatId: string; isPrivate: boolean },
): Promise<ShowTopicsOutcome> {
  const member = await committeeMember(deps, input.actor);
  if ('kind' in member) return member;
  const { community } = member;
  if (communityPolicy(community).hotTopics !== 'on') return { kind: 'policy_off' };
  const items = await hotList(deps.topics, community, deps.core.clock.now());
  const counting = input.isPrivate
    ? true
    : await deps.topics.chatOptedIn(input.platform, input.chatId);
  return { kind: 'hot_list', community: community.name, items, counting };
}

export type TopicDraftOutcome = { kind: 'draft'; term: string } | { kind: 'term_unknown' };

/** A hot-list button: the term its id names in the community, for a `/propose` draft. */
export async function topicDraft(
  topics: Pick<HotTopicStore, 'term'>,
  input: { communityId: string; termId: number },
): Promise<TopicDraftOutcome> {
  const term = await topics.term(input.communityId, input.termId);
  return term === undefined ? { kind: 'term_unknown' } : { kind: 'draft', term };
}
