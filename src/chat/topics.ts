/**
 * `/topics [on|off]` and the hot-list buttons, worded for every platform:
 * the committee opts a bound chat in or out of counting, sees the hot list,
 * and a term's button answers with a ready `/propose` draft.
 */

import {
  type SetTopicsOutcome,
  type ShowTopicsOutcome,
  setChatTopics,
  showHotTopics,
  topicDraft,
} from '../app/hot-topics.ts';
import { hotTopicsMessage } from '../app/hot-topics-jobs.ts';
import { chatCommunity } from '../app/ports/chat.ts';
import type { MessageLine } from '../app/ports/delivery.ts';
import { type ChatReply, say } from './reply-plan.ts';
import type { ChatDeps, ChatTurn } from './turn.ts';

type Refusal = Exclude<
  SetTopicsOutcome | ShowTopicsOutcome,
  { kind: 'opted_in' | 'opted_out' | 'hot_list' }
>;

function refusalLines(outcome: Refusal): MessageLine[] {
  switch (outcome.kind) {
    case 'not_joined':
      return [{ key: 'refusal.not_joined', params: {} }];
    case 'chat_not_bound':
      return [{ key: 'refusal.chat_not_bound', params: {} }];
    case 'not_committee':
      return [{ key: 'topics.not_committee', params: {} }];
    case 'policy_off':
      return [{ key: 'topics.policy_off', params: {} }];
    case 'private_chat':
      return [{ key: 'topics.private_chat', params: {} }];
  }
}

/** `/topics`, `/topics on`, `/topics off`. */
export async function topicsReply(
  deps: ChatDeps,
  turn: ChatTurn,
  setting: 'on' | 'off' | undefined,
): Promise<ChatReply> {
  const hot = deps.hotTopics;
  if (!hot) return say(turn.locale, [{ key: 'topics.policy_off', params: {} }]);
  const topicsDeps = { core: deps.core, topics: hot.topics, chats: hot.chats };
  const where = {
    actor: turn.actor,
    platform: turn.platform,
    chatId: turn.chatId,
    isPrivate: turn.isPrivate,
  };
  if (setting !== undefined) {
    const outcome = await setChatTopics(topicsDeps, { ...where, on: setting === 'on' });
    switch (outcome.kind) {
      case 'opted_in':
      case 'opted_out':
        return say(turn.locale, [
          { key: `topics.${outcome.kind}`, params: { changed: outcome.changed } },
        ]);
      default:
        return say(turn.locale, refusalLines(outcome));
    }
  }
  const outcome = await showHotTopics(topicsDeps, where);
  if (outcome.kind !== 'hot_list') return say(turn.locale, refusalLines(outcome));
  const message = hotTopicsMessage(outcome.items, {
    locale: turn.locale,
    community: outcome.community,
    heading: 'now',
  });
  if (!outcome.counting) message.lines.push({ key: 'topics.counting_off', params: {} });
  return { kind: 'card', message };
}

/** A hot-list button: the `/propose` draft for its term, said to the presser's chat. */
export async function topicDraftReply(
  deps: ChatDeps,
  turn: ChatTurn,
  termId: number,
): Promise<ChatReply> {
  const community = chatCommunity(turn.chat);
  const hot = deps.hotTopics;
  if (!hot || community.kind !== 'community') {
    return {
      kind: 'answer',
      locale: turn.locale,
      lines: [{ key: 'topics.term_unknown', params: {} }],
      alert: true,
    };
  }
  const draft = await topicDraft(hot.topics, { communityId: community.communityId, termId });
  if (draft.kind === 'term_unknown') {
    return {
      kind: 'answer',
      locale: turn.locale,
      lines: [{ key: 'topics.term_unknown', params: {} }],
      alert: true,
    };
  }
  return say(turn.locale, [{ key: 'topics.draft', params: { term: draft.term } }]);
}
