import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cosign } from '../../../src/app/cosign.ts';
import { expireProposal } from '../../../src/app/deadlines.ts';
import { propose } from '../../../src/app/propose.ts';
import { seedCommunity } from '../../support/community.ts';
import { createTestDatabase, type TestDatabase } from '../../support/postgres.ts';

describe('co-signing', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.drop());

  it('200 concurrent co-signs from a 100-household community reach the agenda exactly once, counted exactly', async () => {
    // Two residents per household: every household co-signs twice, at once.
    const c = await seedCommunity(db, { households: 100, membersPerHousehold: 2 });
    const proposed = await propose(c.deps, {
      actor: c.as(0),
      title: '小区停车管理办法',
      category: 'parking',
    });
    if (proposed.kind !== 'proposed') throw new Error(proposed.kind);
    expect(proposed.threshold).toBe(30);

    const outcomes = await Promise.all(
      c.residents.map((_, i) => cosign(c.deps, { actor: c.as(i), number: proposed.number })),
    );
    const kinds = outcomes.map((o) => o.kind);
    const p = await db.prisma.proposal.findUniqueOrThrow({
      where: { communityId_number: { communityId: c.id, number: proposed.number } },
    });
    const rows = await db.prisma.cosign.count({ where: { proposalId: p.id } });
    const agenda = await db.prisma.auditEntry.count({
      where: { communityId: c.id, action: 'proposal.agenda_reached' },
    });

    expect(outcomes.filter((o) => o.kind === 'cosigned' && o.agendaReached)).toHaveLength(1);
    expect(agenda).toBe(1);
    expect(p.state).toBe('noticed');
    expect(p.cosignCount).toBe(rows);
    // Co-signs after the agenda was reached are refused as not collecting; duplicates as already co-signed.
    expect(kinds.filter((k) => k === 'cosigned')).toHaveLength(rows - 1);
    expect(
      kinds.filter((k) => k === 'already_cosigned').length +
        kinds.filter((k) => k === 'not_collecting').length,
    ).toBe(200 - (rows - 1));
    expect(rows).toBeGreaterThanOrEqual(30);
    const distinct = await db.prisma.cosign.groupBy({
      by: ['voterKey'],
      where: { proposalId: p.id },
    });
    expect(distinct).toHaveLength(rows);
    expect(p.votingOpensAt?.getTime()).toBe((p.agendaAt?.getTime() ?? 0) + 7 * 24 * 3600 * 1000);
  });

  it('a proposal short of co-signs expires at the end of its window, not before', async () => {
    const c = await seedCommunity(db, { households: 10, policy: { cosignWindow: '1h' } });
    const proposed = await propose(c.deps, { actor: c.as(0), title: '宠物管理公约' });
    if (proposed.kind !== 'proposed') throw new Error(proposed.kind);
    expect(
      await expireProposal(c.deps, { communityId: c.id, number: proposed.number }),
    ).toMatchObject({ kind: 'unchanged', reason: 'not_yet' });
    c.clock.advance(3600_000);
    expect((await cosign(c.deps, { actor: c.as(1), number: proposed.number })).kind).toBe(
      'window_closed',
    );
    expect(
      (await expireProposal(c.deps, { communityId: c.id, number: proposed.number })).kind,
    ).toBe('expired');
    expect(
      (await expireProposal(c.deps, { communityId: c.id, number: proposed.number })).kind,
    ).toBe('unchanged');
  });

  it('refuses an unknown proposal, an over-long title and an unknown category', async () => {
    const c = await seedCommunity(db, { households: 5 });
    expect(await cosign(c.deps, { actor: c.as(1), number: 99 })).toEqual({
      kind: 'proposal_unknown',
      number: 99,
    });
    expect((await propose(c.deps, { actor: c.as(1), title: 'x'.repeat(81) })).kind).toBe('invalid');
    expect(
      await propose(c.deps, { actor: c.as(1), title: '好', category: 'casino' }),
    ).toMatchObject({ kind: 'invalid', field: 'category' });
    expect(await db.prisma.proposal.count({ where: { communityId: c.id } })).toBe(0);
  });
});
