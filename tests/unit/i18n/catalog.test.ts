import type { IntlMessageFormat } from 'intl-messageformat';
import { describe, expect, it } from 'vitest';
import type { AnswerSurveyOutcome } from '../../../src/app/answer-survey.ts';
import type { AssignResolutionOutcome } from '../../../src/app/assign-resolution.ts';
import type { CastVoteOutcome } from '../../../src/app/cast-vote.ts';
import type { CloseSurveyOutcome } from '../../../src/app/close-survey.ts';
import type { CompleteResolutionOutcome } from '../../../src/app/complete-resolution.ts';
import type { Refusal } from '../../../src/app/core.ts';
import type { CosignOutcome } from '../../../src/app/cosign.ts';
import type {
  CloseVoteOutcome,
  ExpireOutcome,
  OpenVoteOutcome,
} from '../../../src/app/deadlines.ts';
import type { JoinOutcome } from '../../../src/app/join-household.ts';
import type {
  Choice,
  PointsAward,
  ProposalStateName,
  ResolutionStateName,
} from '../../../src/app/ports/store.ts';
import type { ProposeOutcome } from '../../../src/app/propose.ts';
import type { RelayVoteOutcome } from '../../../src/app/relay-vote.ts';
import type { ReportProgressOutcome } from '../../../src/app/report-progress.ts';
import type { ScheduleVoteOutcome } from '../../../src/app/schedule-vote.ts';
import type { OpenStatusOutcome, ProposalStatusOutcome } from '../../../src/app/status.ts';
import type { WithdrawOutcome } from '../../../src/app/withdraw-proposal.ts';
import type { EscalationLevel } from '../../../src/domain/escalation.ts';
import type { Role } from '../../../src/domain/role.ts';
import { YishiError } from '../../../src/errors.ts';
import { en, type MessageKey } from '../../../src/i18n/catalog-en.ts';
import { zhCN } from '../../../src/i18n/catalog-zh-CN.ts';
import {
  categoryLabel,
  compileMessage,
  formatDate,
  formatDateTime,
  formatList,
  HELP_COMMANDS,
  LOCALES,
  type Locale,
  normalizeLocale,
  progressBar,
  t,
} from '../../../src/i18n/translate.ts';

const KEYS = Object.keys(en) as MessageKey[];

// ---------------------------------------------------------------------------
// Compile-time coverage: every outcome kind of a use case has `<prefix>.<kind>`.
type OwnKinds<O extends { kind: string }> = Exclude<O['kind'], Refusal['kind']>;
type Expected =
  | `propose.${Exclude<OwnKinds<ProposeOutcome>, 'proposed'>}`
  | `cosign.${OwnKinds<CosignOutcome>}`
  | `schedule.${OwnKinds<ScheduleVoteOutcome>}`
  | `vote.${OwnKinds<CastVoteOutcome>}`
  | `relay.${OwnKinds<RelayVoteOutcome>}`
  | `withdraw.${OwnKinds<WithdrawOutcome>}`
  | `deadline.${OwnKinds<OpenVoteOutcome | CloseVoteOutcome | ExpireOutcome>}`
  | `join.${OwnKinds<JoinOutcome>}`
  | `assign.${OwnKinds<AssignResolutionOutcome>}`
  | `progress.${OwnKinds<ReportProgressOutcome>}`
  | `done.${OwnKinds<CompleteResolutionOutcome>}`
  | `survey.${OwnKinds<AnswerSurveyOutcome>}`
  | `survey_close.${OwnKinds<CloseSurveyOutcome>}`
  | `status.${(ProposalStatusOutcome | OpenStatusOutcome)['kind']}`
  | 'propose.proposed'
  | `refusal.${Exclude<Refusal['kind'], 'not_allowed' | 'invalid'>}`
  | `refusal.not_allowed.${Extract<Refusal, { kind: 'not_allowed' }>['need']}`
  | `state.proposal.${ProposalStateName}`
  | `state.resolution.${ResolutionStateName}`
  | `choice.${Choice}`
  | `role.${Role}`
  | `points.kind.${PointsAward['kind']}`
  | `escalation.label.${EscalationLevel}`
  | `escalation.push.${EscalationLevel}`;
