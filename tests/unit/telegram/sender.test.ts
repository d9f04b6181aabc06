import { Api } from 'grammy';
import { describe, expect, it } from 'vitest';
import { createTelegramSender } from '../../../bots/telegram/sender.ts';
import type { OutboundMessage } from '../../../src/app/ports/delivery.ts';

type Call = { method: string; payload: Record<string, unknown> };
type Reply =
  | { ok: true; result: unknown }
  | {
      ok: false;
      error_code: number;
      description: string;
      parameters?: Record<string, number>;
    };

/** An Api whose every call is answered by `answer` instead of the network. */
function apiAnswering(answer: (call: Call) => Reply | Error): { api: Api; calls: Call[] } {
  const api = new Api('123:TEST');
  const calls: Call[] = [];
  api.config.use(async (_prev, method, payload) => {
    const call = { method, payload: payload as Record<string, unknown> };
    calls.push(call);
    const reply = answer(call);
    if (reply instanceof Error) throw reply;
    // A transformer returns the raw Bot API envelope, typed per method.
    return reply as never;
  });
  return { api, calls };
}

const message: OutboundMessage = {
  locale: 'en',
  lines: [
    { key: 'card.vote.heading', params: { number: 2, title: 'A & B' } },
    { key: 'card.vote.closes', params: { closesAt: 'Tue 8 Dec, 10:00' } },
  ],
  progress: null,
  buttons: [{ kind: 'vote', number: 2, choice: 'for' }],
};
const group = { platform: 'telegram' as const, chatId: '-1001234567890' };
const error =
  (error_code: number, description: string, parameters?: Record<string, number>) => (): Reply => ({
    ok: false,
    error_code,
    description,
    ...(parameters ? { parameters } : {}),
  });

describe('telegram sender', () => {
  it('sends HTML with the buttons in one call and returns the message id', async () => {
    const { api, calls } = apiAnswering(() => ({
      ok: true,
      result: { message_id: 77, date: 0, chat: { id: -1001234567890, type: 'supergroup' } },
    }));
    const result = await createTelegramSender(api).send(group, message);
    expect(result).toEqual({ kind: 'sent', messageId: '77' });
    expect(calls).toHaveLength(1);
    expect(calls[0]?.method).toBe('sendMessage');
    expect(calls[0]?.payload).toMatchObject({
      chat_id: -1001234567890,
      parse_mode: 'HTML',
      text: '<b>Vote on proposal #2: A &amp; B</b>\nVoting closes Tue 8 Dec, 10:00',
      reply_markup: { inline_keyboard: [[{ text: 'For', callback_data: 'v1:v:2:f' }]] },
    });
  });

  it('edits in place, with an empty keyboard when the card has no buttons', async () => {
    const { api, calls } = apiAnswering(() => ({ ok: true, result: true }));
    const result = await createTelegramSender(api).edit(group, '77', { ...message, buttons: [] });
    expect(result).toEqual({ kind: 'sent', messageId: '77' });
    expect(calls[0]?.method).toBe('editMessageText');
    expect(calls[0]?.payload).toMatchObject({
      message_id: 77,
      reply_markup: { inline_keyboard: [] },
    });
  });

  it.each([
    [
      'a 429 as retry_after in ms',
      error(429, 'Too Many Requests: retry after 7', { retry_after: 7 }),
      { kind: 'retry_after', ms: 7000 },
    ],
    [
      'a 403 as gone',
      error(403, 'Forbidden: bot was kicked from the supergroup chat'),
      { kind: 'gone', reason: 'Forbidden: bot was kicked from the supergroup chat' },
    ],
    [
      'chat not found as gone',
      error(400, 'Bad Request: chat not found'),
      { kind: 'gone', reason: 'Bad Request: chat not found' },
    ],
    [
      'a group upgraded to a supergroup as migrated, naming the new id',
      error(400, 'Bad Request: group chat was upgraded to a supergroup chat', {
        migrate_to_chat_id: -100999,
      }),
      { kind: 'migrated', toChatId: '-100999' },
    ],
    ['a 5xx as failed', error(502, 'Bad Gateway'), { kind: 'failed', reason: '502 Bad Gateway' }],
    [
      'another 400 as failed',
      error(400, "Bad Request: can't parse entities"),
      { kind: 'failed', reason: "400 Bad Request: can't parse entities" },
    ],
  ])('maps %s, with one call and no retry', async (_name, answer, expected) => {
    const { api, calls } = apiAnswering(answer);
    expect(await createTelegramSender(api).send(group, message)).toEqual(expected);
    expect(calls).toHaveLength(1);
  });

  it('maps a network failure to failed', async () => {
    const { api, calls } = apiAnswering(() => new Error('ECONNREFUSED'));
    const result = await createTelegramSender(api).send(group, message);
    expect(result.kind).toBe('failed');
    expect(calls).toHaveLength(1);
  });

  it('treats an unchanged edit as sent and a vanished message as missing', async () => {
    const unchanged = apiAnswering(
      error(
        400,
        'Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message',
      ),
    );
    expect(await createTelegramSender(unchanged.api).edit(group, '5', message)).toEqual({
      kind: 'sent',
      messageId: '5',
    });
    const missing = apiAnswering(error(400, 'Bad Request: message to edit not found'));
    expect(await createTelegramSender(missing.api).edit(group, '5', message)).toEqual({
      kind: 'message_missing',
    });
    const limited = apiAnswering(error(429, 'Too Many Requests', { retry_after: 3 }));
    expect(await createTelegramSender(limited.api).edit(group, '5', message)).toEqual({
      kind: 'retry_after',
      ms: 3000,
    });
  });

  it('refuses a Slack target as a wiring bug', async () => {
    const { api } = apiAnswering(() => ({ ok: true, result: true }));
    await expect(
      createTelegramSender(api).send({ platform: 'slack', chatId: 'C1' }, message),
    ).rejects.toThrow(/slack/);
  });
});
