/**
 * The use cases' rules against in-memory ports and a fixed clock: what a
 * resident sees for each step of a proposal's life, without a database.
 * (The same rules under real concurrency are covered in tests/integration/core.)
 */
import { describe, expect, it } from 'vitest';
import { assignResolution } from '../../../src/app/assign-resolution.ts';
import { castVote } from '../../../src/app/cast-vote.ts';
import { cosign } from '../../../src/app/cosign.ts';
import { closeVote, expireProposal, openVote } from '../../../src/app/deadlines.ts';
import { propose } from '../../../src/app/propose.ts';
import { relayVote } from '../../../src/app/relay-vote.ts';
import { reportProgress } from '../../../src/app/report-progress.ts';
import { scheduleVote } from '../../../src/app/schedule-vote.ts';
import { withdrawProposal } from '../../../src/app/withdraw-proposal.ts';
import { type MemoryCommunity, memoryCommunity } from '../../support/memory-store.ts';

const HOUR = 3600_000;
const POLICY = { noticePeriod: '2h', votingWindow: '1h', cosignWindow: '24h' };

async function proposed(c: MemoryCommunity, author = 5) {
  const outcome = await propose(c.deps, {
    actor: c.as(author),
    title: '加装电梯',
    category: 'elevator',
  });
  if (outcome.kind !== 'proposed') throw new Error(JSON.stringify(outcome));
  return outcome;
}

/** Co-signs from households 1.. until the threshold, then opens the vote after the notice. */
async function voting(c: MemoryCommunity) {
  const p = await proposed(c, 0);
  for (let i = 1; i < p.threshold; i++) await cosign(c.deps, { actor: c.as(i), number: p.number });
  c.clock.advance(2 * HOUR);
  const opened = await openVote(c.deps, { communityId: c.communityId, number: p.number });
  expect(opened.kind).toBe('opened');
  return p.number;
}

describe('proposing and co-signing (in memory)', () => {
  it('numbers proposals per community, counts the author as first co-signer and needs 30% of 10 = 3', async () => {
    const c = memoryCommunity({ households: 10, policy: POLICY });
    const first = await proposed(c);
    const second = await proposed(c);
    expect([first.number, second.number]).toEqual([1, 2]);
    expect(first).toMatchObject({ state: 'collecting', cosigns: 1, threshold: 3 });
    expect(c.state.current.outbox.map((o) => [o.number, o.kind, o.announcement])).toEqual([
      [1, 'proposal_card', false],
      [2, 'proposal_card', false],
    ]);
  });

  it('refuses an empty title and stores nothing', async () => {
    const c = memoryCommunity({ households: 10 });
    const outcome = await propose(c.deps, { actor: c.as(0), title: '   ' });
    expect(outcome).toEqual({ kind: 'invalid', field: 'title', reason: 'empty' });
    expect(c.state.current.proposals).toHaveLength(0);
    expect(c.state.current.audit).toHaveLength(0);
  });

  it('reaching the threshold schedules the vote one notice period later; a second co-sign of a household is refused', async () => {
    const c = memoryCommunity({ households: 10, policy: POLICY });
    const p = await proposed(c, 0);
    expect((await cosign(c.deps, { actor: c.as(0), number: p.number })).kind).toBe(
      'already_cosigned',
    );
    await cosign(c.deps, { actor: c.as(1), number: p.number });
    const third = await cosign(c.deps, { actor: c.as(2), number: p.number });
    const agendaAt = c.clock.now().getTime();
    expect(third).toMatchObject({
      kind: 'cosigned',
      cosigns: 3,
      agendaReached: true,
      votingOpensAt: new Date(agendaAt + 2 * HOUR).toISOString(),
    });
    expect((await cosign(c.deps, { actor: c.as(3), number: p.number })).kind).toBe(
      'not_collecting',
    );
  });

  it('a proposal short of co-signs expires only once its window has ended', async () => {
    const c = memoryCommunity({ households: 10, policy: POLICY });
    const p = await proposed(c);
    const target = { communityId: c.communityId, number: p.number };
    c.clock.advance(23 * HOUR);
    expect(await expireProposal(c.deps, target)).toMatchObject({ kind: 'unchanged' });
    c.clock.advance(HOUR);
    expect((await expireProposal(c.deps, target)).kind).toBe('expired');
    expect(c.state.current.outbox.at(-1)).toMatchObject({
      kind: 'proposal_card',
      announcement: true,
    });
    expect((await cosign(c.deps, { actor: c.as(1), number: p.number })).kind).toBe(
      'not_collecting',
    );
  });

  it('only the author or the committee may withdraw', async () => {
    const c = memoryCommunity({ households: 10 });
    const p = await proposed(c, 5);
    expect(await withdrawProposal(c.deps, { actor: c.as(6), number: p.number })).toMatchObject({
      kind: 'not_allowed',
    });
    expect((await withdrawProposal(c.deps, { actor: c.as(5), number: p.number })).kind).toBe(
      'withdrawn',
    );
  });

  it('the committee cannot schedule a vote earlier than the notice period allows', async () => {
    const c = memoryCommunity({ households: 10, policy: POLICY });
    const p = await proposed(c, 0);
    for (const i of [1, 2]) await cosign(c.deps, { actor: c.as(i), number: p.number });
    const early = new Date(c.clock.now().getTime() + HOUR).toISOString();
    expect(
      await scheduleVote(c.deps, { actor: c.as(0), number: p.number, opensAt: early }),
    ).toMatchObject({ kind: 'too_early' });
    expect(
      await scheduleVote(c.deps, { actor: c.as(5), number: p.number, opensAt: early }),
    ).toEqual({ kind: 'not_allowed', need: 'committee' });
  });
});

