import { describe, expect, it } from 'vitest';
import { cardJobId, cardKeyOf, noticeJobId } from '../../../workers/push/job-ids.ts';
import type { CardPush } from '../../../workers/push/push-request.ts';

const card: CardPush = {
  kind: 'card',
  communityId: '5b2d8f0e-8f0e-4c1a-9d7e-2f1e0a9b8c7d',
  number: 12,
  card: 'vote_card',
  platform: 'telegram',
  chatId: '-1001234567890',
};

describe('push job ids', () => {
  it('are deterministic, versioned, free of ":" and never all digits', () => {
    const ids = [
      cardJobId(card, 589_000_123, false),
      cardJobId(card, 589_000_123, true),
      noticeJobId({
        kind: 'notice',
        key: 'v1-remind-vote-abc-86400000-telegram--1001',
        notice: 'vote_reminder',
        communityId: card.communityId,
        number: 12,
        platform: 'telegram',
        chatId: '-1001',
      }),
    ];
    for (const id of ids) {
      expect(id.startsWith('v1-')).toBe(true);
      expect(id).not.toContain(':');
      expect(id).not.toMatch(/^\d+$/);
    }
    expect(cardJobId(card, 7, false)).toBe(cardJobId({ ...card }, 7, false));
    expect(cardJobId(card, 7, false)).not.toBe(cardJobId(card, 8, false));
    expect(cardJobId(card, 7, false)).not.toBe(cardJobId(card, 7, true));
    expect(cardJobId(card, 7, false)).not.toBe(cardJobId({ ...card, chatId: '-1002' }, 7, false));
  });

  it('hashes chat ids that are not plain, so a job id never carries ":"', () => {
    const odd = cardKeyOf({ ...card, platform: 'slack', chatId: 'C01:weird/chat' });
    expect(odd).not.toContain(':');
    expect(odd).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(odd).not.toBe(cardKeyOf({ ...card, platform: 'slack', chatId: 'C01:other/chat' }));
  });
});
