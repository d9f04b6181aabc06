/**
 * The hot rule: enough different people, enough of the community's talk,
 * above the term's own past once there is one; variants shown once.
 */
import { describe, expect, it } from 'vitest';
import {
  type CommunityVolume,
  rankHotTopics,
  type TermCounts,
  variantsOf,
} from '../../../../src/domain/hot-topics/rank.ts';

const term = (t: string, last7: number, senders7: number, previous28 = 0): TermCounts => ({
  term: t,
  last7,
  senders7,
  previous28,
});
const young: CommunityVolume = { messages7: 1000, messagesPrevious28: 0, historyDays: 10 };
const names = (list: { term: string }[]) => list.map((t) => t.term);

describe('rankHotTopics', () => {
  it('with under 28 days of history ranks by distinct senders, then counts', () => {
    const list = rankHotTopics(
      [term('停车', 30, 9), term('电梯', 40, 12), term('垃圾', 45, 9), term('噪音', 12, 3)],
      young,
    );
    expect(names(list)).toEqual(['电梯', '垃圾', '停车', '噪音']);
    expect(list.every((t) => t.lift === null)).toBe(true);
  });

  it('never lists a term fewer than 3 people used, however often they did', () => {
    const list = rankHotTopics([term('狗', 200, 1), term('狗狗', 200, 2), term('电梯', 40, 12)], {
      ...young,
      messages7: 1200,
    });
    expect(names(list)).toEqual(['电梯']);
  });

  it('needs a share of the community’s volume: 8 messages in 1,000 are not a topic', () => {
    const busy = { ...young, messages7: 1000 };
    expect(names(rankHotTopics([term('电梯', 40, 12), term('花园', 8, 5)], busy))).toEqual([
      '电梯',
    ]);
  });

  it('shows variants of one topic once, under the best-ranked name', () => {
    const list = rankHotTopics(
      [
        term('电梯', 40, 12),
        term('电梯坏', 15, 8),
        term('电梯故障', 10, 6),
        term('停车', 30, 9),
        term('停车位', 20, 7),
        term('车位', 18, 6),
        term('parking', 25, 8),
        term('parking spot', 12, 5),
        term('dogs', 20, 6),
        term('dog', 10, 4),
      ],
      { ...young, messages7: 1000 },
    );
    expect(names(list)).toEqual(['电梯', '停车', 'parking', 'dogs']);
  });

  it('with 28 days of history ranks by the rise over the term’s own past', () => {
    const volume: CommunityVolume = { messages7: 1000, messagesPrevious28: 4000, historyDays: 60 };
    const list = rankHotTopics(
      [
        // Always talked about: 40 a week now and before.
        term('快递', 40, 20, 160),
        // New this week.
        term('外墙', 30, 10, 0),
        term('电梯', 20, 8, 8),
      ],
      volume,
    );
    expect(names(list)).toEqual(['外墙', '电梯']);
    expect(list[0]?.lift).toBeGreaterThan(list[1]?.lift ?? 0);
  });

  it('lists at most 5 topics', () => {
    const many = ['电梯', '停车', '外墙', '快递柜', '噪音', '垃圾', '绿化'].map((t, i) =>
      term(t, 50 - i, 10),
    );
    expect(rankHotTopics(many, young)).toHaveLength(5);
  });
});

describe('variantsOf', () => {
  it('joins a Chinese word and the longer words containing it', () => {
    expect(variantsOf('快递', '快递柜')).toBe(true);
    expect(variantsOf('电梯', '停车')).toBe(false);
  });
  it('joins English plurals and pairs sharing a word, not unrelated words', () => {
    expect(variantsOf('dog', 'dogs')).toBe(true);
    expect(variantsOf('parking', 'parking fees')).toBe(true);
    expect(variantsOf('park', 'parking')).toBe(false);
    expect(variantsOf('elevator', 'parking')).toBe(false);
  });
});
