/**
 * Use case outcomes -> the lines of a reply (locale keys with display-ready
 * params). Each function switches exhaustively on the outcome's `kind`, so a
 * new outcome is a type error here until it has words.
 */
import type { AnswerSurveyOutcome } from '../app/answer-survey.ts';
import type { AssignResolutionOutcome } from '../app/assign-resolution.ts';
import { MILESTONE_TITLE_MAX, MILESTONES_MAX } from '../app/assign-resolution.ts';
import type { CastVoteOutcome } from '../app/cast-vote.ts';
import type { CompleteResolutionOutcome } from '../app/complete-resolution.ts';
import type { Refusal } from '../app/core.ts';
import type { CosignOutcome } from '../app/cosign.ts';
import type { JoinOutcome } from '../app/join-household.ts';
import type { MessageLine } from '../app/ports/delivery.ts';
import type { Choice, ProposalStateName, ResolutionStateName } from '../app/ports/store.ts';
import { BODY_MAX, type ProposeOutcome, TITLE_MAX } from '../app/propose.ts';
import { PAPER_REF_MAX, type RelayVoteOutcome } from '../app/relay-vote.ts';
import { NOTE_MAX, type ReportProgressOutcome } from '../app/report-progress.ts';
import type { ScheduleVoteOutcome } from '../app/schedule-vote.ts';
import type { WithdrawOutcome } from '../app/withdraw-proposal.ts';
import { DEFAULT_POLICY } from '../domain/policy.ts';
import {
  COMMAND_PREFIX_PARAM,
  categoryLabel,
  DEFAULT_COMMAND_PREFIX,
  formatDateTime,
  formatList,
  type Locale,
  type MessageKey,
  type MessageParams,
  t,
} from '../i18n/translate.ts';

/** What a reply needs to word dates and labels. */
export type ReplyContext = {
  locale: Locale;
  /** The community's IANA time zone. */
  timezone: string;
  /** The command, for refusals that name it (`/assign`). */
  command: string;
  /** How the platform starts a command (`/`, `/yishi `); default `/`. */
  commandPrefix?: string | undefined;
};

const line = (key: MessageKey, params: MessageParams = {}): MessageLine[] => [
  { key, params: { ...params } },
];

const when = (iso: string | null, c: ReplyContext) =>
  iso ? formatDateTime(new Date(iso), c.locale, c.timezone) : '';
const proposalState = (state: ProposalStateName, c: ReplyContext) =>
  t(c.locale, `state.proposal.${state}`);
const resolutionState = (state: ResolutionStateName, c: ReplyContext) =>
  t(c.locale, `state.resolution.${state}`);
const choiceLabel = (choice: Choice, c: ReplyContext) => t(c.locale, `choice.${choice}`);

// The limits the core checks, for the refusal that names them.
const MAX_BY_FIELD: Readonly<Record<string, number>> = {
  title: TITLE_MAX,
  body: BODY_MAX,
  paperRef: PAPER_REF_MAX,
  note: NOTE_MAX,
  milestones: MILESTONES_MAX,
  'milestones.title': MILESTONE_TITLE_MAX,
};

const INVALID_KEYS: ReadonlySet<string> = new Set([
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
]);

/** A refusal of the core, saying what to do instead. `number` is the proposal the command named. */
export function refusalLines(r: Refusal, c: ReplyContext, number = 0): MessageLine[] {
  switch (r.kind) {
    case 'not_joined':
      return line('refusal.not_joined');
    case 'chat_not_bound':
      return line('refusal.chat_not_bound');
    case 'proposal_unknown':
      return line('refusal.proposal_unknown', { number: r.number });
    case 'not_allowed':
      return line(`refusal.not_allowed.${r.need}`, {
        command: c.command,
        number,
        building: '',
      });
    case 'invalid': {
      const field = r.field.replace(/\[\d+\]/g, '');
      if (!INVALID_KEYS.has(field)) {
        return line('refusal.invalid.arguments', {
          usage: usageOf(c.command, c.locale, c.commandPrefix),
        });
      }
      return line(`refusal.invalid.${field}` as MessageKey, {
        reason: r.reason === 'empty' ? 'empty' : r.reason,
        max: MAX_BY_FIELD[field] ?? 0,
        number,
        command: c.command,
        categories: categoryList(c.locale),
      });
    }
  }
}

function categoryList(locale: Locale): string {
  return formatList(
    [...new Set([...DEFAULT_POLICY.categories, 'other'])].map(
      (slug) => `#${slug} ${categoryLabel(slug, locale)}`,
    ),
    locale,
  );
}

