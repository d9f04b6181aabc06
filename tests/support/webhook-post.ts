/**
 * Posting an update to the Telegram webhook as Telegram does, including what
 * Telegram does with the answer: a 2xx whose body carries a method call
 * (`{"method":"answerCallbackQuery",...}`) has that call carried out by the
 * Bot API, here the fake's. The parsed call is returned too, so a test can
 * read a button's answer off the response it came in.
 */
import type { FakeTelegram, JsonValue } from './fake-telegram.ts';

export const SECRET_HEADER = 'X-Telegram-Bot-Api-Secret-Token';

/** The method call a webhook answer carried in its body. */
export type WebhookReply = { method: string; params: { [key: string]: JsonValue | undefined } };

export type WebhookAnswer = {
  status: number;
  body: string;
  /** The call in a 2xx body; undefined when the body carried none (or the status was not 2xx). */
  reply: WebhookReply | undefined;
};

/** The method call in a webhook answer's body, if any. */
export function webhookReplyOf(status: number, body: string): WebhookReply | undefined {
  if (status < 200 || status >= 300 || body === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
  const { method, ...params } = parsed as { [key: string]: JsonValue | undefined };
  return typeof method === 'string' ? { method, params } : undefined;
}

/**
 * Posts `update` to `webhookUrl` with `secret` (null: no header); a call in
 * the 2xx body goes to `fake` as Telegram would make it.
 */
export async function postUpdate(
  webhookUrl: string,
  update: object,
  options: { secret: string | null; fake?: FakeTelegram | undefined },
): Promise<WebhookAnswer> {
  const response = await fetch(webhookUrl, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(options.secret === null ? {} : { [SECRET_HEADER]: options.secret }),
    },
    body: JSON.stringify(update),
  });
  const body = await response.text();
  const reply = webhookReplyOf(response.status, body);
  if (reply && options.fake) await options.fake.webhookReply(body);
  return { status: response.status, body, reply };
}

/** The text of a button's answer in a webhook reply, or undefined when it carried none. */
export function callbackAnswerOf(
  reply: WebhookReply | undefined,
): { text: string; alert: boolean } | undefined {
  if (reply?.method !== 'answerCallbackQuery') return undefined;
  return { text: String(reply.params.text ?? ''), alert: reply.params.show_alert === true };
}
