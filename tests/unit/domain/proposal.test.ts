import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY, type Policy, resolvePolicy } from '../../../src/domain/policy.ts';
import {
  applyCosign,
  checkBallotWindow,
  closeVoting,
  cosignThreshold,
  expire,
  newProposal,
  openVoting,
  type ProposalState,
  schedule,
  withdraw,
} from '../../../src/domain/proposal.ts';

const DAY = 86_400_000;
const t0 = new Date('2026-03-01T02:00:00.000Z');
const at = (ms: number) => new Date(t0.getTime() + ms);

function noticed(policy: Policy = DEFAULT_POLICY): ProposalState {
  const outcome = applyCosign(
    newProposal('alice', t0, policy),
    { eligibleCount: 10, cosignCount: 3 },
    at(DAY),
    policy,
  );
  if (outcome.kind !== 'agenda_reached') throw new Error(`expected agenda, got ${outcome.kind}`);
  return outcome.next;
}

function voting(policy: Policy = DEFAULT_POLICY): ProposalState {
  const outcome = openVoting(noticed(policy), at(8 * DAY), policy);
  if (outcome.kind !== 'opened') throw new Error(`expected opened, got ${outcome.kind}`);
  return outcome.next;
}

describe('cosignThreshold', () => {
  it('is ceil(30%) of the eligible voters, at least 1', () => {
    expect(cosignThreshold(100, DEFAULT_POLICY)).toBe(30);
    expect(cosignThreshold(7, DEFAULT_POLICY)).toBe(3);
    expect(cosignThreshold(1, DEFAULT_POLICY)).toBe(1);
    expect(cosignThreshold(0, DEFAULT_POLICY)).toBe(1);
  });
});

describe('applyCosign', () => {
  const fresh = newProposal('alice', t0, DEFAULT_POLICY);

  it('opens a 14-day co-sign window', () => {
    expect(fresh).toMatchObject({ state: 'collecting', authorId: 'alice', createdAt: t0 });
    expect(fresh.cosignDeadline).toEqual(at(14 * DAY));
  });

  it('counts co-signs under the threshold', () => {
    expect(
      applyCosign(fresh, { eligibleCount: 10, cosignCount: 2 }, at(DAY), DEFAULT_POLICY),
    ).toEqual({
      kind: 'counted',
      cosignCount: 2,
      threshold: 3,
    });
  });

  it('reaches the agenda at the threshold and schedules the vote after the notice period', () => {
    const outcome = applyCosign(
      fresh,
      { eligibleCount: 10, cosignCount: 3 },
      at(DAY),
      DEFAULT_POLICY,
    );
    expect(outcome).toMatchObject({
      kind: 'agenda_reached',
      agendaAt: at(DAY),
      votingOpensAt: at(8 * DAY),
      votingClosesAt: at(11 * DAY),
    });
    if (outcome.kind !== 'agenda_reached') return;
    expect(outcome.next).toMatchObject({
      state: 'noticed',
      agendaAt: at(DAY),
      votingOpensAt: at(8 * DAY),
    });
  });

  it('reaches the agenda with the author alone in a one-household community', () => {
    expect(applyCosign(fresh, { eligibleCount: 1, cosignCount: 1 }, t0, DEFAULT_POLICY).kind).toBe(
      'agenda_reached',
    );
  });

  it('reaches the agenda once: later co-signs find it no longer collecting', () => {
    expect(
      applyCosign(noticed(), { eligibleCount: 10, cosignCount: 4 }, at(DAY), DEFAULT_POLICY),
    ).toEqual({
      kind: 'not_collecting',
      state: 'noticed',
    });
  });

  it('refuses co-signs from the deadline on', () => {
    const outcome = applyCosign(
      fresh,
      { eligibleCount: 10, cosignCount: 3 },
      at(14 * DAY),
      DEFAULT_POLICY,
    );
    expect(outcome).toEqual({ kind: 'window_closed', cosignDeadline: at(14 * DAY) });
  });
});

describe('expire', () => {
  const fresh = newProposal('alice', t0, DEFAULT_POLICY);

  it('expires a collecting proposal at its deadline, not before', () => {
    expect(expire(fresh, at(14 * DAY - 1))).toEqual({
      kind: 'not_yet',
      cosignDeadline: at(14 * DAY),
    });
    expect(expire(fresh, at(14 * DAY))).toMatchObject({
      kind: 'expired',
      next: { state: 'expired', closedAt: at(14 * DAY) },
    });
  });

  it('leaves a proposal on the agenda alone', () => {
    expect(expire(noticed(), at(20 * DAY))).toEqual({ kind: 'wrong_state', state: 'noticed' });
  });
});

describe('schedule', () => {
  it('refuses an opening earlier than agenda + notice period, naming the earliest', () => {
    expect(schedule(noticed(), at(8 * DAY - 1), at(2 * DAY), DEFAULT_POLICY)).toEqual({
      kind: 'too_early',
      earliestAt: at(8 * DAY),
    });
  });

  it('moves the opening later, and the close with it', () => {
    expect(schedule(noticed(), at(10 * DAY), at(2 * DAY), DEFAULT_POLICY)).toMatchObject({
      kind: 'scheduled',
      votingOpensAt: at(10 * DAY),
      votingClosesAt: at(13 * DAY),
      next: { state: 'noticed', votingOpensAt: at(10 * DAY), votingClosesAt: at(13 * DAY) },
    });
  });

  it('refuses an opening in the past even when the notice period has run', () => {
    expect(schedule(noticed(), at(9 * DAY), at(9 * DAY + 5), DEFAULT_POLICY)).toEqual({
      kind: 'too_early',
      earliestAt: at(9 * DAY + 5),
    });
  });

  it('works only on the agenda or noticed', () => {
    const fresh = newProposal('alice', t0, DEFAULT_POLICY);
    expect(schedule(fresh, at(20 * DAY), t0, DEFAULT_POLICY)).toEqual({
      kind: 'wrong_state',
      state: 'collecting',
    });
    expect(schedule(voting(), at(20 * DAY), at(8 * DAY), DEFAULT_POLICY).kind).toBe('wrong_state');
  });
});

