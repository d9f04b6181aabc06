/**
 * A community on a test database: roster of `households` households in
 * buildings of `perBuilding`, `membersPerHousehold` residents each; residents
 * 0 (committee), 1 (representative of building 1), 2 (executor of 物业) hold offices.
 */
import { randomUUID } from 'node:crypto';
import type { CoreDeps } from '../../src/app/core.ts';
import { createCommunity } from '../../src/app/create-community.ts';
import { importRoster } from '../../src/app/import-roster.ts';
import type { ActorRef } from '../../src/app/ports/store.ts';
import { rosterDeps } from '../../src/runtime/roster-deps.ts';
import { deliberationStore } from '../../src/store/deliberation-store.ts';
import { digestJustPassed } from './digest.ts';
import type { TestDatabase } from './postgres.ts';
import { rolesFor } from './roster.ts';

export type TestClock = { now: () => Date; set: (at: Date) => void; advance: (ms: number) => void };

const DEFAULT_START = new Date('2026-12-01T02:00:00.000Z');
const WEEK_MS = 7 * 86_400_000;

/**
 * The default start moved on by whole weeks (same weekday and hour) to at
 * least `aheadMs` after the system clock: for a test whose use cases run on
 * the test clock while workers run on the system clock, so the calendar never
 * catches up with its deadlines (the fixed start lies behind it from the
 * day after it).
 */
export function futureTestClock(aheadMs = 60 * 86_400_000): TestClock {
  const weeks = Math.max(0, Math.ceil((Date.now() + aheadMs - DEFAULT_START.getTime()) / WEEK_MS));
  return testClock(new Date(DEFAULT_START.getTime() + weeks * WEEK_MS));
}

export function testClock(start = DEFAULT_START): TestClock {
  let current = start;
  return {
    now: () => current,
    set: (at) => {
      current = at;
    },
    advance: (ms) => {
      current = new Date(current.getTime() + ms);
    },
  };
}

export type TestCommunity = {
  id: string;
  deps: CoreDeps;
  clock: TestClock;
  /** Residents in roster order, with their household and building. */
  residents: { id: string; name: string; householdId: string; unit: string; building: string }[];
  as: (index: number) => ActorRef;
};

/**
 * A policy made independent of the hour a test runs at. On the system clock, a digest
 * falling due during the test would add a push at one moment of the week: this week's
 * is put an hour back, so the next is days away. Quiet hours (22:00-08:00 by default)
 * would hold every announcement for ten hours of each day: none, unless the test sets
 * them (their own tests inject the clock).
 */
function onSystemClock(policy: Record<string, unknown>): Record<string, unknown> {
  return {
    ...policy,
    ...('digest' in policy ? {} : { digest: digestJustPassed(new Date()) }),
    ...('quietHours' in policy ? {} : { quietHours: null }),
  };
}

export async function seedCommunity(
  db: TestDatabase,
  options: {
    households: number;
    perBuilding?: number;
    membersPerHousehold?: number;
    policy?: Record<string, unknown>;
    clock?: TestClock;
    realClock?: boolean;
    /** The Slack user id the roster gives resident i (`slack_user_id`, linked at import). */
    slackUserOf?: (index: number) => string;
  },
): Promise<TestCommunity> {
  const clock = options.clock ?? testClock();
  const perBuilding = options.perBuilding ?? 50;
  const members = options.membersPerHousehold ?? 1;
  const roster = rosterDeps(db);
  const policy = options.policy ?? {};
  const created = await createCommunity(roster, {
    name: `社区-${randomUUID().slice(0, 6)}`,
    policy: options.realClock ? onSystemClock(policy) : policy,
  });
  if (created.kind !== 'created') throw new Error(created.errors.join('; '));
  const records: Record<string, string>[] = [];
  for (let h = 0; h < options.households; h++) {
    for (let m = 0; m < members; m++) {
      const i = records.length;
      const roles = rolesFor(i);
      records.push({
        building: String(Math.floor(h / perBuilding) + 1),
        unit: String(100 + (h % perBuilding)),
        name: `居民${h}-${m}`,
        roles,
        ...(options.slackUserOf ? { slack_user_id: options.slackUserOf(i) } : {}),
      });
    }
  }
  const imported = await importRoster(roster, { communityId: created.id, records });
  if (imported.kind !== 'imported') throw new Error(JSON.stringify(imported));
  const rows = await db.prisma.resident.findMany({
    where: { communityId: created.id },
    include: { household: { include: { building: true } } },
  });
  const byName = new Map(rows.map((r) => [r.name, r]));
  const residents = records.map((r) => {
    const row = byName.get(r.name ?? '');
    if (!row) throw new Error(`missing ${r.name}`);
    return {
      id: row.id,
      name: row.name,
      householdId: row.householdId,
      unit: row.household.unit,
      building: row.household.building.name,
    };
  });
  const deps: CoreDeps = {
    clock: options.realClock ? { now: () => new Date() } : clock,
    ids: { next: () => randomUUID() },
    store: deliberationStore(db),
  };
  return {
    id: created.id,
    deps,
    clock,
    residents,
    as: (index) => {
      const r = residents[index];
      if (!r) throw new Error(`no resident ${index}`);
      return { kind: 'resident', residentId: r.id };
    },
  };
}