/** The first line of `/help` for a command: its syntax, in the platform's form (`prefix`, default `/`). */
export function usageOf(command: string, locale: Locale, prefix?: string): string {
  const key = `help.${command}` as MessageKey;
  const cmd = prefix ?? DEFAULT_COMMAND_PREFIX;
  try {
    return t(locale, key, { [COMMAND_PREFIX_PARAM]: cmd }).split('\n')[0] ?? `${cmd}${command}`;
  } catch {
    return `${cmd}${command}`;
  }
}

const isRefusal = (o: { kind: string }): o is Refusal =>
  ['not_joined', 'chat_not_bound', 'proposal_unknown', 'not_allowed', 'invalid'].includes(o.kind);

export function joinLines(o: JoinOutcome): MessageLine[] {
  switch (o.kind) {
    case 'joined':
      return line('join.joined', {
        unit: o.unit,
        building: o.building,
        communityName: o.communityName,
      });
    case 'already_linked':
      return line('join.already_linked', { unit: o.unit, building: o.building });
    case 'code_unknown':
    case 'code_used':
    case 'code_malformed':
      return line(`join.${o.kind}`);
  }
}

export function proposeLines(o: ProposeOutcome, c: ReplyContext): MessageLine[] {
  if (isRefusal(o)) return refusalLines(o, c);
  const params = {
    number: o.number,
    title: o.title,
    cosigns: o.cosigns,
    threshold: o.threshold,
    cosignDeadline: when(o.cosignDeadline, c),
    votingOpensAt: when(o.votingOpensAt, c),
  };
  return line(o.state === 'noticed' ? 'propose.proposed_noticed' : 'propose.proposed', params);
}

export function cosignLines(o: CosignOutcome, c: ReplyContext, number: number): MessageLine[] {
  switch (o.kind) {
    case 'cosigned':
      return line(o.agendaReached ? 'cosign.cosigned_agenda' : 'cosign.cosigned', {
        number: o.number,
        cosigns: o.cosigns,
        threshold: o.threshold,
        votingOpensAt: when(o.votingOpensAt, c),
      });
    case 'already_cosigned':
      return line('cosign.already_cosigned', {
        number: o.number,
        cosigns: o.cosigns,
        threshold: o.threshold,
      });
    case 'not_collecting':
      return line('cosign.not_collecting', {
        number: o.number,
        state: proposalState(o.state, c),
      });
    case 'window_closed':
      return line('cosign.window_closed', {
        number: o.number,
        cosignDeadline: when(o.cosignDeadline, c),
      });
    default:
      return refusalLines(o, c, number);
  }
}

export function scheduleLines(
  o: ScheduleVoteOutcome,
  c: ReplyContext,
  number: number,
): MessageLine[] {
  switch (o.kind) {
    case 'scheduled':
      return line('schedule.scheduled', {
        number: o.number,
        votingOpensAt: when(o.votingOpensAt, c),
        votingClosesAt: when(o.votingClosesAt, c),
      });
    case 'too_early':
      return line('schedule.too_early', { number: o.number, earliestAt: when(o.earliestAt, c) });
    case 'wrong_state':
      return line('schedule.wrong_state', { number: o.number, state: proposalState(o.state, c) });
    default:
      return refusalLines(o, c, number);
  }
}

/** `/vote` or a ballot button; `reveals` tells whether the words name the choice. */
export function voteLines(
  o: CastVoteOutcome,
  c: ReplyContext,
  number: number,
): { lines: MessageLine[]; reveals: boolean } {
  switch (o.kind) {
    case 'recorded': {
      const key = o.supersededRelay
        ? 'vote.recorded_superseded_relay'
        : o.changed
          ? 'vote.recorded_changed'
          : 'vote.recorded';
      return {
        lines: line(key, { number: o.number, choice: choiceLabel(o.choice, c) }),
        reveals: true,
      };
    }
    case 'already_recorded':
      return {
        lines: line('vote.already_recorded', {
          number: o.number,
          choice: choiceLabel(o.choice, c),
        }),
        reveals: true,
      };
    case 'relay_refused_own_ballot':
    case 'relay_refused_other_representative':
    case 'not_eligible':
      return { lines: line(`vote.${o.kind}`, { number: o.number }), reveals: false };
    case 'vote_not_open':
      return {
        lines: line('vote.vote_not_open', { number: o.number, state: proposalState(o.state, c) }),
        reveals: false,
      };
    case 'vote_closed':
      return {
        lines: line('vote.vote_closed', { number: o.number, closedAt: when(o.closedAt, c) }),
        reveals: false,
      };
    default:
      return { lines: refusalLines(o, c, number), reveals: false };
  }
}