describe('openVoting', () => {
  it('opens at the scheduled time, not before', () => {
    expect(openVoting(noticed(), at(8 * DAY - 1), DEFAULT_POLICY)).toEqual({
      kind: 'not_yet',
      votingOpensAt: at(8 * DAY),
    });
    expect(openVoting(noticed(), at(8 * DAY + 60_000), DEFAULT_POLICY)).toMatchObject({
      kind: 'opened',
      votingClosesAt: at(11 * DAY),
      next: { state: 'voting' },
    });
  });

  it('refuses other states', () => {
    expect(openVoting(voting(), at(9 * DAY), DEFAULT_POLICY)).toEqual({
      kind: 'wrong_state',
      state: 'voting',
    });
  });
});

describe('checkBallotWindow', () => {
  it('is open from opening until the close time (exclusive)', () => {
    expect(checkBallotWindow(noticed(), at(8 * DAY))).toEqual({
      kind: 'not_open',
      state: 'noticed',
    });
    expect(checkBallotWindow(voting(), at(11 * DAY - 1)).kind).toBe('open');
    expect(checkBallotWindow(voting(), at(11 * DAY)).kind).toBe('closed');
  });
});

describe('closeVoting', () => {
  const ballots = (yes: number, no: number, eligibleCount = 10) => ({
    counts: { for: yes, against: no, abstain: 0 },
    eligibleCount,
  });

  it('waits for the close time', () => {
    expect(closeVoting(voting(), ballots(7, 0), at(11 * DAY - 1), DEFAULT_POLICY)).toEqual({
      kind: 'not_yet',
      votingClosesAt: at(11 * DAY),
    });
  });

  it('ends passed, rejected or without quorum by the tally', () => {
    const close = (yes: number, no: number) =>
      closeVoting(voting(), ballots(yes, no), at(11 * DAY), DEFAULT_POLICY);
    expect(close(7, 0)).toMatchObject({
      kind: 'closed',
      result: { kind: 'passed' },
      next: { state: 'passed' },
    });
    expect(close(4, 3)).toMatchObject({
      result: { kind: 'rejected' },
      next: { state: 'rejected' },
    });
    expect(close(6, 0)).toMatchObject({
      result: { kind: 'no_quorum' },
      next: { state: 'no_quorum', closedAt: at(11 * DAY) },
    });
  });

  it('refuses a proposal that is not voting', () => {
    expect(closeVoting(noticed(), ballots(7, 0), at(20 * DAY), DEFAULT_POLICY).kind).toBe(
      'wrong_state',
    );
  });
});

describe('withdraw', () => {
  const fresh = newProposal('alice', t0, DEFAULT_POLICY);
  const author = { residentId: 'alice', isCommittee: false };
  const committee = { residentId: 'carol', isCommittee: true };
  const neighbour = { residentId: 'bob', isCommittee: false };

  it('lets the author withdraw while collecting', () => {
    expect(withdraw(fresh, author, at(DAY))).toMatchObject({
      kind: 'withdrawn',
      next: { state: 'withdrawn', closedAt: at(DAY) },
    });
  });

  it('sends the author to the committee once on the agenda', () => {
    expect(withdraw(noticed(), author, at(2 * DAY))).toEqual({
      kind: 'author_after_collecting',
      state: 'noticed',
    });
    expect(withdraw(noticed(), committee, at(2 * DAY)).kind).toBe('withdrawn');
  });

  it('refuses anyone else, and everyone once voting opened', () => {
    expect(withdraw(fresh, neighbour, at(DAY))).toEqual({ kind: 'not_author_or_committee' });
    expect(withdraw(voting(), committee, at(9 * DAY))).toEqual({
      kind: 'wrong_state',
      state: 'voting',
    });
  });
});

describe('a 2 s notice period and 3 s window', () => {
  it('runs noticed → voting → passed on policy data alone', () => {
    const resolved = resolvePolicy({ noticePeriod: '2s', votingWindow: '3s' });
    if (!resolved.ok) throw new Error(resolved.errors.join('; '));
    const policy = resolved.policy;
    const start = newProposal('alice', t0, policy);
    const agenda = applyCosign(start, { eligibleCount: 10, cosignCount: 3 }, t0, policy);
    if (agenda.kind !== 'agenda_reached') throw new Error(agenda.kind);
    expect(openVoting(agenda.next, at(1_999), policy).kind).toBe('not_yet');
    const opened = openVoting(agenda.next, at(2_000), policy);
    if (opened.kind !== 'opened') throw new Error(opened.kind);
    expect(opened.votingClosesAt).toEqual(at(5_000));
    const closed = closeVoting(
      opened.next,
      { counts: { for: 7, against: 1, abstain: 0 }, eligibleCount: 10 },
      at(5_000),
      policy,
    );
    expect(closed).toMatchObject({ kind: 'closed', next: { state: 'passed' } });
  });
});
