import { describe, expect, it } from 'vitest';
import { escapeHtml } from '../../../bots/telegram/escape.ts';
import {
  fitLines,
  renderCallbackAnswer,
  renderMessage,
  renderReply,
  TELEGRAM_TEXT_LIMIT,
} from '../../../bots/telegram/render.ts';
import type { OutboundMessage } from '../../../src/app/ports/delivery.ts';

const HOSTILE = '<b>x</b> & <a href="tg://user?id=1">y</a>';

const proposalCard = (title: string, locale: 'zh-CN' | 'en' = 'en'): OutboundMessage => ({
  locale,
  lines: [
    { key: 'card.proposal.heading', params: { number: 3, title } },
    { key: 'card.proposal.cosigns', params: { count: 2, threshold: 10 } },
    { key: 'card.proposal.how_to_cosign', params: { number: 3 } },
  ],
  progress: { value: 2, total: 10 },
  buttons: [{ kind: 'cosign', number: 3 }],
});

/** The visible text of our HTML: tags removed, entities decoded. */
const visible = (html: string) =>
  html
    .replace(/<\/?b>/g, '')
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&quot;', '"')
    .replaceAll('&amp;', '&');

describe('escapeHtml', () => {
  it('turns markup into text', () => {
    expect(escapeHtml(HOSTILE)).toBe(
      '&lt;b&gt;x&lt;/b&gt; &amp; &lt;a href=&quot;tg://user?id=1&quot;&gt;y&lt;/a&gt;',
    );
    expect(escapeHtml('&amp;')).toBe('&amp;amp;');
  });
});

describe('renderMessage', () => {
  it('shows a hostile title literally: no tag of the title survives, only our bold heading', () => {
    const { html } = renderMessage(proposalCard(HOSTILE));
    expect(html.startsWith('<b>Proposal #3: &lt;b&gt;x&lt;/b&gt; &amp; &lt;a href=')).toBe(true);
    expect(html).not.toContain('<a');
    expect(html.match(/<[a-z/]/g)).toEqual(['<b', '</']);
    expect(visible(html).split('\n')[0]).toBe(`Proposal #3: ${HOSTILE}`);
  });

  it('puts the progress bar under the count and the buttons as callback data', () => {
    const { html, keyboard } = renderMessage(proposalCard('Elevator'));
    expect(html.split('\n')).toEqual([
      '<b>Proposal #3: Elevator</b>',
      'Co-signs 2/10',
      '▓▓░░░░░░░░',
      'Support it with the Co-sign button or /cosign 3.',
    ]);
    expect(keyboard).toEqual({
      inline_keyboard: [[{ text: 'Co-sign', callback_data: 'v1:c:3' }]],
    });
  });

  it('lays the three ballot buttons in one row, in the chat locale', () => {
    const { keyboard } = renderMessage({
      locale: 'zh-CN',
      lines: [{ key: 'card.vote.heading', params: { number: 4, title: '电梯' } }],
      progress: null,
      buttons: [
        { kind: 'vote', number: 4, choice: 'for' },
        { kind: 'vote', number: 4, choice: 'against' },
        { kind: 'vote', number: 4, choice: 'abstain' },
      ],
    });
    expect(keyboard.inline_keyboard.map((row) => row.map((b) => b.text))).toEqual([
      ['赞成', '反对', '弃权'],
    ]);
  });

  it('gives a card without buttons an empty keyboard (an edit then removes old buttons)', () => {
    const { keyboard } = renderMessage({ ...proposalCard('x'), buttons: [] });
    expect(keyboard).toEqual({ inline_keyboard: [] });
  });

  it('never exceeds 4096 visible characters: the long user text is cut with an ellipsis', () => {
    const note = '&<'.repeat(3000) + '😀'.repeat(500);
    const message: OutboundMessage = {
      locale: 'en',
      lines: [
        { key: 'card.resolution.heading', params: { number: 9, title: 'Roof' } },
        { key: 'card.resolution.latest_note', params: { note } },
        { key: 'card.resolution.progress', params: { percent: 50 } },
      ],
      progress: { value: 50, total: 100 },
      buttons: [],
    };
    const { html } = renderMessage(message);
    const text = visible(html);
    expect(text.length).toBeLessThanOrEqual(TELEGRAM_TEXT_LIMIT);
    expect(text.length).toBeGreaterThan(TELEGRAM_TEXT_LIMIT - 10);
    const lines = text.split('\n');
    expect(lines[0]).toBe('Resolution #9: Roof');
    expect(lines[1]?.endsWith('…')).toBe(true);
    expect(lines.slice(2)).toEqual(['Progress: 50%', '▓▓▓▓▓░░░░░']);
    // No lone surrogate from cutting inside an emoji.
    expect(text).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
  });
});

describe('fitLines', () => {
  it('leaves short text alone and cuts to the exact limit', () => {
    expect(fitLines(['a', 'b'], 10)).toEqual(['a', 'b']);
    const fitted = fitLines(['x'.repeat(20), 'yy'], 10);
    expect(fitted).toEqual(['xxxxxx…', 'yy']);
    expect(fitted.join('\n').length).toBe(10);
  });
});

describe('replies', () => {
  it('escape user text in command replies', () => {
    const html = renderReply('en', [
      { key: 'cosign.cosigned', params: { number: 1, cosigns: 2, threshold: 3 } },
      { key: 'relay.unit_unknown', params: { unit: '<i>201</i>' } },
    ]);
    expect(html).toContain('&lt;i&gt;201&lt;/i&gt;');
    expect(html).not.toContain('<i>');
  });

  it('keep callback answers within 200 characters', () => {
    const answer = renderCallbackAnswer('en', [
      { key: 'relay.unit_unknown', params: { unit: 'u'.repeat(400) } },
    ]);
    expect(answer.length).toBeLessThanOrEqual(200);
    expect(answer.endsWith('…')).toBe(true);
  });
});
