/**
 * Every outcome of every use case has words in both locales: rendering one
 * with a missing param would throw (src/i18n `t`), so each kind is rendered here.
 */
import { describe, expect, it } from 'vitest';
import { renderReply } from '../../../bots/telegram/render.ts';
import type { Refusal } from '../../../src/app/core.ts';
import type { MessageLine } from '../../../src/app/ports/delivery.ts';
import {
  assignLines,
  cosignLines,
  doneLines,
  joinLines,
  progressLines,
  proposeLines,
  type ReplyContext,
  refusalLines,
  relayLines,
  scheduleLines,
  surveyLines,
  voteLines,
  withdrawLines,
} from '../../../src/chat/replies.ts';
import { LOCALES } from '../../../src/i18n/translate.ts';

const ISO = '2026-12-08T11:30:00.000Z';
const publish = [{ kind: 'proposal_card' as const, communityId: 'c', number: 3 }];

const refusals: Refusal[] = [
  { kind: 'not_joined' },
  { kind: 'chat_not_bound' },
  { kind: 'proposal_unknown', number: 3 },
  { kind: 'not_allowed', need: 'committee' },
  { kind: 'not_allowed', need: 'representative' },
  { kind: 'not_allowed', need: 'author_or_committee' },
  { kind: 'not_allowed', need: 'lead_unit_executor' },
  { kind: 'not_allowed', need: 'own_building' },
  { kind: 'invalid', field: 'title', reason: 'empty' },
  { kind: 'invalid', field: 'title', reason: 'longer than 80' },
  { kind: 'invalid', field: 'body', reason: 'longer than 1500' },
  { kind: 'invalid', field: 'category', reason: 'nope' },
  { kind: 'invalid', field: 'opensAt', reason: 'time_missing' },
  { kind: 'invalid', field: 'paperRef', reason: 'empty' },
  { kind: 'invalid', field: 'unit', reason: 'relay_needs_household_voters' },
  { kind: 'invalid', field: 'lead', reason: 'empty' },
  { kind: 'invalid', field: 'due', reason: 'in_past' },
  { kind: 'invalid', field: 'milestones', reason: 'more than 20' },
  { kind: 'invalid', field: 'milestones[2].title', reason: 'empty' },
  { kind: 'invalid', field: 'milestones[0].due', reason: 'invalid_date' },
  { kind: 'invalid', field: 'note', reason: 'empty' },
  { kind: 'invalid', field: 'percent', reason: 'x' },
  { kind: 'invalid', field: 'answer', reason: 'x' },
  { kind: 'invalid', field: 'something_new', reason: 'x' },
];