type Missing = Exclude<Expected, MessageKey>;
// A type error here names the keys the catalogue lacks.
const nothingMissing: [Missing] extends [never] ? true : Missing = true;

/** `field` values of `invalid` refusals, indexes removed (`milestones[0].due` -> `milestones.due`). */
const INVALID_FIELDS = [
  'title',
  'body',
  'category',
  'opensAt',
  'paperRef',
  'unit',
  'lead',
  'due',
  'milestones',
  'milestones.title',
  'milestones.due',
  'note',
  'percent',
  'answer',
];

// ---------------------------------------------------------------------------
// The params a message declares, read from its ICU AST.
type Ast = ReturnType<IntlMessageFormat['getAst']>;
type ArgUse = { kind: 'text' } | { kind: 'number' } | { kind: 'select'; options: string[] };

function collectArgs(ast: Ast, args: Map<string, ArgUse>): Map<string, ArgUse> {
  for (const el of ast) {
    if ('options' in el) {
      const use: ArgUse =
        'pluralType' in el
          ? { kind: 'number' }
          : { kind: 'select', options: Object.keys(el.options).filter((o) => o !== 'other') };
      args.set(el.value, use);
      for (const option of Object.values(el.options)) collectArgs(option.value, args);
    } else if ('children' in el) {
      collectArgs(el.children, args);
    } else if ('value' in el) {
      // TYPE: 0 literal, 1 argument, 2 number, 3 date, 4 time.
      const type: number = el.type;
      if (type === 1 && !args.has(el.value)) args.set(el.value, { kind: 'text' });
      if (type === 2) args.set(el.value, { kind: 'number' });
      if (type === 3 || type === 4) throw new Error(`${el.value}: pass dates formatted`);
    }
  }
  return args;
}

const argsOf = (locale: Locale, key: MessageKey) =>
  collectArgs(compileMessage(locale, key).getAst(), new Map());

const sampleOf = (name: string, use: ArgUse): string | number =>
  use.kind === 'number' ? 2 : use.kind === 'select' ? (use.options[0] ?? 'other') : `<${name}>`;

/** Param sets covering every select branch and plural category used. */
function paramVariants(args: Map<string, ArgUse>): Record<string, string | number>[] {
  const base: Record<string, string | number> = {};
  for (const [name, use] of args) base[name] = sampleOf(name, use);
  const variants = [base];
  for (const [name, use] of args) {
    const values =
      use.kind === 'select' ? [...use.options, 'other'] : use.kind === 'number' ? [0, 1, 5] : [];
    for (const value of values) variants.push({ ...base, [name]: value });
  }
  return variants;
}

