/**
 * Group commit for ballots (src/app/ballot-batcher.ts, cast-votes.ts): many
 * ballots in one transaction keep every guarantee of one ballot alone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ballotBatcher } from '../../../src/app/ballot-batcher.ts';
import type { CastVoteOutcome } from '../../../src/app/cast-vote.ts';
import type { BallotBatchStore } from '../../../src/app/ports/store.ts';
import { ballotBatchStore } from '../../../src/store/ballot-batch-store.ts';
import { seedCommunity, type TestCommunity } from '../../support/community.ts';
import { createTestDatabase, TEST_DRIVER, type TestDatabase } from '../../support/postgres.ts';
import { openedVote } from '../../support/voting.ts';

const DAY = 24 * 3600 * 1000;

/** The real store, counting the ballots each transaction took. */
function countingStore(db: TestDatabase): { store: BallotBatchStore; batches: number[] } {
  const inner = ballotBatchStore(db);
  const batches: number[] = [];
  return {
    batches,
    store: {
      onceEach(keys, at, work) {
        batches.push(keys.length);
        return inner.onceEach(keys, at, work);
      },
    },
  };
}

async function counts(db: TestDatabase, c: TestCommunity, number: number) {
  const p = await db.prisma.proposal.findUniqueOrThrow({
    where: { communityId_number: { communityId: c.id, number } },
  });
  const subject = `proposal:${p.id}`;
  const [ballots, history, audit, points, cards] = await Promise.all([
    db.prisma.ballot.findMany({ where: { proposalId: p.id }, orderBy: { voterKey: 'asc' } }),
    db.prisma.ballotHistory.count({ where: { proposalId: p.id } }),
    db.prisma.auditEntry.count({ where: { subject, action: 'ballot.cast' } }),
    db.prisma.pointsEntry.count({ where: { subject, kind: 'vote' } }),
    db.prisma.outbox.count({ where: { communityId: c.id, number, kind: 'vote_card' } }),
  ]);
  return { p, ballots, history, audit, points, cards };
}