function everyLine(c: ReplyContext): MessageLine[][] {
  const base = { number: 3 };
  return [
    ...refusals.map((r) => refusalLines(r, c, 3)),
    joinLines({
      kind: 'joined',
      communityId: 'c',
      communityName: '幸福里',
      building: '3',
      unit: '201',
      residentId: 'r',
    }),
    joinLines({ kind: 'already_linked', building: '3', unit: '201' }),
    joinLines({ kind: 'code_unknown' }),
    joinLines({ kind: 'code_used' }),
    joinLines({ kind: 'code_malformed' }),
    ...(['collecting', 'noticed'] as const).map((state) =>
      proposeLines(
        {
          kind: 'proposed',
          number: 3,
          title: 'T',
          state,
          cosigns: 1,
          threshold: 3,
          cosignDeadline: ISO,
          votingOpensAt: state === 'noticed' ? ISO : null,
          publish,
        },
        c,
      ),
    ),
    ...[true, false].map((agendaReached) =>
      cosignLines(
        {
          kind: 'cosigned',
          number: 3,
          cosigns: 2,
          threshold: 3,
          agendaReached,
          votingOpensAt: agendaReached ? ISO : null,
          publish,
        },
        c,
        3,
      ),
    ),
    cosignLines({ kind: 'already_cosigned', number: 3, cosigns: 2, threshold: 3 }, c, 3),
    cosignLines({ kind: 'not_collecting', number: 3, state: 'voting' }, c, 3),
    cosignLines({ kind: 'window_closed', number: 3, cosignDeadline: ISO }, c, 3),
    scheduleLines(
      { kind: 'scheduled', number: 3, votingOpensAt: ISO, votingClosesAt: ISO, publish },
      c,
      3,
    ),
    scheduleLines({ kind: 'too_early', number: 3, earliestAt: ISO }, c, 3),
    scheduleLines({ kind: 'wrong_state', number: 3, state: 'voting' }, c, 3),
    ...[
      { changed: false, supersededRelay: false },
      { changed: true, supersededRelay: false },
      { changed: true, supersededRelay: true },
    ].map(
      (flags) =>
        voteLines({ kind: 'recorded', ...base, choice: 'abstain', ...flags, publish }, c, 3).lines,
    ),
    voteLines({ kind: 'already_recorded', ...base, choice: 'for' }, c, 3).lines,
    voteLines({ kind: 'relay_refused_own_ballot', ...base }, c, 3).lines,
    voteLines({ kind: 'relay_refused_other_representative', ...base }, c, 3).lines,
    voteLines({ kind: 'vote_not_open', ...base, state: 'noticed', votingOpensAt: ISO }, c, 3).lines,
    voteLines({ kind: 'vote_closed', ...base, closedAt: ISO }, c, 3).lines,
    voteLines({ kind: 'not_eligible', ...base }, c, 3).lines,
    ...(
      [
        {
          kind: 'recorded',
          ...base,
          choice: 'for',
          changed: false,
          supersededRelay: false,
          publish,
        },
        {
          kind: 'recorded',
          ...base,
          choice: 'for',
          changed: true,
          supersededRelay: false,
          publish,
        },
        { kind: 'already_recorded', ...base, choice: 'for' },
        { kind: 'relay_refused_own_ballot', ...base },
        { kind: 'relay_refused_other_representative', ...base },
        { kind: 'vote_not_open', ...base, state: 'collecting', votingOpensAt: null },
        { kind: 'vote_closed', ...base, closedAt: ISO },
        { kind: 'not_eligible', ...base },
        { kind: 'unit_unknown', unit: '9-999' },
        { kind: 'other_building', unit: '9-999', building: '3' },
      ] as const
    ).map((o) => relayLines(o, c, { number: 3, unit: '201', paperRef: 'P-7' }).lines),
    withdrawLines({ kind: 'withdrawn', number: 3, publish }, c, 3),
    withdrawLines({ kind: 'author_after_collecting', number: 3, state: 'noticed' }, c, 3),
    withdrawLines({ kind: 'wrong_state', number: 3, state: 'voting' }, c, 3),
    assignLines(
      { kind: 'assigned', number: 3, lead: '物业', coop: ['业委会', '城管'], dueAt: ISO, publish },
      c,
      3,
    ),
    assignLines({ kind: 'assigned', number: 3, lead: '物业', coop: [], dueAt: ISO, publish }, c, 3),
    assignLines({ kind: 'not_passed', number: 3, state: 'rejected' }, c, 3),
    assignLines({ kind: 'already_assigned', number: 3 }, c, 3),
    assignLines({ kind: 'unit_unknown', name: '不存在' }, c, 3),
    progressLines(
      {
        kind: 'reported',
        number: 3,
        percent: 60,
        previousPercent: 40,
        state: 'in_progress',
        publish,
      },
      c,
      3,
    ),
    progressLines({ kind: 'resolution_unknown', number: 3 }, c, 3),
    progressLines({ kind: 'already_done', number: 3, state: 'done' }, c, 3),
    doneLines({ kind: 'completed', number: 3, doneAt: ISO, surveyClosesAt: ISO, publish }, c, 3),
    doneLines({ kind: 'resolution_unknown', number: 3 }, c, 3),
    doneLines({ kind: 'already_done', number: 3, state: 'evaluated' }, c, 3),
    surveyLines(
      {
        kind: 'answered',
        number: 3,
        satisfied: true,
        counts: { satisfied: 1, answered: 1 },
        surveyClosesAt: ISO,
        publish,
      },
      c,
      3,
    ),
    surveyLines({ kind: 'resolution_unknown', number: 3 }, c, 3),
    surveyLines({ kind: 'no_survey', number: 3, state: 'in_progress' }, c, 3),
    surveyLines({ kind: 'survey_closed', number: 3, surveyClosesAt: ISO }, c, 3),
  ];
}

describe('replies', () => {
  it.each(LOCALES)('render every outcome kind in %s, with no placeholder left', (locale) => {
    const c: ReplyContext = { locale, timezone: 'Asia/Shanghai', command: 'assign' };
    for (const lines of everyLine(c)) {
      expect(lines.length).toBeGreaterThan(0);
      const html = renderReply(locale, lines);
      expect(html.trim()).not.toBe('');
      expect(html).not.toMatch(/[{}]/);
    }
  });

  it('word dates in the community time zone and states and choices as labels', () => {
    const zh: ReplyContext = { locale: 'zh-CN', timezone: 'Asia/Shanghai', command: 'vote' };
    const recorded = voteLines(
      {
        kind: 'recorded',
        number: 3,
        choice: 'against',
        changed: false,
        supersededRelay: false,
        publish,
      },
      zh,
      3,
    );
    expect(renderReply('zh-CN', recorded.lines)).toBe(
      '您对 #3 的投票已记录：反对。表决截止前可以改票。',
    );
    expect(recorded.reveals).toBe(true);
    expect(
      renderReply(
        'zh-CN',
        cosignLines({ kind: 'window_closed', number: 3, cosignDeadline: ISO }, zh, 3),
      ),
    ).toContain('12月8日 周二 19:30');
    expect(
      renderReply(
        'en',
        refusalLines(
          { kind: 'not_allowed', need: 'committee' },
          {
            locale: 'en',
            timezone: 'UTC',
            command: 'assign',
          },
        ),
      ),
    ).toBe(
      'Only the residents’ committee can use /assign. Ask a committee member to do it; /help lists what you can do.',
    );
    expect(
      renderReply(
        'en',
        refusalLines(
          { kind: 'invalid', field: 'title', reason: 'longer than 80' },
          {
            locale: 'en',
            timezone: 'UTC',
            command: 'propose',
          },
        ),
      ),
    ).toBe(
      'The title is too long (at most 80 characters). Keep it short and put the details on the following lines.',
    );
  });
});