export function relayLines(
  o: RelayVoteOutcome,
  c: ReplyContext,
  input: { number: number; unit: string; paperRef: string },
): { lines: MessageLine[]; reveals: boolean } {
  const base = { number: input.number, unit: input.unit, paperRef: input.paperRef };
  switch (o.kind) {
    case 'recorded':
      return {
        lines: line(o.changed ? 'relay.recorded_changed' : 'relay.recorded', {
          ...base,
          number: o.number,
          choice: choiceLabel(o.choice, c),
        }),
        reveals: true,
      };
    case 'already_recorded':
      return {
        lines: line('relay.already_recorded', {
          ...base,
          number: o.number,
          choice: choiceLabel(o.choice, c),
        }),
        reveals: true,
      };
    case 'relay_refused_own_ballot':
    case 'relay_refused_other_representative':
    case 'not_eligible':
      return { lines: line(`relay.${o.kind}`, { ...base, number: o.number }), reveals: false };
    case 'vote_not_open':
      return {
        lines: line('relay.vote_not_open', {
          ...base,
          number: o.number,
          state: proposalState(o.state, c),
        }),
        reveals: false,
      };
    case 'vote_closed':
      return {
        lines: line('relay.vote_closed', {
          ...base,
          number: o.number,
          closedAt: when(o.closedAt, c),
        }),
        reveals: false,
      };
    case 'unit_unknown':
      return { lines: line('relay.unit_unknown', { unit: o.unit }), reveals: false };
    case 'other_building':
      return {
        lines: line('relay.other_building', { ...base, unit: o.unit, building: o.building }),
        reveals: false,
      };
    default:
      return { lines: refusalLines(o, c, input.number), reveals: false };
  }
}

export function withdrawLines(o: WithdrawOutcome, c: ReplyContext, number: number): MessageLine[] {
  switch (o.kind) {
    case 'withdrawn':
      return line('withdraw.withdrawn', { number: o.number });
    case 'author_after_collecting':
    case 'wrong_state':
      return line(`withdraw.${o.kind}`, { number: o.number, state: proposalState(o.state, c) });
    default:
      return refusalLines(o, c, number);
  }
}

export function assignLines(
  o: AssignResolutionOutcome,
  c: ReplyContext,
  number: number,
): MessageLine[] {
  switch (o.kind) {
    case 'assigned':
      return line('assign.assigned', {
        number: o.number,
        lead: o.lead,
        coopCount: o.coop.length,
        coop: formatList(o.coop, c.locale),
        dueAt: when(o.dueAt, c),
      });
    case 'not_passed':
      return line('assign.not_passed', { number: o.number, state: proposalState(o.state, c) });
    case 'already_assigned':
      return line('assign.already_assigned', { number: o.number });
    case 'unit_unknown':
      return line('assign.unit_unknown', { name: o.name, number });
    default:
      return refusalLines(o, c, number);
  }
}

export function progressLines(
  o: ReportProgressOutcome,
  c: ReplyContext,
  number: number,
): MessageLine[] {
  switch (o.kind) {
    case 'reported':
      return line('progress.reported', {
        number: o.number,
        previousPercent: o.previousPercent,
        percent: o.percent,
      });
    case 'resolution_unknown':
      return line('progress.resolution_unknown', { number: o.number });
    case 'already_done':
      return line('progress.already_done', {
        number: o.number,
        state: resolutionState(o.state, c),
      });
    default:
      return refusalLines(o, c, number);
  }
}

export function doneLines(
  o: CompleteResolutionOutcome,
  c: ReplyContext,
  number: number,
): MessageLine[] {
  switch (o.kind) {
    case 'completed':
      return line('done.completed', {
        number: o.number,
        surveyClosesAt: when(o.surveyClosesAt, c),
      });
    case 'resolution_unknown':
      return line('done.resolution_unknown', { number: o.number });
    case 'already_done':
      return line('done.already_done', { number: o.number, state: resolutionState(o.state, c) });
    default:
      return refusalLines(o, c, number);
  }
}

export function surveyLines(
  o: AnswerSurveyOutcome,
  c: ReplyContext,
  number: number,
): MessageLine[] {
  switch (o.kind) {
    case 'answered':
      return line('survey.answered', {
        number: o.number,
        satisfied: o.satisfied,
        surveyClosesAt: when(o.surveyClosesAt, c),
      });
    case 'resolution_unknown':
      return line('survey.resolution_unknown', { number: o.number });
    case 'no_survey':
      return line('survey.no_survey', { number: o.number, state: resolutionState(o.state, c) });
    case 'survey_closed':
      return line('survey.survey_closed', {
        number: o.number,
        surveyClosesAt: when(o.surveyClosesAt, c),
      });
    default:
      return refusalLines(o, c, number);
  }
}