describe('voting (in memory)', () => {
  it('a ballot before the vote opens is refused with the opening time', async () => {
    const c = memoryCommunity({ households: 10, policy: POLICY });
    const p = await proposed(c, 0);
    for (const i of [1, 2]) await cosign(c.deps, { actor: c.as(i), number: p.number });
    expect(
      await castVote(c.deps, { actor: c.as(3), number: p.number, choice: 'for' }),
    ).toMatchObject({ kind: 'vote_not_open', state: 'noticed' });
    expect(c.state.current.ballots).toHaveLength(0);
  });

  it('7 of 10 meet the 70% quorum; 5 for, 2 against passes 2/3 (5 >= ceil(2/3 * 7) = 5)', async () => {
    const c = memoryCommunity({ households: 10, policy: POLICY });
    const number = await voting(c);
    for (let i = 0; i < 7; i++) {
      const choice = i < 5 ? 'for' : 'against';
      expect((await castVote(c.deps, { actor: c.as(i), number, choice })).kind).toBe('recorded');
    }
    c.clock.advance(HOUR);
    expect(await closeVote(c.deps, { communityId: c.communityId, number })).toMatchObject({
      kind: 'closed',
      result: 'passed',
      tally: { for: 5, against: 2, abstain: 0 },
    });
  });

  it('6 of 10 is no quorum however they voted', async () => {
    const c = memoryCommunity({ households: 10, policy: POLICY });
    const number = await voting(c);
    for (let i = 0; i < 6; i++) await castVote(c.deps, { actor: c.as(i), number, choice: 'for' });
    c.clock.advance(HOUR);
    expect(await closeVote(c.deps, { communityId: c.communityId, number })).toMatchObject({
      kind: 'closed',
      result: 'no_quorum',
    });
  });

  it('changing a ballot keeps one counting ballot and publishes the vote card only for the first', async () => {
    const c = memoryCommunity({ households: 10, policy: POLICY });
    const number = await voting(c);
    const before = c.state.current.outbox.length;
    await castVote(c.deps, { actor: c.as(4), number, choice: 'for' });
    const changed = await castVote(c.deps, { actor: c.as(4), number, choice: 'against' });
    expect(changed).toMatchObject({ kind: 'recorded', changed: true, publish: [] });
    expect(c.state.current.ballots.filter((b) => b.voterKey === 'h4')).toMatchObject([
      { choice: 'against' },
    ]);
    expect(c.state.current.outbox.length - before).toBe(1);
  });

  it('the same idempotency key twice has one effect and one answer', async () => {
    const c = memoryCommunity({ households: 10, policy: POLICY });
    const number = await voting(c);
    const command = { actor: c.as(4), number, choice: 'for' as const, idempotencyKey: 'tg-77' };
    const [first, again] = [await castVote(c.deps, command), await castVote(c.deps, command)];
    expect(again).toEqual(first);
    expect(c.state.current.ballots.filter((b) => b.voterKey === 'h4')).toHaveLength(1);
    expect(c.state.current.points.filter((p) => p.kind === 'vote')).toHaveLength(1);
  });

  it("a representative relays only for their own building, and the household's own ballot wins", async () => {
    const c = memoryCommunity({ households: 20, policy: POLICY });
    const number = await voting(c);
    const rep = c.as(1);
    expect(
      await relayVote(c.deps, {
        actor: rep,
        number,
        unit: '2-105',
        choice: 'for',
        paperRef: 'P-1',
      }),
    ).toEqual({ kind: 'other_building', unit: '2-105', building: '1' });
    expect(
      (await relayVote(c.deps, { actor: rep, number, unit: '108', choice: 'for', paperRef: 'P-2' }))
        .kind,
    ).toBe('recorded');
    expect(await castVote(c.deps, { actor: c.as(7), number, choice: 'against' })).toMatchObject({
      kind: 'recorded',
      supersededRelay: true,
    });
    expect(
      await relayVote(c.deps, { actor: rep, number, unit: '108', choice: 'for', paperRef: 'P-3' }),
    ).toMatchObject({ kind: 'relay_refused_own_ballot' });
    expect(c.state.current.ballots.find((b) => b.voterKey === 'h7')).toMatchObject({
      choice: 'against',
      channel: 'chat',
    });
  });
});

describe('resolutions (in memory)', () => {
  it('only the committee assigns, and only an executor of the lead unit reports progress', async () => {
    const c = memoryCommunity({ households: 10, policy: POLICY });
    const number = await voting(c);
    for (let i = 0; i < 8; i++) await castVote(c.deps, { actor: c.as(i), number, choice: 'for' });
    c.clock.advance(HOUR);
    await closeVote(c.deps, { communityId: c.communityId, number });
    const assign = { number, lead: '物业', due: '2027-03-31', coop: ['居委会'] };
    expect(await assignResolution(c.deps, { actor: c.as(5), ...assign })).toEqual({
      kind: 'not_allowed',
      need: 'committee',
    });
    expect(await assignResolution(c.deps, { actor: c.as(0), ...assign })).toMatchObject({
      kind: 'assigned',
      lead: '物业',
      coop: ['居委会'],
    });
    expect(
      await reportProgress(c.deps, { actor: c.as(0), number, percent: 40, note: '已招标' }),
    ).toEqual({ kind: 'not_allowed', need: 'lead_unit_executor' });
    expect(
      await reportProgress(c.deps, { actor: c.as(2), number, percent: 40, note: '已招标' }),
    ).toMatchObject({ kind: 'reported' });
    expect(c.state.current.resolutions[0]).toMatchObject({ progress: 40, latestNote: '已招标' });
  });
});
