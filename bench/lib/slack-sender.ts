/**
 * A minimal Slack ChatSender (chat.postMessage / chat.update over fetch, one
 * call each, no retries): a stand-in for the Slack adapter, which does not
 * exist yet, so the fan-out scenario can measure the push queue's pacing
 * toward Slack channels. The text is the card's lines in its locale.
 */
import type {
  ChatSender,
  ChatTarget,
  OutboundMessage,
  SendResult,
} from '../../src/app/ports/delivery.ts';
import { t } from '../../src/i18n/translate.ts';

const GONE = new Set(['not_in_channel', 'is_archived', 'channel_not_found', 'account_inactive']);

const textOf = (m: OutboundMessage) =>
  m.lines.map((line) => t(m.locale, line.key, line.params)).join('\n');

export function benchSlackSender(apiUrl: string, token: string): ChatSender {
  const call = async (
    method: string,
    body: Record<string, string>,
    editedTs?: string,
  ): Promise<SendResult> => {
    let res: Response;
    try {
      res = await fetch(`${apiUrl}${method}`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json; charset=utf-8',
        },
        body: JSON.stringify(body),
      });
    } catch (error) {
      return { kind: 'failed', reason: String(error) };
    }
    if (res.status === 429) {
      await res.arrayBuffer();
      const seconds = Number(res.headers.get('retry-after') ?? '1');
      return { kind: 'retry_after', ms: Math.max(1, seconds) * 1000 };
    }
    const json = (await res.json().catch(() => ({}))) as {
      ok?: boolean;
      ts?: string;
      error?: string;
    };
    if (json.ok && (json.ts || editedTs))
      return { kind: 'sent', messageId: json.ts ?? editedTs ?? '' };
    const error = json.error ?? `HTTP ${res.status}`;
    if (GONE.has(error)) return { kind: 'gone', reason: error };
    if (error === 'message_not_found') return { kind: 'message_missing' };
    return { kind: 'failed', reason: error };
  };
  return {
    send: (target: ChatTarget, message) =>
      call('chat.postMessage', { channel: target.chatId, text: textOf(message) }),
    edit: (target: ChatTarget, messageId, message) =>
      call(
        'chat.update',
        { channel: target.chatId, ts: messageId, text: textOf(message) },
        messageId,
      ),
  };
}
