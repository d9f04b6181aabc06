import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { castVote } from '../../../src/app/cast-vote.ts';
import { closeVote } from '../../../src/app/deadlines.ts';
import { issueJoinCodes } from '../../../src/app/issue-join-codes.ts';
import { joinHousehold } from '../../../src/app/join-household.ts';
import { relayVote } from '../../../src/app/relay-vote.ts';
import { proposalStatus } from '../../../src/app/status.ts';
import { rosterDeps } from '../../../src/runtime/roster-deps.ts';
import { verifyAudit } from '../../../src/store/audit-seal.ts';
import { eraseHousehold, exportHousehold } from '../../../src/store/personal-data-store.ts';
import { statusReader } from '../../../src/store/status-store.ts';
import { seedCommunity, type TestCommunity } from '../../support/community.ts';
import { createTestDatabase, type TestDatabase } from '../../support/postgres.ts';
import { openedVote } from '../../support/voting.ts';

const DAY = 86_400_000;
const ACCOUNT = '7770001111';

describe('resident export and erase', () => {
  let db: TestDatabase;
  let c: TestCommunity;
  let number: number;

  beforeAll(async () => {
    db = await createTestDatabase();
    c = await seedCommunity(db, { households: 4 });
    // Resident 1 (unit 101, a representative) links a Telegram account with its join code.
    const issued = await issueJoinCodes(rosterDeps(db), { communityId: c.id });
    if (issued.kind !== 'issued') throw new Error(issued.kind);
    const code = issued.codes.find((x) => x.unit === '101')?.code ?? '';
    const joined = await joinHousehold(
      { ...rosterDeps(db), clock: c.clock },
      { platform: 'telegram', userId: ACCOUNT, code },
    );
    expect(joined.kind).toBe('joined');
    number = await openedVote(c, 7 * DAY);
    const viaChat = {
      kind: 'chat',
      platform: 'telegram',
      userId: ACCOUNT,
      chatId: ACCOUNT,
      isPrivate: true,
    } as const;
    expect((await castVote(c.deps, { actor: viaChat, number, choice: 'for' })).kind).toBe(
      'recorded',
    );
    expect((await castVote(c.deps, { actor: c.as(2), number, choice: 'against' })).kind).toBe(
      'recorded',
    );
    const relayed = await relayVote(c.deps, {
      actor: c.as(1),
      number,
      unit: '103',
      choice: 'for',
      paperRef: '纸票-居民1-0签收',
    });
    expect(relayed.kind).toBe('recorded');
    // A private reminder went to the account, and its chat was once refused.
    await db.sql.execute(`INSERT INTO "NoticeSent" (key, at) VALUES ($1, $2)`, [
      `v1-remind-vote-x-1d-telegram-${ACCOUNT}`,
      c.clock.now(),
    ]);
    await db.sql.execute(
      `INSERT INTO "DeliveryProblem" (platform, "chatId", reason, at) VALUES ('telegram', $1, 'blocked', $2)`,
      [ACCOUNT, c.clock.now()],
    );
    c.clock.advance(3 * DAY);
    expect((await closeVote(c.deps, { communityId: c.id, number })).kind).toBe('closed');
  });
  afterAll(() => db.drop());

  it('export lists every item of the household and nothing of another', async () => {
    const out = await exportHousehold(db, c.id, '101', c.clock.now());
    if (out.kind !== 'exported') throw new Error(out.kind);
    const d = out.data;
    expect(d.format).toBe('yishi.household/1');
    expect(d.residents.map((r) => r.name)).toEqual(['居民1-0']);
    expect(d.residents[0]?.chatAccounts.map((a) => a.userId)).toEqual([ACCOUNT]);
    expect(d.joinCodes.filter((j) => j.usedAt !== null)).toHaveLength(1);
    expect(d.ballots.map((b) => [b.number, b.choice, b.channel])).toEqual([
      [number, 'for', 'chat'],
    ]);
    expect(d.relayedBallots.map((b) => [b.number, b.unit, b.choice])).toEqual([
      [number, '103', 'for'],
    ]);
    expect(d.cosigns.map((x) => x.number)).toEqual([number]);
    expect(d.points.map((p) => p.kind).sort()).toEqual(['cosign', 'vote']);
    expect(d.notices).toHaveLength(1);
    expect(d.auditEntries.map((e) => e.action)).toEqual(
      expect.arrayContaining([
        'household.joined',
        'proposal.cosigned',
        'ballot.cast',
        'ballot.relayed',
      ]),
    );
    const text = JSON.stringify(d);
    for (const other of [0, 2, 3]) {
      const r = c.residents[other];
      expect(text).not.toContain(r?.name);
      // The relayed ballot names unit 103 only as the unit it was relayed for.
      if (other !== 3) expect(text).not.toContain(r?.householdId);
    }
  });

  it('erase leaves no name or chat id in any table, keeps tallies, status and the chain; twice is a no-op', async () => {
    const reader = statusReader(db);
    const before = await proposalStatus(reader, { communityId: c.id, number, now: c.clock.now() });
    const erased = await eraseHousehold(db, c.id, '101', c.clock.now());
    expect(erased).toMatchObject({ kind: 'erased', residents: 1, accounts: 1 });

    // Every text and json column of every table.
    const columns = await db.sql.query<{ table_name: string; column_name: string }>(
      `SELECT table_name, column_name FROM information_schema.columns
       WHERE table_schema = 'public' AND data_type IN ('text', 'jsonb', 'json', 'character varying', 'ARRAY')`,
    );
    expect(columns.length).toBeGreaterThan(40);
    const found: string[] = [];
    for (const { table_name: t, column_name: col } of columns) {
      const [hit] = await db.sql.query<{ n: string }>(
        `SELECT count(*)::text AS n FROM "${t}" WHERE "${col}"::text LIKE ANY($1::text[])`,
        [[`%居民1-0%`, `%${ACCOUNT}%`]],
      );
      if (hit && hit.n !== '0') found.push(`${t}.${col}`);
    }
    expect(found).toEqual([]);

    const viaChat = {
      kind: 'chat',
      platform: 'telegram',
      userId: ACCOUNT,
      chatId: ACCOUNT,
      isPrivate: true,
    } as const;
    const refused = await castVote(c.deps, { actor: viaChat, number, choice: 'against' });
    expect(refused.kind).not.toBe('recorded');
    const after = await proposalStatus(reader, { communityId: c.id, number, now: c.clock.now() });
    expect(after).toEqual(before);
    const verdict = await verifyAudit(db.sql, c.id, c.clock.now());
    expect(verdict.kind).toBe('intact');

    const again = await eraseHousehold(db, c.id, '101', c.clock.now());
    expect(again.kind).toBe('already_erased');
    const entries = await db.sql.query<{ n: string }>(
      `SELECT count(*)::text AS n FROM "AuditEntry" WHERE action = 'household.erased'`,
    );
    expect(entries[0]?.n).toBe('1');
  });
});
