import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BallotBatcher, ballotBatcher } from '../../../src/app/ballot-batcher.ts';
import { castVote } from '../../../src/app/cast-vote.ts';
import { closeVote } from '../../../src/app/deadlines.ts';
import type { Choice } from '../../../src/app/ports/store.ts';
import { relayVote } from '../../../src/app/relay-vote.ts';
import { scheduleVote } from '../../../src/app/schedule-vote.ts';
import { ballotBatchStore } from '../../../src/store/ballot-batch-store.ts';
import { seedCommunity, type TestCommunity } from '../../support/community.ts';
import { createTestDatabase, type TestDatabase } from '../../support/postgres.ts';
import { openedVote } from '../../support/voting.ts';

const DAY = 24 * 3600 * 1000;
const CHOICES: Choice[] = ['for', 'against', 'abstain'];

type Op = { voter: number; channel: 'chat' | 'relay'; choice: Choice; key: string };

/** The rules, restated independently: a chat ballot replaces anything; a relay never replaces a chat ballot. */
function model(ops: readonly Op[]) {
  const current = new Map<number, { channel: 'chat' | 'relay'; choice: Choice }>();
  const seen = new Set<string>();
  for (const op of ops) {
    if (seen.has(op.key)) continue;
    seen.add(op.key);
    const before = current.get(op.voter);
    if (op.channel === 'relay' && before?.channel === 'chat') continue;
    current.set(op.voter, { channel: op.channel, choice: op.choice });
  }
  const tally = { for: 0, against: 0, abstain: 0 };
  for (const b of current.values()) tally[b.choice] += 1;
  return { tally, ballots: current };
}

function apply(c: TestCommunity, number: number, op: Op, batcher?: BallotBatcher) {
  const household = c.residents[op.voter];
  if (!household) throw new Error('no voter');
  const vote = { actor: c.as(op.voter), number, choice: op.choice, idempotencyKey: op.key };
  return op.channel === 'chat'
    ? batcher
      ? batcher.cast(vote)
      : castVote(c.deps, vote)
    : relayVote(c.deps, {
        actor: c.as(1),
        number,
        unit: household.unit,
        choice: op.choice,
        paperRef: `P-${op.key}`,
        idempotencyKey: op.key,
      });
}

async function tallyOf(db: TestDatabase, c: TestCommunity, number: number) {
  const p = await db.prisma.proposal.findUniqueOrThrow({
    where: { communityId_number: { communityId: c.id, number } },
  });
  const rows = await db.prisma.ballot.groupBy({
    by: ['choice'],
    where: { proposalId: p.id },
    _count: { _all: true },
  });
  const tally = { for: 0, against: 0, abstain: 0 };
  for (const r of rows) tally[r.choice] = r._count._all;
  return { p, tally };
}

