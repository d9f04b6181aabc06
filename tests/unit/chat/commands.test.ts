import { describe, expect, it } from 'vitest';
import {
  COMMAND_NAMES,
  invalidLines,
  parseCommand,
  splitCommandLine,
} from '../../../src/chat/commands.ts';
import { LOCALES, t } from '../../../src/i18n/translate.ts';

const parsed = (name: string, text: string) => {
  const result = parseCommand(name, text);
  if (result.kind !== 'command') throw new Error(`${name} ${text}: ${JSON.stringify(result)}`);
  return result.command;
};

describe('parseCommand: every command of the contract', () => {
  it('reads each command as people type it', () => {
    expect(parsed('join', 'ABCD-EFGH')).toEqual({ name: 'join', code: 'ABCD-EFGH' });
    expect(parsed('propose', '修电梯 #elevator\n三号楼电梯常坏\n请维修')).toEqual({
      name: 'propose',
      title: '修电梯',
      body: '三号楼电梯常坏\n请维修',
      category: 'elevator',
    });
    expect(parsed('cosign', '#12')).toEqual({ name: 'cosign', number: 12 });
    expect(parsed('schedule', '12 2026-12-08   19:30')).toEqual({
      name: 'schedule',
      number: 12,
      opensAt: '2026-12-08 19:30',
    });
    expect(parsed('vote', '3 赞成')).toEqual({ name: 'vote', number: 3, choice: 'for' });
    expect(parsed('relay', '3 201 against P-7 第二页')).toEqual({
      name: 'relay',
      number: 3,
      unit: '201',
      choice: 'against',
      paperRef: 'P-7 第二页',
    });
    expect(parsed('assign', '5 lead=物业 公司 due=2026-12-31 coop=居委会，业委会')).toEqual({
      name: 'assign',
      number: 5,
      lead: '物业 公司',
      due: '2026-12-31',
      coop: ['居委会', '业委会'],
    });
    expect(parsed('progress', '5 60% 已完成一半')).toEqual({
      name: 'progress',
      number: 5,
      percent: 60,
      note: '已完成一半',
    });
    expect(parsed('done', '5 全部完成')).toEqual({ name: 'done', number: 5, note: '全部完成' });
    expect(parsed('survey', '5 满意')).toEqual({ name: 'survey', number: 5, answer: 'yes' });
    expect(parsed('survey', '5 4')).toEqual({ name: 'survey', number: 5, answer: 4 });
    expect(parsed('withdraw', '7')).toEqual({ name: 'withdraw', number: 7 });
    expect(parsed('status', '')).toEqual({ name: 'status', number: undefined });
    expect(parsed('status', '7')).toEqual({ name: 'status', number: 7 });
    expect(parsed('points', '')).toEqual({ name: 'points' });
    expect(parsed('lang', 'en')).toEqual({ name: 'lang', text: 'en' });
    expect(parsed('help', '')).toEqual({ name: 'help' });
  });

  it('knows every command /help lists, names in any case, and /start as /help', () => {
    for (const name of COMMAND_NAMES)
      expect(parseCommand(name, '1 for x').kind).not.toBe('unknown');
    expect(parsed('VOTE', '3 for')).toEqual({ name: 'vote', number: 3, choice: 'for' });
    expect(parsed('start', '')).toEqual({ name: 'help' });
    expect(parseCommand('topicz', '')).toEqual({ kind: 'unknown', name: 'topicz' });
  });

  it('takes a Slack line (/yishi vote 3 for) as the same command', () => {
    const { name, text } = splitCommandLine('  vote 3 for ');
    expect(parsed(name, text)).toEqual(parsed('vote', '3 for'));
    const proposal = splitCommandLine('propose 修电梯\n详情');
    expect(parsed(proposal.name, proposal.text)).toEqual(parsed('propose', '修电梯\n详情'));
  });
});

describe('parseCommand: arguments that do not fit', () => {
  it.each([
    ['cosign', '', { field: 'number' }],
    ['vote', 'x for', { field: 'number' }],
    ['vote', '3 maybe', { field: 'choice', number: 3 }],
    ['relay', '3 201', { field: 'usage' }],
    ['relay', '3', { field: 'usage' }],
    ['assign', '5 lead=物业', { field: 'usage' }],
    ['progress', '5 lots note', { field: 'percent', number: 5 }],
    ['survey', '5 meh', { field: 'answer', number: 5 }],
    ['status', 'abc', { field: 'number' }],
    ['done', '', { field: 'number' }],
    ['schedule', '#0 2026-12-08 19:30', { field: 'number' }],
  ])('%s %j -> %j', (name, text, problem) => {
    expect(parseCommand(name, text)).toEqual({ kind: 'invalid', name, problem });
  });

  it('says how to write it instead, in the chat’s language and the platform’s form', () => {
    const vote = parseCommand('vote', '3 maybe');
    const relay = parseCommand('relay', '3 201');
    if (vote.kind !== 'invalid' || relay.kind !== 'invalid') throw new Error('expected invalid');
    const words = (
      lines: ReturnType<typeof invalidLines>,
      prefix: string,
      locale: 'en' | 'zh-CN',
    ) => lines.map((l) => t(locale, l.key, { cmd: prefix, ...l.params })).join('\n');
    expect(words(invalidLines('vote', vote.problem, 'en', '/'), '/', 'en')).toBe(
      'Vote for, against or abstain, e.g. /vote 3 for',
    );
    expect(words(invalidLines('vote', vote.problem, 'en', '/yishi '), '/yishi ', 'en')).toBe(
      'Vote for, against or abstain, e.g. /yishi vote 3 for',
    );
    const usage = words(invalidLines('relay', relay.problem, 'en', '/yishi '), '/yishi ', 'en');
    expect(usage).toContain('/yishi relay N UNIT for|against|abstain REF');
    for (const locale of LOCALES) {
      const text = words(invalidLines('cosign', { field: 'number' }, locale, '/'), '/', locale);
      expect(text).toContain('/cosign 12');
    }
  });
});