describe('group commit for ballots', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.drop());

  it('a batch in which some ballots are refused commits the others, each with its own outcome', async () => {
    const c = await seedCommunity(db, { households: 10 });
    const number = await openedVote(c, 7 * DAY);
    const { p, cards: cardsBefore } = await counts(db, c, number);
    // Household 9 joined after the vote opened: not on the snapshot of who may vote.
    await db.prisma.eligibility.deleteMany({
      where: { proposalId: p.id, householdId: c.residents[9]?.householdId ?? '' },
    });
    const { store, batches } = countingStore(db);
    const batcher = ballotBatcher(c.deps, store, { concurrency: 1 });
    const sent = [
      ...[0, 1, 2, 3, 4].map((i) =>
        batcher.cast({ actor: c.as(i), number, choice: 'for', idempotencyKey: `refused-${i}` }),
      ),
      batcher.cast({ actor: c.as(9), number, choice: 'for', idempotencyKey: 'refused-9' }),
      batcher.cast({ actor: c.as(5), number: 999, choice: 'for', idempotencyKey: 'refused-x' }),
    ];
    const outcomes = await Promise.all(sent);
    expect(batches).toEqual([7]);
    expect(outcomes.map((o) => o.kind)).toEqual([
      'recorded',
      'recorded',
      'recorded',
      'recorded',
      'recorded',
      'not_eligible',
      'proposal_unknown',
    ]);
    const after = await counts(db, c, number);
    expect(after.ballots).toHaveLength(5);
    expect(after.audit).toBe(5);
    expect(after.points).toBe(5);
    // One card refresh for the batch, however many first ballots it held.
    expect(after.cards - cardsBefore).toBe(1);
  });

  it("a household's presses in one batch apply in their order; a redelivery in or after the batch has one effect", async () => {
    const c = await seedCommunity(db, { households: 10 });
    const number = await openedVote(c, 7 * DAY);
    const { store, batches } = countingStore(db);
    const batcher = ballotBatcher(c.deps, store, { concurrency: 1 });
    const press = (key: string, choice: 'for' | 'against' | 'abstain') =>
      batcher.cast({ actor: c.as(2), number, choice, idempotencyKey: key });
    const first = await Promise.all([
      press('order-1', 'for'),
      press('order-2', 'against'),
      press('order-1', 'for'),
      press('order-3', 'abstain'),
    ]);
    expect(batches).toEqual([3]);
    expect(first.map((o) => o.kind === 'recorded' && o.changed)).toEqual([
      false,
      true,
      false,
      true,
    ]);
    expect(first[2]).toEqual(first[0]);
    const again = await Promise.all([press('order-2', 'against'), press('order-3', 'abstain')]);
    expect(again).toEqual([first[1], first[3]]);
    const after = await counts(db, c, number);
    expect(after.ballots.map((b) => b.choice)).toEqual(['abstain']);
    expect(after.history).toBe(2);
    expect(after.audit).toBe(3);
    expect(after.points).toBe(1);
  });

  // PGlite's one embedded backend cannot be ended from SQL; the socket it is served on can be
  // (tests/integration/faults cover the embedded host).
  it.skipIf(TEST_DRIVER === 'pglite')(
    'a connection lost mid-batch loses nothing and doubles nothing',
    async () => {
      const c = await seedCommunity(db, { households: 30 });
      const number = await openedVote(c, 7 * DAY);
      // The first ballot row written ends its own connection, as a crashed server would: the
      // sequence is not rolled back with the batch, so it happens once.
      await db.pool.query(`CREATE SEQUENCE crash_once;
      CREATE FUNCTION crash_once() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF nextval('crash_once') = 1 THEN PERFORM pg_terminate_backend(pg_backend_pid()); END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER crash_once BEFORE INSERT ON "Ballot" FOR EACH STATEMENT
        EXECUTE FUNCTION crash_once();`);
      try {
        const { store, batches } = countingStore(db);
        const batcher = ballotBatcher(c.deps, store, { concurrency: 1 });
        const cast = (i: number) =>
          batcher.cast({ actor: c.as(i), number, choice: 'against', idempotencyKey: `crash-${i}` });
        const voters = Array.from({ length: 30 }, (_, i) => i);
        const settled = await Promise.allSettled(voters.map(cast));
        expect(batches).toEqual([30]);
        const crash = await db.pool.query<{ last_value: string }>(
          'SELECT last_value FROM crash_once',
        );
        // The batch's statement ended its connection; the ballots' own statements came after.
        expect(Number(crash.rows[0]?.last_value)).toBeGreaterThan(1);
        // Each ballot ran again alone after the batch failed; the platform's redelivery comes after.
        const firstOutcomes = settled.map((s) => (s.status === 'fulfilled' ? s.value : undefined));
        const redelivered: CastVoteOutcome[] = await Promise.all(voters.map(cast));
        for (const [i, outcome] of redelivered.entries()) {
          expect(outcome.kind).toBe('recorded');
          if (firstOutcomes[i]) expect(outcome).toEqual(firstOutcomes[i]);
        }
        const after = await counts(db, c, number);
        expect(after.ballots).toHaveLength(30);
        expect(after.ballots.every((b) => b.choice === 'against')).toBe(true);
        expect(after.history).toBe(0);
        expect(after.audit).toBe(30);
        expect(after.points).toBe(30);
        const claims = await db.prisma.idempotencyRecord.count({
          where: { key: { startsWith: 'crash-' } },
        });
        expect(claims).toBe(30);
      } finally {
        await db.pool.query(
          'DROP TRIGGER crash_once ON "Ballot"; DROP FUNCTION crash_once(); DROP SEQUENCE crash_once;',
        );
      }
    },
  );

  it('a ballot cast before the close counts even when its batch starts after the close', async () => {
    const c = await seedCommunity(db, { households: 10 });
    const number = await openedVote(c, 7 * DAY);
    const { p } = await counts(db, c, number);
    const closesAt = p.votingClosesAt?.getTime() ?? 0;
    // The one batch slot is held until released: the second ballot waits for it.
    const inner = ballotBatchStore(db);
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let first = true;
    const store: BallotBatchStore = {
      async onceEach(keys, at, work) {
        if (first) {
          first = false;
          await held;
        }
        return inner.onceEach(keys, at, work);
      },
    };
    const batcher = ballotBatcher(c.deps, store, { concurrency: 1 });
    c.clock.set(new Date(closesAt - 2_000));
    const early = batcher.cast({ actor: c.as(0), number, choice: 'for', idempotencyKey: 'edge-0' });
    await new Promise((resolve) => setImmediate(resolve));
    c.clock.set(new Date(closesAt - 1_000));
    const last = batcher.cast({ actor: c.as(1), number, choice: 'for', idempotencyKey: 'edge-1' });
    c.clock.set(new Date(closesAt + 10));
    const late = batcher.cast({ actor: c.as(2), number, choice: 'for', idempotencyKey: 'edge-2' });
    release();
    expect((await Promise.all([early, last, late])).map((o) => o.kind)).toEqual([
      'recorded',
      'recorded',
      'vote_closed',
    ]);
    const after = await counts(db, c, number);
    const castAt = after.ballots.map((b) => b.castAt.getTime()).sort();
    expect(castAt).toEqual([closesAt - 2_000, closesAt - 1_000]);
  });

  it("a failed batch's ballots run again one by one, in arrival order and at their arrival time", async () => {
    const c = await seedCommunity(db, { households: 10 });
    const number = await openedVote(c, 7 * DAY);
    // The first multi-ballot write fails once (a sequence is not rolled back with it).
    await db.pool.query(`CREATE SEQUENCE fail_once;
      CREATE FUNCTION fail_once() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF (SELECT count(*) FROM inserted) > 1 AND nextval('fail_once') = 1 THEN
          RAISE EXCEPTION 'the batch fails once';
        END IF;
        RETURN NULL;
      END $$;
      CREATE TRIGGER fail_once AFTER INSERT ON "Ballot" REFERENCING NEW TABLE AS inserted
        FOR EACH STATEMENT EXECUTE FUNCTION fail_once();`);
    try {
      const { store, batches } = countingStore(db);
      const batcher = ballotBatcher(c.deps, store, { concurrency: 1 });
      const voters = Array.from({ length: 10 }, (_, i) => i);
      // Cast a second before the close; the batch and its reruns run after it.
      const { p } = await counts(db, c, number);
      const closesAt = p.votingClosesAt?.getTime() ?? 0;
      c.clock.set(new Date(closesAt - 1_000));
      const sent = voters.flatMap((i) => [
        batcher.cast({ actor: c.as(i), number, choice: 'for', idempotencyKey: `rerun-${i}-a` }),
        batcher.cast({ actor: c.as(i), number, choice: 'against', idempotencyKey: `rerun-${i}-b` }),
      ]);
      c.clock.set(new Date(closesAt + 10));
      const outcomes = await Promise.all(sent);
      expect(batches).toEqual([20]);
      expect(outcomes.map((o) => o.kind === 'recorded' && o.changed)).toEqual(
        voters.flatMap(() => [false, true]),
      );
      const after = await counts(db, c, number);
      expect(after.ballots.map((b) => b.choice)).toEqual(voters.map(() => 'against'));
      expect(after.history).toBe(10);
      expect(after.audit).toBe(20);
    } finally {
      await db.pool.query(
        'DROP TRIGGER fail_once ON "Ballot"; DROP FUNCTION fail_once(); DROP SEQUENCE fail_once;',
      );
    }
  });
});
