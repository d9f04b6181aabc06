import { ErrorCode, WebClient } from '@slack/web-api';
import { afterEach, describe, expect, it } from 'vitest';
import { type FakeSlack, startFakeSlack } from '../../support/fake-slack.ts';

const TOKEN = 'xoxb-test';
let fake: FakeSlack | undefined;

afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const client = (apiUrl: string) =>
  new WebClient(TOKEN, {
    slackApiUrl: apiUrl,
    rejectRateLimitedCalls: true,
    retryConfig: { retries: 0 },
  });

async function failure(
  call: Promise<unknown>,
): Promise<{ code?: string; data?: unknown; retryAfter?: number }> {
  return call.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (e: { code?: string; data?: unknown; retryAfter?: number }) => e,
  );
}

describe('fake Slack Web API', () => {
  it('posts and updates like Slack, and refuses a channel the bot is not in', async () => {
    fake = await startFakeSlack({ token: TOKEN, notInChannel: ['C0OUT'] });
    const web = client(fake.apiUrl);
    expect((await web.auth.test()).user_id).toBe('U0BOT');
    const posted = await web.chat.postMessage({
      channel: 'C0A',
      text: 'card #1',
      blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'card #1' } }],
    });
    expect(posted.ok).toBe(true);
    expect(posted.ts).toMatch(/^\d+\.\d{6}$/);
    await new Promise((resolve) => setTimeout(resolve, 1_050));
    await web.chat.update({ channel: 'C0A', ts: posted.ts ?? '', text: 'card #1 (2)' });
    expect(fake.lastTextOf('C0A', posted.ts ?? '')).toBe('card #1 (2)');
    const missing = await failure(web.chat.update({ channel: 'C0Z', ts: '1.000001', text: 'x' }));
    expect(missing.code).toBe(ErrorCode.PlatformError);
    expect(missing.data).toMatchObject({ ok: false, error: 'message_not_found' });
    const out = await failure(web.chat.postMessage({ channel: 'C0OUT', text: 'hi' }));
    expect(out.data).toMatchObject({ error: 'not_in_channel' });
  });

  it('allows one message per second per channel and answers 429 with Retry-After beyond', async () => {
    fake = await startFakeSlack();
    const web = client(fake.apiUrl);
    await web.chat.postMessage({ channel: 'C0B', text: 'one' });
    const limited = await failure(web.chat.postMessage({ channel: 'C0B', text: 'two' }));
    expect(limited.code).toBe(ErrorCode.RateLimitedError);
    expect(limited.retryAfter).toBe(1);
    await web.chat.postMessage({ channel: 'C0C', text: 'other channel' });
    expect(fake.stats()).toMatchObject({ limited: 1, insideRetryAfter: 0, messageRequests: 2 });
    await failure(web.chat.postMessage({ channel: 'C0B', text: 'too early' }));
    expect(fake.stats().insideRetryAfter).toBe(1);
  });
});
