import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCommunity } from '../../../src/app/create-community.ts';
import type { RosterDeps } from '../../../src/app/deps.ts';
import { importRoster } from '../../../src/app/import-roster.ts';
import { issueJoinCodes } from '../../../src/app/issue-join-codes.ts';
import { joinHousehold } from '../../../src/app/join-household.ts';
import { rosterDeps } from '../../../src/runtime/roster-deps.ts';
import { createTestDatabase, type TestDatabase } from '../../support/postgres.ts';
import { runCli } from '../../support/processes.ts';
import { HEADER, rosterLines } from '../../support/roster.ts';

function records(lines: string[]): Record<string, string>[] {
  const keys = HEADER.split(',');
  return lines.map((line) => Object.fromEntries(line.split(',').map((v, i) => [keys[i] ?? '', v])));
}

describe('join codes', () => {
  let db: TestDatabase;
  let deps: RosterDeps;
  let communityId: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    deps = rosterDeps(db);
    const created = await createCommunity(deps, { name: '和平社区' });
    if (created.kind !== 'created') throw new Error(created.errors.join());
    communityId = created.id;
    const imported = await importRoster(deps, { communityId, records: records(rosterLines(6)) });
    expect(imported.kind).toBe('imported');
  });
  afterAll(() => db.drop());

  it('`yishi roster codes` prints one code per household; each links its household once', async () => {
    const run = await runCli(['roster', 'codes', '--community', communityId, '--json'], {
      DATABASE_URL: db.url,
    });
    expect(run.code).toBe(0);
    const codes = JSON.parse(run.stdout) as { building: string; unit: string; code: string }[];
    expect(codes).toHaveLength(6);
    expect(new Set(codes.map((c) => c.code)).size).toBe(6);
    for (const c of codes) expect(c.code).toMatch(/^[A-HJKMNP-Z2-9]{4}-[A-HJKMNP-Z2-9]{4}$/);
    const stored = await db.prisma.joinCode.findMany();
    expect(stored.map((s) => s.codeHash)).not.toContain(codes[0]?.code);

    const [first, second] = codes;
    if (!first || !second) throw new Error('expected codes');
    const joined = await joinHousehold(deps, {
      platform: 'telegram',
      userId: '900001',
      code: first.code.toLowerCase(),
    });
    expect(joined).toMatchObject({ kind: 'joined', building: first.building, unit: first.unit });

    const reused = await joinHousehold(deps, {
      platform: 'telegram',
      userId: '900002',
      code: first.code,
    });
    expect(reused).toEqual({ kind: 'code_used' });
    const again = await joinHousehold(deps, {
      platform: 'telegram',
      userId: '900001',
      code: second.code,
    });
    expect(again).toMatchObject({
      kind: 'already_linked',
      building: first.building,
      unit: first.unit,
    });

    expect(
      await joinHousehold(deps, { platform: 'telegram', userId: '900003', code: 'ABCD-EFGH' }),
    ).toEqual({
      kind: 'code_unknown',
    });
    expect(
      await joinHousehold(deps, { platform: 'telegram', userId: '900003', code: 'hello' }),
    ).toEqual({
      kind: 'code_malformed',
    });
    const identities = await db.prisma.chatIdentity.findMany({
      where: { userId: { startsWith: '9000' } },
    });
    expect(identities.map((i) => i.userId)).toEqual(['900001']);
  });

  it('a code redeemed by ten accounts at once links exactly one', async () => {
    const issued = await issueJoinCodes(deps, { communityId });
    if (issued.kind !== 'issued') throw new Error(issued.kind);
    const code = issued.codes[3]?.code ?? '';
    const outcomes = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        joinHousehold(deps, { platform: 'slack', userId: `U00${i}AB`, code }),
      ),
    );
    expect(outcomes.filter((o) => o.kind === 'joined')).toHaveLength(1);
    expect(outcomes.filter((o) => o.kind === 'code_used')).toHaveLength(9);
  });

  it("one account tapping two households' codes at once links one household; the other code stays usable", async () => {
    const issued = await issueJoinCodes(deps, { communityId });
    if (issued.kind !== 'issued') throw new Error(issued.kind);
    const [first, second] = [issued.codes[0]?.code ?? '', issued.codes[1]?.code ?? ''];
    const outcomes = await Promise.all(
      [first, second].map((code) =>
        joinHousehold(deps, { platform: 'slack', userId: 'U2X', code }),
      ),
    );
    expect(outcomes.map((o) => o.kind).sort()).toEqual(['already_linked', 'joined']);
    const unused = outcomes[0]?.kind === 'joined' ? second : first;
    expect(
      (await joinHousehold(deps, { platform: 'slack', userId: 'U3Y', code: unused })).kind,
    ).toBe('joined');
  });

  it('reissuing codes retires the unused earlier ones', async () => {
    const old = await issueJoinCodes(deps, { communityId });
    const fresh = await issueJoinCodes(deps, { communityId });
    if (old.kind !== 'issued' || fresh.kind !== 'issued') throw new Error('not issued');
    const oldCode = old.codes[5]?.code ?? '';
    const freshCode = fresh.codes[5]?.code ?? '';
    expect(await joinHousehold(deps, { platform: 'slack', userId: 'U777', code: oldCode })).toEqual(
      { kind: 'code_unknown' },
    );
    expect(
      (await joinHousehold(deps, { platform: 'slack', userId: 'U777', code: freshCode })).kind,
    ).toBe('joined');
  });
});
