import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { propose } from '../../../src/app/propose.ts';
import { verifyAudit } from '../../../src/store/audit-seal.ts';
import { pruneExpired, sealAllCommunities } from '../../../src/store/maintenance-store.ts';
import { startMaintenance } from '../../../workers/maintenance.ts';
import { seedCommunity, type TestCommunity } from '../../support/community.ts';
import { createTestDatabase, type TestDatabase } from '../../support/postgres.ts';

describe('hourly maintenance', () => {
  let db: TestDatabase;
  let community: TestCommunity;

  beforeAll(async () => {
    db = await createTestDatabase();
    // On the system clock, as maintenance runs: a key stamped by the fixed test clock would
    // itself fall out of the two days once the calendar passed that clock by two days.
    community = await seedCommunity(db, { households: 4, realClock: true });
  });
  afterAll(() => db.drop());

  it('seals every audit entry and drops idempotency keys older than two days only', async () => {
    const now = new Date();
    await propose(community.deps, {
      actor: community.as(3),
      title: '增设电动车充电桩',
      body: '',
      category: 'public_facilities',
      idempotencyKey: 'tg-recent',
    });
    await db.prisma.idempotencyRecord.create({
      data: { key: 'tg-old', at: new Date(now.getTime() - 49 * 3600_000) },
    });
    const unsealed = await db.prisma.auditEntry.count({
      where: { communityId: community.id, chainIndex: null },
    });
    expect(unsealed).toBeGreaterThan(0);

    const runs: { sealed: number; pruned: Record<string, number> }[] = [];
    let ran: () => void = () => {};
    const firstRun = new Promise<void>((resolve) => {
      ran = resolve;
    });
    const maintenance = await startMaintenance({
      connection: { host: '127.0.0.1', port: 6379 },
      prefix: `t-${randomUUID()}`,
      now: () => new Date(),
      everyMs: 60_000,
      tasks: {
        sealAudit: (at) => sealAllCommunities(db, at),
        prune: (cutoffs) => pruneExpired(db, cutoffs),
      },
      onRun: (result) => {
        runs.push(result);
        ran();
      },
    });
    await firstRun.finally(() => maintenance.close());

    expect(runs[0]?.sealed).toBe(unsealed);
    expect(runs[0]?.pruned).toEqual({ idempotency: 1, outbox: 0 });
    const after = await verifyAudit(db.sql, community.id, new Date());
    expect(after).toMatchObject({ kind: 'intact', pending: 0 });
    const keys = (await db.prisma.idempotencyRecord.findMany()).map((r) => r.key);
    expect(keys).toContain('tg-recent');
    expect(keys).not.toContain('tg-old');
  });
});
