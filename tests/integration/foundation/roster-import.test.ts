import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../support/postgres.ts';
import { runCli } from '../../support/processes.ts';
import { rosterLines, writeRoster } from '../../support/roster.ts';

async function snapshot(db: TestDatabase) {
  const [buildings, households, residents, identities, units] = await Promise.all([
    db.prisma.building.findMany({ orderBy: { id: 'asc' } }),
    db.prisma.household.findMany({ orderBy: { id: 'asc' } }),
    db.prisma.resident.findMany({ orderBy: { id: 'asc' } }),
    db.prisma.chatIdentity.findMany({ orderBy: { id: 'asc' } }),
    db.prisma.executingUnit.findMany({ orderBy: { id: 'asc' } }),
  ]);
  return { buildings, households, residents, identities, units };
}

describe('yishi roster import', () => {
  let db: TestDatabase;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let communityId: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    dir = await mkdtemp(join(tmpdir(), 'yishi-roster-'));
    env = { DATABASE_URL: db.url };
    const created = await runCli(['community', 'create', '--name', '幸福里社区', '--json'], env);
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    communityId = (JSON.parse(created.stdout) as { id: string }).id;
  });
  afterAll(async () => {
    await db.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('imports nothing when one of 1,001 rows is bad, and names the bad line', async () => {
    const lines = rosterLines(1000);
    lines.splice(500, 0, '11,1101,张三,resident;mayor,,');
    const file = await writeRoster(join(dir, 'bad.csv'), lines);
    const run = await runCli(['roster', 'import', '--community', communityId, file], env);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('line 502: roles: unknown role "mayor"');
    expect(run.stderr).toContain('nothing imported: 1 problem(s) in 1 line(s) of 1001');
    expect(await db.prisma.resident.count()).toBe(0);
    expect(await db.prisma.household.count()).toBe(0);
  });

  it('lists every bad line, not only the first', async () => {
    const lines = rosterLines(10);
    lines[2] = ',101,李四,resident,,';
    lines[7] = '1,102,王五,resident,not-a-number,';
    const file = await writeRoster(join(dir, 'two-bad.csv'), lines);
    const run = await runCli(['roster', 'import', '--community', communityId, file], env);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('line 4: building is empty');
    expect(run.stderr).toContain('line 9: telegram_user_id must be the numeric Telegram user id');
  });

  it('imports 1,000 rows once; the same file again leaves identical rows', async () => {
    const file = await writeRoster(join(dir, 'good.csv'), rosterLines(1000));
    const first = await runCli(['roster', 'import', '--community', communityId, file], env);
    expect(first.stderr).toBe('');
    expect(first.stdout).toContain(
      'imported 1000 rows: 1000 created, 0 updated, 0 unchanged; 1000 households in 20 buildings',
    );
    const before = await snapshot(db);
    expect(before.residents).toHaveLength(1000);
    expect(before.identities).toHaveLength(1000);
    expect(before.units.map((u) => u.name)).toEqual(['物业']);

    const second = await runCli(['roster', 'import', '--community', communityId, file], env);
    expect(second.stdout).toContain('0 created, 0 updated, 1000 unchanged');
    expect(await snapshot(db)).toEqual(before);
  });

  it('updates a changed row in place', async () => {
    const lines = rosterLines(1000);
    lines[5] = lines[5]?.replace(',resident,', ',resident;supervisor,') ?? '';
    const file = await writeRoster(join(dir, 'changed.csv'), lines);
    const run = await runCli(['roster', 'import', '--community', communityId, file], env);
    expect(run.stdout).toContain('0 created, 1 updated, 999 unchanged');
    const resident = await db.prisma.resident.findFirst({ where: { name: '居民5' } });
    expect(resident?.roles.sort()).toEqual(['resident', 'supervisor']);
    expect(await db.prisma.resident.count()).toBe(1000);
  });

  it('refuses an unknown community and a missing file', async () => {
    const file = await writeRoster(join(dir, 'small.csv'), rosterLines(2));
    const unknown = await runCli(['roster', 'import', '--community', 'nope', file], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no community with id nope');
    const missing = await runCli(
      ['roster', 'import', '--community', communityId, join(dir, 'none.csv')],
      env,
    );
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no such file');
  });
});
