/**
 * Closing many votes in one transaction (the deadline worker's batches in a
 * storm) decides exactly as closing each alone: same outcome, state, tally,
 * audit entry and announcements, once per vote.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { castVote } from '../../../src/app/cast-vote.ts';
import { closeVote, closeVotes } from '../../../src/app/deadlines.ts';
import type { Choice } from '../../../src/app/ports/store.ts';
import { canonicalJson } from '../../../src/domain/audit-chain.ts';
import { sha256 } from '../../../src/store/audit-append.ts';
import { voteCloseStore } from '../../../src/store/schedule-store.ts';
import { createCloseBatcher } from '../../../workers/deadlines/close-batcher.ts';
import { seedCommunity, type TestCommunity } from '../../support/community.ts';
import { createTestDatabase, type TestDatabase } from '../../support/postgres.ts';
import { openedVote } from '../../support/voting.ts';
import { auditOf, waitFor } from '../../support/workers.ts';

const DAY = 86_400_000;

/** Ballots by resident index: for the quorum, pass and reject cases below. */
const CASES: Choice[][] = [
  ['for', 'for', 'for', 'for', 'for', 'for', 'for', 'against'],
  ['for', 'against', 'against', 'against', 'abstain', 'for', 'against', 'against'],
  ['for', 'against'],
];

async function votes(c: TestCommunity): Promise<number[]> {
  const numbers: number[] = [];
  for (const ballots of CASES) {
    const number = await openedVote(c, 7 * DAY);
    for (const [i, choice] of ballots.entries()) {
      const cast = await castVote(c.deps, { actor: c.as(i), number, choice });
      expect(cast.kind).toBe('recorded');
    }
    numbers.push(number);
  }
  return numbers;
}

