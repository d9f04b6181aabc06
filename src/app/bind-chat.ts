import type { RosterDeps } from './deps.ts';
import type { ChatBindingOutcome, Platform } from './ports.ts';

export type BindChatOutcome =
  | ChatBindingOutcome
  | { kind: 'community_unknown'; communityId: string };

/** Binds a group chat to a community (and optionally a building): cards and pushes go there. */
export async function bindChat(
  deps: Pick<RosterDeps, 'clock' | 'ids' | 'communities' | 'chatBindings'>,
  input: { communityId: string; platform: Platform; chatId: string; building?: string | undefined },
): Promise<BindChatOutcome> {
  const community = await deps.communities.get(input.communityId);
  if (!community) return { kind: 'community_unknown', communityId: input.communityId };
  return deps.chatBindings.bind(
    {
      communityId: community.id,
      platform: input.platform,
      chatId: input.chatId,
      building: input.building,
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
