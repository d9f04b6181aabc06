/**
 * What the hot-topics count sees of a message: its terms, never more.
 */
import { describe, expect, it } from 'vitest';
import { MAX_TERM_LENGTH, messageTerms } from '../../../../src/domain/hot-topics/terms.ts';

const terms = (text: string) => [...messageTerms(text)].sort();

describe('messageTerms', () => {
  it('keeps a word the segmenter cuts into single characters: 外墙', () => {
    // Intl.Segmenter gives 外 | 墙 | 又 | 裂了.
    expect(terms('外墙又裂了')).toContain('外墙');
    expect(terms('外墙又裂了')).not.toContain('墙又');
  });

  it('keeps a word the segmenter cuts into a word and a character: 快递柜', () => {
    // Intl.Segmenter gives 快递 | 柜 | 坏 | 了.
    const found = terms('快递柜坏了');
    expect(found).toEqual(expect.arrayContaining(['快递', '快递柜']));
    expect(terms('小区新装了充电桩')).toContain('充电桩');
  });

  it('takes no character pair across a word the segmenter found (号楼 | 电梯, no 楼电)', () => {
    const found = terms('3号楼电梯坏了');
    expect(found).toContain('电梯');
    expect(found).not.toContain('楼电');
    // The address every message carries is no topic.
    expect(found).not.toContain('号楼');
  });

  it('reads English and numbers as words, lower-cased, with adjacent pairs', () => {
    expect(terms('Parking fees went up 20% at Gate 2')).toEqual(
      ['20', 'fees', 'fees went', 'gate', 'parking', 'parking fees', 'went'].sort(),
    );
    expect(terms('B2 parking flooded')).toEqual(
      ['b2', 'b2 parking', 'flooded', 'parking', 'parking flooded'].sort(),
    );
  });

  it('mixes scripts: English next to Chinese pairs with a space', () => {
    expect(terms('iPhone15 充电')).toEqual(['iphone15', 'iphone15 充电', '充电'].sort());
  });

  it('joins adjacent Chinese words into one compound (停车 + 收费 -> 停车收费)', () => {
    expect(terms('停车收费')).toEqual(expect.arrayContaining(['停车', '收费', '停车收费']));
  });

  it('drops stop words in both languages, and pairs made only of grammar', () => {
    expect(terms('今天 hello 好的 谢谢大家')).toEqual([]);
    // A stop word between two words also keeps them from pairing.
    expect(terms('the elevator is broken again')).toEqual(['broken', 'elevator']);
    const found = terms('楼的电梯');
    expect(found).not.toContain('楼的');
    expect(found).not.toContain('的电');
  });

  it('drops single characters and single letters or digits', () => {
    expect(terms('a 1 狗 x')).toEqual([]);
    expect(terms('猫')).toEqual([]);
  });

  it('counts a word once however often one message repeats it', () => {
    expect(terms('电梯，电梯！电梯？')).toEqual(['电梯']);
  });

  it('ends a phrase at punctuation: no pair across a comma', () => {
    expect(terms('elevator, parking')).toEqual(['elevator', 'parking']);
  });

  it('keeps no term longer than the limit', () => {
    const long = 'x'.repeat(MAX_TERM_LENGTH + 1);
    expect(terms(`${long} parking`)).toEqual(['parking']);
  });
});
