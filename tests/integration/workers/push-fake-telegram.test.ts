import { Api, Bot, GrammyError } from 'grammy';
import { afterEach, describe, expect, it } from 'vitest';
import { type FakeTelegram, startFakeTelegram } from '../../support/fake-telegram.ts';

const TOKEN = '42:test-token';
let fake: FakeTelegram | undefined;

afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function refusal(call: Promise<unknown>): Promise<GrammyError> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof GrammyError)) throw new Error(`expected a GrammyError, got ${error}`);
  return error;
}

describe('fake Telegram Bot API', () => {
  it('answers grammY like Telegram: send, edit in place, not modified, unknown message', async () => {
    fake = await startFakeTelegram({ token: TOKEN });
    const api = new Api(TOKEN, { apiRoot: fake.apiRoot });
    expect((await api.getMe()).username).toBe('yishi_test_bot');
    const keyboard = { inline_keyboard: [[{ text: 'Co-sign', callback_data: 'v1:c:12' }]] };
    const sent = await api.sendMessage(-1001, '<b>#12</b> a &amp; b', {
      parse_mode: 'HTML',
      reply_markup: keyboard,
    });
    expect(sent.message_id).toBe(1);
    expect(sent.chat).toMatchObject({ id: -1001, type: 'group' });
    expect(sent.text).toBe('#12 a & b');
    expect(sent.reply_markup).toEqual(keyboard);
    expect((await api.sendMessage(-1001, 'second')).message_id).toBe(2);
    expect((await api.sendMessage(-1002, 'other chat')).message_id).toBe(1);

    const edited = await api.editMessageText(-1001, 1, 'changed', { reply_markup: keyboard });
    expect(edited).toMatchObject({ message_id: 1, text: 'changed' });
    expect(fake.lastTextOf(-1001, 1)).toBe('changed');
    const same = await refusal(
      api.editMessageText(-1001, 1, 'changed', { reply_markup: keyboard }),
    );
    expect(same.error_code).toBe(400);
    expect(same.description).toContain('message is not modified');
    const missing = await refusal(api.editMessageText(-1001, 99, 'x'));
    expect(missing.description).toBe('Bad Request: message to edit not found');
    const html = await refusal(
      api.sendMessage(-1001, '<script>x</script>', { parse_mode: 'HTML' }),
    );
    expect(html.description).toContain("can't parse entities");

    expect(fake.messagesIn(-1001).map((m) => m.text)).toEqual(['changed', 'second']);
    expect(fake.calls('sendMessage')).toHaveLength(4);
    expect(fake.calls('editMessageText')[0]?.params).toMatchObject({
      chat_id: -1001,
      message_id: 1,
    });
    expect((await refusal(new Api('1:wrong', { apiRoot: fake.apiRoot }).getMe())).error_code).toBe(
      401,
    );
  });

  it('refuses kicked groups and users who never started the bot with 403', async () => {
    fake = await startFakeTelegram({ kickedChats: [-5], notStartedUsers: [77] });
    const api = new Api(TOKEN, { apiRoot: fake.apiRoot });
    const kicked = await refusal(api.sendMessage(-5, 'hi'));
    expect(kicked.error_code).toBe(403);
    expect(kicked.description).toBe('Forbidden: bot was kicked from the group chat');
    const stranger = await refusal(api.sendMessage(77, 'hi'));
    expect(stranger.description).toBe("Forbidden: bot can't initiate conversation with a user");
    expect((await api.sendMessage(78, 'hi')).chat.type).toBe('private');
  });

  it('enforces the per-group limit over a sliding window and counts requests inside retry_after', async () => {
    fake = await startFakeTelegram({ limits: { perGroup: { count: 3, windowMs: 300 } } });
    const api = new Api(TOKEN, { apiRoot: fake.apiRoot });
    for (const n of [1, 2, 3]) await api.sendMessage(-7, `m${n}`);
    const limited = await refusal(api.sendMessage(-7, 'm4'));
    expect(limited.error_code).toBe(429);
    expect(limited.parameters.retry_after).toBe(1);
    expect(limited.description).toBe('Too Many Requests: retry after 1');
    // Another group and private chats have budgets of their own.
    await api.sendMessage(-8, 'elsewhere');
    const early = await refusal(api.sendMessage(-7, 'm4 again'));
    expect(early.error_code).toBe(429);
    expect(fake.stats()).toMatchObject({ limited: 1, insideRetryAfter: 1, forced: 0 });

    fake.forceRetryAfter(-8, 2);
    expect((await refusal(api.sendMessage(-8, 'forced'))).parameters.retry_after).toBe(2);
    expect(fake.stats().forced).toBe(1);
  });

  it('serves long polling: getUpdates waits for a pushed update', async () => {
    fake = await startFakeTelegram();
    const bot = new Bot(TOKEN, { client: { apiRoot: fake.apiRoot } });
    const seen: string[] = [];
    bot.on('message:text', (ctx) => {
      seen.push(ctx.message.text);
    });
    const started = bot.start({ drop_pending_updates: false });
    await fake.until(
      (f) => f.calls('getUpdates').length > 0 || f.calls('deleteWebhook').length > 0,
    );
    fake.pushUpdate({
      message: {
        message_id: 1,
        date: 1,
        chat: { id: -3, type: 'group', title: 'g' },
        from: { id: 5, is_bot: false, first_name: 'A' },
        text: 'hello',
      },
    });
    await fake.until(() => seen.length === 1);
    await bot.stop();
    await started;
    expect(seen).toEqual(['hello']);
  });
});