describe('catalogues', () => {
  it('have exactly the same keys', () => {
    expect(Object.keys(zhCN).sort()).toEqual(Object.keys(en).sort());
    expect(KEYS.length).toBeGreaterThan(150);
  });

  it('cover every outcome kind, refusal, state, choice, role and escalation level', () => {
    expect(nothingMissing).toBe(true);
    for (const field of INVALID_FIELDS) expect(KEYS).toContain(`refusal.invalid.${field}`);
  });

  it.each(LOCALES)(
    '%s: every message compiles and formats with the params it declares',
    (locale) => {
      for (const key of KEYS) {
        for (const params of paramVariants(argsOf(locale, key))) {
          const text = t(locale, key, params);
          expect(text.trim(), `${locale} ${key}`).not.toBe('');
          expect(text, `${locale} ${key}: unfilled placeholder`).not.toMatch(/[{}]/);
        }
      }
    },
  );

  it('declare the same params, and the same select branches, in both locales', () => {
    for (const key of KEYS) {
      const zh = argsOf('zh-CN', key);
      const english = argsOf('en', key);
      expect([...zh.keys()].sort(), key).toEqual([...english.keys()].sort());
      for (const [name, use] of english) {
        if (use.kind === 'select') expect(zh.get(name), `${key} {${name}}`).toEqual(use);
      }
    }
  });

  it('translate everything: zh-CN differs from en except pure formats', () => {
    const formats = new Set<MessageKey>(['status.proposal_line', 'points.entry']);
    const untranslated = KEYS.filter((k) => !formats.has(k) && zhCN[k] === en[k]);
    expect(untranslated).toEqual([]);
  });

  it('write zh-CN in simplified characters', () => {
    const traditional = [
      ...'議會區選單監規權數決進題務與這為時間說應請發參對過還個項聯辦執調費設態現開關樓棟戶錄碼線號無結達標業當記',
    ];
    const found = KEYS.flatMap((key) =>
      [...zhCN[key]].filter((c) => traditional.includes(c)).map((c) => `${key}: ${c}`),
    );
    expect(found).toEqual([]);
  });

  it('keep command arguments in English in zh-CN', () => {
    for (const key of KEYS) {
      expect(zhCN[key], key).not.toMatch(/\/vote \{number\} (赞成|反对|弃权)/);
      expect(zhCN[key], key).not.toMatch(/\/relay \{number\} \S+ (赞成|反对|弃权)/);
      expect(zhCN[key], key).not.toMatch(/\/survey \{number\} (满意|不满意)/);
      expect(zhCN[key], key).not.toMatch(/\/lang (中文|英文)/);
    }
  });

  it('give every /help line the syntax first (same in both locales), in at most 3 lines', () => {
    const helpKeys = KEYS.filter((k) => k.startsWith('help.'));
    expect(helpKeys.sort()).toEqual(
      [...HELP_COMMANDS.map((c) => `help.${c}`), 'help.heading', 'help.slack_hint'].sort(),
    );
    for (const command of HELP_COMMANDS) {
      const lines = LOCALES.map((locale) => t(locale, `help.${command}`).split('\n'));
      for (const text of lines) {
        expect(text.length, command).toBeGreaterThanOrEqual(2);
        expect(text.length, command).toBeLessThanOrEqual(3);
        expect(text[0]?.startsWith(`/${command}`), command).toBe(true);
      }
      expect(lines[0]?.[0], command).toBe(lines[1]?.[0]);
    }
  });

  it('reuse the domain category labels', () => {
    expect(categoryLabel('elevator', 'zh-CN')).toBe('加装电梯');
    expect(categoryLabel('property_fee', 'en')).toBe('Property fee changes');
  });
});

describe('t', () => {
  it('fills params, plurals, selects and percentages', () => {
    expect(t('zh-CN', 'card.proposal.cosigns', { count: 3, threshold: 10 })).toBe('附议 3/10');
    expect(t('en', 'card.proposal.cosigns', { count: 3, threshold: 10 })).toBe('Co-signs 3/10');
    expect(t('en', 'card.resolution.overdue', { days: 1 })).toBe('⚠️ Overdue by 1 day');
    expect(t('en', 'card.resolution.overdue', { days: 4 })).toBe('⚠️ Overdue by 4 days');
    expect(t('zh-CN', 'card.resolution.overdue', { days: 4 })).toBe('⚠️ 已逾期 4 天');
    expect(t('en', 'card.vote.turnout', { voted: 42, eligible: 100, turnout: 0.42 })).toBe(
      'Turnout so far: 42/100 (42%)',
    );
    expect(t('zh-CN', 'card.result.outcome', { result: 'no_quorum' })).toBe(
      '⚪ 参与人数不足，表决无效',
    );
    expect(
      t('en', 'survey.answered', {
        number: 7,
        satisfied: false,
        surveyClosesAt: 'Tue 8 Dec, 10:00',
      }),
    ).toBe(
      'Thank you: your answer on resolution #7 is recorded (not satisfied). You can change it until Tue 8 Dec, 10:00.',
    );
  });

  it('says what to do next, with command arguments in English', () => {
    const params = { building: '3', number: 12 };
    expect(t('en', 'refusal.not_allowed.own_building', params)).toBe(
      'Only the building representative of building 3 can relay this ballot. Ask them, or vote yourself with /vote 12 for',
    );
    expect(t('zh-CN', 'refusal.not_allowed.own_building', params)).toBe(
      '只有3号楼的楼栋议事代表可以代录这张选票。请联系代表，或自己投票：/vote 12 for',
    );
  });

  it('throws a YishiError naming the key when a param is missing', () => {
    expect(() => t('en', 'cosign.cosigned', { number: 1 })).toThrow(YishiError);
    expect(() => t('en', 'cosign.cosigned', { number: 1 })).toThrow(/cosign\.cosigned.*cosigns/);
  });

  it('caches compiled messages', () => {
    expect(compileMessage('en', 'help.help')).toBe(compileMessage('en', 'help.help'));
  });
});

