/** Refusals a platform gives before the conversation runs (the turn is not one to handle). */
import type { MessageLine } from '../app/ports/delivery.ts';
import type { ChatTurn } from './turn.ts';

/**
 * A command from a group or channel bound to no community: how the
 * committee binds it (from a thread or topic, the binding posts the cards there).
 */
export function unboundChatLines(
  turn: Pick<ChatTurn, 'platform' | 'chatId' | 'thread'>,
): MessageLine[] {
  const topic = turn.thread === undefined ? '' : ` --topic ${turn.thread}`;
  return [
    {
      key: 'refusal.group_not_bound',
      params: { platform: turn.platform, chatId: turn.chatId, topic },
    },
  ];
}

/** A button whose payload is forged, malformed or of an old format: nothing was changed. */
export function invalidActionLines(): MessageLine[] {
  return [{ key: 'callback.invalid', params: {} }];
}