describe('closeVotes', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db.drop();
  });

  it('decides each vote as closeVote does, once, with its audit entry and announcements', async () => {
    // Twin communities, same votes: one closed vote by vote, the other in one batch.
    const alone = await seedCommunity(db, { households: 10 });
    const batched = await seedCommunity(db, { households: 10 });
    const aloneVotes = await votes(alone);
    const batchVotes = await votes(batched);
    alone.clock.advance(3 * DAY);
    batched.clock.advance(3 * DAY);

    const expected = [];
    for (const number of aloneVotes) {
      expected.push(await closeVote(alone.deps, { communityId: alone.id, number }));
    }
    const deps = {
      clock: batched.clock,
      ids: { next: () => randomUUID() },
      closer: voteCloseStore(db),
    };
    const targets = batchVotes.map((number) => ({ communityId: batched.id, number }));
    const outcomes = await closeVotes(deps, [
      ...targets,
      // Named twice in one batch: closes once.
      targets[0] ?? { communityId: batched.id, number: 0 },
      { communityId: batched.id, number: 999 },
    ]);

    // The same outcomes, up to the community they name.
    const named = (o: unknown, communityId: string) =>
      JSON.parse(JSON.stringify(o).replaceAll(communityId, 'C')) as unknown;
    expect(outcomes.slice(0, 3).map((o) => named(o, batched.id))).toEqual(
      expected.map((o) => named(o, alone.id)),
    );
    expect(outcomes.map((o) => o.kind)).toEqual([
      'closed',
      'closed',
      'closed',
      'unchanged',
      'unchanged',
    ]);
    expect(outcomes[3]).toMatchObject({ reason: 'wrong_state', state: 'passed' });
    expect(outcomes[4]).toMatchObject({ reason: 'unknown', number: 999 });

    const rows = (communityId: string) =>
      db.prisma.proposal.findMany({
        where: { communityId },
        orderBy: { number: 'asc' },
        select: {
          number: true,
          state: true,
          closedAt: true,
          tallyFor: true,
          tallyAgainst: true,
          tallyAbstain: true,
        },
      });
    expect(await rows(batched.id)).toEqual(await rows(alone.id));

    const aloneAudit = await auditOf(db, alone.id, 'vote.closed');
    const batchAudit = await auditOf(db, batched.id, 'vote.closed');
    expect(batchAudit.map((a) => [a.actor, a.payload, a.payloadHash, a.at])).toEqual(
      aloneAudit.map((a) => [a.actor, a.payload, a.payloadHash, a.at]),
    );
    // `yishi audit verify` recomputes the hash from the stored payload.
    for (const entry of batchAudit) {
      expect(entry.payloadHash).toBe(sha256(canonicalJson(entry.payload)));
    }

    const outbox = (communityId: string) =>
      db.prisma.outbox.findMany({
        where: { communityId, kind: { in: ['result_card', 'vote_card'] }, announcement: true },
        orderBy: [{ number: 'asc' }, { kind: 'asc' }],
        select: { number: true, kind: true, createdAt: true },
      });
    const announced = await outbox(batched.id);
    expect(announced).toEqual(await outbox(alone.id));
    const closedAt = batched.clock.now().getTime();
    const atClose = announced.filter((o) => o.createdAt.getTime() === closedAt);
    expect(atClose.map((o) => o.kind).sort()).toEqual([
      ...Array(3).fill('result_card'),
      ...Array(3).fill('vote_card'),
    ]);

    // Again (a retried job, a second worker): nothing changes.
    const again = await closeVotes(deps, targets);
    expect(again.map((o) => o.kind)).toEqual(['unchanged', 'unchanged', 'unchanged']);
    expect(await auditOf(db, batched.id, 'vote.closed')).toHaveLength(3);
    expect(await outbox(batched.id)).toHaveLength(announced.length);
  });

  it('leaves a vote whose time has not come, and closes the due ones beside it', async () => {
    const c = await seedCommunity(db, { households: 10 });
    const early = await openedVote(c, 7 * DAY);
    c.clock.advance(DAY);
    const later = await openedVote(c, 7 * DAY);
    // The first vote's window (3 days) has passed, the second's has not.
    c.clock.advance(2 * DAY + 1);
    const deps = {
      clock: c.clock,
      ids: { next: () => randomUUID() },
      closer: voteCloseStore(db),
    };
    const [first, second] = await closeVotes(deps, [
      { communityId: c.id, number: later },
      { communityId: c.id, number: early },
    ]);
    expect(first).toMatchObject({ kind: 'unchanged', reason: 'not_yet', state: 'voting' });
    expect(second).toMatchObject({ kind: 'closed', result: 'no_quorum' });
  });

  // Last in the file: a sweep closes whatever is due in the database, other tests' votes too.
  it('a close sweeps the other votes due with it, each once, before their own jobs come', async () => {
    const c = await seedCommunity(db, { households: 10 });
    const numbers: number[] = [];
    for (let i = 0; i < 4; i++) numbers.push(await openedVote(c, 7 * DAY));
    c.clock.advance(3 * DAY);
    const batcher = createCloseBatcher({
      clock: c.clock,
      ids: { next: () => randomUUID() },
      closer: voteCloseStore(db),
      closeOne: (target) => closeVote(c.deps, target),
    });
    const [first, ...others] = numbers.map((number) => ({ communityId: c.id, number }));
    expect((await batcher.close(first ?? { communityId: c.id, number: 0 })).kind).toBe('closed');
    batcher.sweep();
    batcher.sweep();
    await waitFor('the sweep to close the due votes', async () => {
      const closed = await auditOf(db, c.id, 'vote.closed');
      return closed.length === 4 ? closed : undefined;
    });
    // Their own jobs, when they come, find nothing to do.
    const late = await Promise.all(others.map((target) => batcher.close(target)));
    expect(late.map((o) => o.kind === 'unchanged' && o.reason)).toEqual([
      'wrong_state',
      'wrong_state',
      'wrong_state',
    ]);
    expect(await auditOf(db, c.id, 'vote.closed')).toHaveLength(4);
    const results = await db.prisma.outbox.count({
      where: { communityId: c.id, kind: 'result_card' },
    });
    expect(results).toBe(4);
  });
});
