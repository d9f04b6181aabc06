import { WebAPIPlatformError, WebAPIRateLimitedError } from '@slack/web-api';
import { describe, expect, it } from 'vitest';
import { decodeSlackText, escapeMrkdwn } from '../../../bots/slack/escape.ts';
import { HEADER_LIMIT, renderMessage, SECTION_LIMIT } from '../../../bots/slack/render.ts';
import { classifySlackError } from '../../../bots/slack/sender.ts';

const platformError = (error: string) =>
  Object.assign(Object.create(WebAPIPlatformError.prototype), { data: { ok: false, error } });

describe('Slack text', () => {
  it('decodes what Slack encodes, once, and escapes the three control characters', () => {
    expect(decodeSlackText('a &amp; b &lt;!here&gt; &amp;lt;')).toBe('a & b <!here> &lt;');
    expect(escapeMrkdwn('<!channel> & <@U1|x>')).toBe('&lt;!channel&gt; &amp; &lt;@U1|x&gt;');
    expect(decodeSlackText(escapeMrkdwn('<a&b>'))).toBe('<a&b>');
  });

  it('keeps a long card within the header and section limits, escaped', () => {
    const title = '<'.repeat(400);
    const message = renderMessage({
      locale: 'en',
      lines: [
        { key: 'card.proposal.heading', params: { number: 1, title } },
        { key: 'card.proposal.body', params: { body: '&'.repeat(5000) } },
      ],
      progress: null,
      buttons: [{ kind: 'cosign', number: 1 }],
    });
    const [header, section, actions] = message.blocks;
    expect(header?.type === 'header' && header.text.text.length).toBeLessThanOrEqual(HEADER_LIMIT);
    expect(section?.type === 'section' && section.text.text.length).toBeLessThanOrEqual(
      SECTION_LIMIT,
    );
    expect(message.text.length).toBeLessThanOrEqual(SECTION_LIMIT);
    expect(message.text.replace(/&(amp|lt|gt);?/g, '').replace(/…/g, '')).not.toMatch(/[<>]/);
    expect(actions).toMatchObject({
      type: 'actions',
      elements: [{ action_id: 'v1:c:1', value: 'v1:c:1', text: { text: 'Co-sign' } }],
    });
  });
});

describe('Slack card link', () => {
  it("shows the card's board page as a link of its own, and none without one", () => {
    const card = {
      locale: 'en' as const,
      lines: [{ key: 'card.proposal.heading' as const, params: { number: 3, title: 'Lift' } }],
      progress: null,
      buttons: [],
    };
    const url = 'https://yishi.example/board/k3y/3?a=1&b=2';
    const linked = renderMessage({ ...card, link: { label: 'card.board_link', url } });
    const sections = linked.blocks.filter((b) => b.type === 'section');
    expect(sections.at(-1)).toMatchObject({
      text: {
        text: expect.stringMatching(/^<https:\/\/yishi\.example\/board\/k3y\/3\?a=1&amp;b=2\|.+>$/),
      },
    });
    expect(JSON.stringify(renderMessage(card).blocks)).not.toContain('yishi.example');
  });
});

describe('Slack send errors', () => {
  it('sorts Web API failures into what the push queue does', () => {
    expect(classifySlackError(new WebAPIRateLimitedError(3))).toEqual({
      kind: 'retry_after',
      ms: 3000,
    });
    for (const gone of ['not_in_channel', 'channel_not_found', 'is_archived', 'account_inactive']) {
      expect(classifySlackError(platformError(gone))).toEqual({ kind: 'gone', reason: gone });
    }
    expect(classifySlackError(platformError('message_not_found'), true)).toEqual({
      kind: 'message_missing',
    });
    expect(classifySlackError(platformError('internal_error'))).toEqual({
      kind: 'failed',
      reason: 'internal_error',
    });
  });
});
