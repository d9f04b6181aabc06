import type { RosterDeps } from './deps.ts';
import type { ChatBindingOutcome, Platform } from './ports/store.ts';

export type BindChatOutcome =
  | ChatBindingOutcome
  | { kind: 'community_unknown'; communityId: string }
  | { kind: 'topic_invalid'; topic: string };

/** Telegram's message_thread_id is a positive integer (the topic's first message id). */
const TELEGRAM_TOPIC = /^[1-9]\d{0,11}$/;

/**
 * Binds a group chat to a community (and optionally a building): cards and
 * pushes go there, into forum topic `topic` when given. Binding again
 * replaces building and topic (no `topic`: the chat's main thread).
 */
export async function bindChat(
  deps: Pick<RosterDeps, 'clock' | 'ids' | 'communities' | 'chatBindings'>,
  input: {
    communityId: string;
    platform: Platform;
    chatId: string;
    building?: string | undefined;
    topic?: string | undefined;
  },
): Promise<BindChatOutcome> {
  if (
    input.topic !== undefined &&
    input.platform === 'telegram' &&
    !TELEGRAM_TOPIC.test(input.topic)
  ) {
    return { kind: 'topic_invalid', topic: input.topic };
  }
  const community = await deps.communities.get(input.communityId);
  if (!community) return { kind: 'community_unknown', communityId: input.communityId };
  return deps.chatBindings.bind(
    {
      communityId: community.id,
      platform: input.platform,
      chatId: input.chatId,
      building: input.building,
      topic: input.topic,
    },
    deps.ids,
    {
      communityId: community.id,
      actor: 'cli',
      action: 'chat.bound',
      subject: `chat:${input.platform}:${input.chatId}`,
      at: deps.clock.now(),
    },
  );
}
