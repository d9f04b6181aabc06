import { describe, expect, it } from 'vitest';
import {
  ChoiceArg,
  NumberArg,
  PercentArg,
  parseAssignment,
  parseProposal,
  SurveyAnswerArg,
  splitFirst,
} from '../../../src/chat/args.ts';

describe('command arguments', () => {
  it('read numbers, choices, answers and percents as people type them', () => {
    expect(NumberArg.parse('12')).toBe(12);
    expect(NumberArg.parse('#12')).toBe(12);
    expect(NumberArg.safeParse('0').success).toBe(false);
    expect(NumberArg.safeParse('12a').success).toBe(false);
    expect(NumberArg.safeParse('9999999999').success).toBe(false);
    expect(ChoiceArg.parse('FOR')).toBe('for');
    expect(ChoiceArg.parse('反对')).toBe('against');
    expect(ChoiceArg.parse('弃权')).toBe('abstain');
    expect(ChoiceArg.safeParse('maybe').success).toBe(false);
    expect(ChoiceArg.safeParse('constructor').success).toBe(false);
    expect(SurveyAnswerArg.parse('满意')).toBe('yes');
    expect(SurveyAnswerArg.parse('no')).toBe('no');
    expect(SurveyAnswerArg.parse('4')).toBe(4);
    expect(SurveyAnswerArg.safeParse('6').success).toBe(false);
    expect(PercentArg.parse('60%')).toBe(60);
    expect(PercentArg.parse('100')).toBe(100);
    expect(PercentArg.safeParse('-5').success).toBe(false);
  });

  it('split a proposal into title, body lines and #category', () => {
    expect(parseProposal('加装电梯 #elevator\n三号楼老人多\n上下楼难')).toEqual({
      title: '加装电梯',
      body: '三号楼老人多\n上下楼难',
      category: 'elevator',
    });
    expect(parseProposal('修路灯\n#public_facilities')).toEqual({
      title: '修路灯',
      body: '',
      category: 'public_facilities',
    });
    expect(parseProposal('3号楼 #3 单元漏水')).toEqual({
      title: '3号楼 #3 单元漏水',
      body: '',
      category: undefined,
    });
  });

  it('read /assign key=value pairs whose values may contain spaces', () => {
    expect(parseAssignment('lead=物业 服务中心 due=2027-03-31 coop=业委会，城管、街道')).toEqual({
      lead: '物业 服务中心',
      due: '2027-03-31',
      coop: ['业委会', '城管', '街道'],
    });
    expect(parseAssignment('due=2027-03-31')).toEqual({
      lead: undefined,
      due: '2027-03-31',
      coop: [],
    });
    expect(splitFirst('  12  2026-12-08 19:30 ')).toEqual(['12', '2026-12-08 19:30']);
    expect(splitFirst('')).toEqual(['', '']);
  });
});