describe('progressBar', () => {
  it('fills a share of the cells', () => {
    expect(progressBar(3, 10)).toBe('▓▓▓░░░░░░░');
    expect(progressBar(0, 10)).toBe('░░░░░░░░░░');
    expect(progressBar(10, 10)).toBe('▓▓▓▓▓▓▓▓▓▓');
    expect(progressBar(2, 4, 4)).toBe('▓▓░░');
  });

  it('shows any progress, is full only when complete, and tolerates odd input', () => {
    expect(progressBar(1, 300)).toBe('▓░░░░░░░░░');
    expect(progressBar(299, 300)).toBe('▓▓▓▓▓▓▓▓▓░');
    expect(progressBar(12, 10)).toBe('▓▓▓▓▓▓▓▓▓▓');
    expect(progressBar(3, 0)).toBe('░░░░░░░░░░');
    expect(progressBar(-1, 10)).toBe('░░░░░░░░░░');
    expect(progressBar(Number.NaN, 10)).toBe('░░░░░░░░░░');
    expect(progressBar(1, 2, 0)).toBe('');
  });
});

describe('formatDateTime and formatDate', () => {
  const at = new Date('2026-12-08T02:00:00Z');

  it('writes a moment in the community time zone', () => {
    expect(formatDateTime(at, 'zh-CN', 'Asia/Shanghai')).toBe('12月8日 周二 10:00');
    expect(formatDateTime(at, 'en', 'Asia/Shanghai')).toBe('Tue 8 Dec, 10:00');
    expect(formatDateTime(at, 'en', 'Europe/London')).toBe('Tue 8 Dec, 02:00');
    expect(formatDateTime(new Date('2026-08-31T16:05:00Z'), 'zh-CN', 'Asia/Shanghai')).toBe(
      '9月1日 周二 00:05',
    );
    expect(formatDateTime(new Date('2026-08-31T16:05:00Z'), 'en', 'Asia/Shanghai')).toBe(
      'Tue 1 Sep, 00:05',
    );
  });

  it('writes a day', () => {
    expect(formatDate(at, 'zh-CN', 'Asia/Shanghai')).toBe('12月8日 周二');
    expect(formatDate(at, 'en', 'Asia/Shanghai')).toBe('Tue 8 Dec');
  });
});

describe('formatList', () => {
  it('joins names the way each locale does', () => {
    expect(formatList(['物业', '业委会', '施工方'], 'zh-CN')).toBe('物业、业委会和施工方');
    expect(formatList(['Property', 'Owners', 'Builder'], 'en')).toBe(
      'Property, Owners and Builder',
    );
    expect(formatList([], 'en')).toBe('');
  });
});

describe('normalizeLocale', () => {
  it.each([
    ['zh', 'zh-CN'],
    ['zh-CN', 'zh-CN'],
    ['zh_cn', 'zh-CN'],
    ['CN', 'zh-CN'],
    [' 中文 ', 'zh-CN'],
    ['en', 'en'],
    ['English', 'en'],
    ['EN', 'en'],
  ])('%s -> %s', (text, locale) => {
    expect(normalizeLocale(text)).toBe(locale);
  });

  it.each(['', 'fr', 'zh-TW', 'constructor', 'english please'])('%j -> undefined', (text) => {
    expect(normalizeLocale(text)).toBeUndefined();
  });
});