describe('ballots', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.drop());

  it.each([
    ['one transaction per ballot', false],
    ['group commit', true],
  ])(
    '1,000 concurrent ballot operations (new, duplicate, changed, relayed) tally like the model: %s',
    async (_, batched) => {
      // 100 households; representative (resident 1) serves building 1 = households 0..49.
      const c = await seedCommunity(db, { households: 100 });
      const number = await openedVote(c, 7 * DAY);
      const batcher = batched ? ballotBatcher(c.deps, ballotBatchStore(db)) : undefined;
      let seed = 42;
      const rand = (n: number) => {
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        return seed % n;
      };
      const ops: Op[] = [];
      for (let i = 0; ops.length < 1000; i++) {
        const voter = rand(100);
        const relay = voter < 50 && rand(3) === 0;
        const op: Op = {
          voter,
          channel: relay ? 'relay' : 'chat',
          choice: CHOICES[rand(3)] ?? 'for',
          key: `${batched ? 'batch' : 'single'}-op-${i}`,
        };
        ops.push(op);
        if (rand(5) === 0 && ops.length < 1000) ops.push({ ...op }); // a redelivered duplicate
      }
      // Each voter's operations run in order; different voters (and duplicates) race.
      const byVoter = new Map<number, Op[]>();
      for (const op of ops) byVoter.set(op.voter, [...(byVoter.get(op.voter) ?? []), op]);
      await Promise.all(
        [...byVoter.values()].map(async (list) => {
          for (let i = 0; i < list.length; i++) {
            const op = list[i] as Op;
            const twin = list[i + 1];
            if (twin && twin.key === op.key) {
              await Promise.all([apply(c, number, op, batcher), apply(c, number, twin, batcher)]);
              i++;
            } else {
              await apply(c, number, op, batcher);
            }
          }
        }),
      );
      const expected = model(ops);
      const { p, tally } = await tallyOf(db, c, number);
      expect(tally).toEqual(expected.tally);
      const channels = await db.prisma.ballot.findMany({ where: { proposalId: p.id } });
      expect(channels).toHaveLength(expected.ballots.size);
      const history = await db.prisma.ballotHistory.count({ where: { proposalId: p.id } });
      expect(history).toBeGreaterThan(0);

      c.clock.advance(3 * DAY);
      const closed = await closeVote(c.deps, { communityId: c.id, number });
      expect(closed).toMatchObject({ kind: 'closed', tally: expected.tally, eligible: 100 });
    },
  );

  it.each([
    ['one transaction per ballot', false],
    ['group commit', true],
  ])(
    'random sequences of ballots always tally like the model (property): %s',
    async (_, batched) => {
      const c = await seedCommunity(db, { households: 8, perBuilding: 4 });
      // One batch at a time: a sequence sent at once is one batch in arrival order.
      const batcher = batched
        ? ballotBatcher(c.deps, ballotBatchStore(db), { concurrency: 1 })
        : undefined;
      await fc.assert(
        fc.asyncProperty(
          fc.array(
            fc.record({
              voter: fc.integer({ min: 0, max: 7 }),
              relay: fc.boolean(),
              choice: fc.constantFrom(...CHOICES),
              duplicate: fc.boolean(),
            }),
            { minLength: 1, maxLength: 25 },
          ),
          async (steps) => {
            const number = await openedVote(c, 7 * DAY);
            const ops: Op[] = [];
            steps.forEach((s, i) => {
              // Only building 1 (households 0..3) can be relayed for by resident 1.
              const op: Op = {
                voter: s.voter,
                channel: s.relay && s.voter < 4 ? 'relay' : 'chat',
                choice: s.choice,
                key: `${batched ? 'batch' : 'single'}-${number}-${i}`,
              };
              ops.push(op);
              if (s.duplicate) ops.push(op);
            });
            if (batcher) {
              // Sent without waiting: the chat ballots go in one batch, in their order. The relays
              // run one after another beside it: a chat ballot beats a relay in either order.
              const chats = ops.filter((op) => op.channel === 'chat');
              const relays = ops.filter((op) => op.channel === 'relay');
              const sent = [
                ...chats.map((op) => apply(c, number, op, batcher)),
                (async () => {
                  for (const op of relays) await apply(c, number, op);
                })(),
              ];
              await Promise.all(sent);
            } else {
              for (const op of ops) await apply(c, number, op);
            }
            const { tally } = await tallyOf(db, c, number);
            expect(tally).toEqual(model(ops).tally);
            c.clock.advance(3 * DAY);
            await closeVote(c.deps, { communityId: c.id, number });
          },
        ),
        { numRuns: 20 },
      );
    },
  );

  it.each([
    [7, 'passed'],
    [6, 'no_quorum'],
  ])('quorum: %i of 10 households voting gives %s (70%)', async (voters, result) => {
    const c = await seedCommunity(db, { households: 10 });
    const number = await openedVote(c, 7 * DAY);
    for (let i = 0; i < voters; i++)
      await castVote(c.deps, { actor: c.as(i), number, choice: 'for' });
    c.clock.advance(3 * DAY);
    expect(await closeVote(c.deps, { communityId: c.id, number })).toMatchObject({
      kind: 'closed',
      result,
    });
  });

  it.each([
    [6, 'passed'],
    [5, 'rejected'],
  ])('pass ratio: %i for of 9 participants gives %s (2/3)', async (inFavour, result) => {
    const c = await seedCommunity(db, { households: 10 });
    const number = await openedVote(c, 7 * DAY);
    for (let i = 0; i < 9; i++) {
      await castVote(c.deps, {
        actor: c.as(i),
        number,
        choice: i < inFavour ? 'for' : i % 2 ? 'against' : 'abstain',
      });
    }
    c.clock.advance(3 * DAY);
    expect(await closeVote(c.deps, { communityId: c.id, number })).toMatchObject({
      kind: 'closed',
      result,
    });
  });

  it("a household's own chat ballot supersedes a relayed one; a relay never supersedes a chat ballot", async () => {
    const c = await seedCommunity(db, { households: 10 });
    const number = await openedVote(c, 7 * DAY);
    const unitOf = (i: number) => c.residents[i]?.unit ?? '';
    expect(
      await relayVote(c.deps, {
        actor: c.as(1),
        number,
        unit: unitOf(5),
        choice: 'against',
        paperRef: 'A-1',
      }),
    ).toMatchObject({ kind: 'recorded' });
    expect(await castVote(c.deps, { actor: c.as(5), number, choice: 'for' })).toMatchObject({
      kind: 'recorded',
      supersededRelay: true,
    });
    await castVote(c.deps, { actor: c.as(6), number, choice: 'for' });
    expect(
      await relayVote(c.deps, {
        actor: c.as(1),
        number,
        unit: unitOf(6),
        choice: 'against',
        paperRef: 'A-2',
      }),
    ).toEqual({
      kind: 'relay_refused_own_ballot',
      number,
    });
    const { p, tally } = await tallyOf(db, c, number);
    expect(tally).toEqual({ for: 2, against: 0, abstain: 0 });
    const history = await db.prisma.ballotHistory.findMany({ where: { proposalId: p.id } });
    expect(history.map((h) => [h.channel, h.choice, h.paperRef])).toEqual([
      ['relay', 'against', 'A-1'],
    ]);
  });

  it('refuses a relay for another building and a vote scheduled by a resident, storing nothing', async () => {
    const c = await seedCommunity(db, { households: 10, perBuilding: 5 });
    const number = await openedVote(c, 7 * DAY);
    const before = await db.prisma.auditEntry.count({ where: { communityId: c.id } });
    const otherBuilding = c.residents[7];
    expect(otherBuilding?.building).toBe('2');
    expect(
      await relayVote(c.deps, {
        actor: c.as(1),
        number,
        unit: `2-${otherBuilding?.unit}`,
        choice: 'for',
        paperRef: 'B-1',
      }),
    ).toMatchObject({
      kind: 'other_building',
    });
    expect(
      await relayVote(c.deps, {
        actor: c.as(4),
        number,
        unit: c.residents[3]?.unit ?? '',
        choice: 'for',
        paperRef: 'B-2',
      }),
    ).toEqual({
      kind: 'not_allowed',
      need: 'representative',
    });
    expect(
      await scheduleVote(c.deps, { actor: c.as(4), number, opensAt: '2027-01-10 19:30' }),
    ).toEqual({ kind: 'not_allowed', need: 'committee' });
    const { p } = await tallyOf(db, c, number);
    expect(await db.prisma.ballot.count({ where: { proposalId: p.id } })).toBe(0);
    expect(await db.prisma.auditEntry.count({ where: { communityId: c.id } })).toBe(before);
  });

  it('the committee may move a vote later but never inside the notice period', async () => {
    const c = await seedCommunity(db, { households: 10 });
    const { propose } = await import('../../../src/app/propose.ts');
    const { cosign } = await import('../../../src/app/cosign.ts');
    const proposed = await propose(c.deps, { actor: c.as(3), title: '公共空间微更新' });
    if (proposed.kind !== 'proposed') throw new Error(proposed.kind);
    for (let i = 4; i < 3 + proposed.threshold; i++)
      await cosign(c.deps, { actor: c.as(i), number: proposed.number });
    // Agenda at 2026-12-01 10:00 Asia/Shanghai: the earliest opening is 2026-12-08 10:00 local.
    expect(
      await scheduleVote(c.deps, {
        actor: c.as(0),
        number: proposed.number,
        opensAt: '2026-12-08 09:59',
      }),
    ).toEqual({
      kind: 'too_early',
      number: proposed.number,
      earliestAt: '2026-12-08T02:00:00.000Z',
    });
    expect(
      await scheduleVote(c.deps, {
        actor: c.as(0),
        number: proposed.number,
        opensAt: '2026-12-12 19:30',
      }),
    ).toMatchObject({
      kind: 'scheduled',
      votingOpensAt: '2026-12-12T11:30:00.000Z',
      votingClosesAt: '2026-12-15T11:30:00.000Z',
    });
  });

  it('the same idempotency key replayed 10 times concurrently has one effect', async () => {
    const c = await seedCommunity(db, { households: 10 });
    const number = await openedVote(c, 7 * DAY);
    const outcomes = await Promise.all(
      Array.from({ length: 10 }, () =>
        castVote(c.deps, {
          actor: c.as(2),
          number,
          choice: 'against',
          idempotencyKey: 'telegram:update:777',
        }),
      ),
    );
    for (const o of outcomes) expect(o).toEqual(outcomes[0]);
    expect(outcomes[0]).toMatchObject({ kind: 'recorded', changed: false });
    const { p } = await tallyOf(db, c, number);
    const audit = await db.prisma.auditEntry.findMany({
      where: { communityId: c.id, action: 'ballot.cast', subject: `proposal:${p.id}` },
    });
    expect(audit).toHaveLength(1);
    expect(
      await db.prisma.pointsEntry.count({
        where: { residentId: c.residents[2]?.id, kind: 'vote' },
      }),
    ).toBe(1);

    const { propose } = await import('../../../src/app/propose.ts');
    const proposals = await Promise.all(
      Array.from({ length: 10 }, () =>
        propose(c.deps, { actor: c.as(3), title: '垃圾分类', idempotencyKey: 'slack:event:Ev1' }),
      ),
    );
    for (const o of proposals) expect(o).toEqual(proposals[0]);
    expect(
      await db.prisma.proposal.count({ where: { communityId: c.id, title: '垃圾分类' } }),
    ).toBe(1);
  });
});
