/**
 * Watchfulness (issue 16, done-when 3): each rule fires when its pattern
 * happens and reaches every supervisor once, in a private message, through
 * the real outbox relay and push worker to the fake Bot API; repeating the
 * pattern in the same period sends nothing more; the same volume of normal
 * activity sends nothing. The use cases run on a fixed clock, so the rules'
 * windows never depend on when the test runs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueJoinCodes } from '../../../src/app/issue-join-codes.ts';
import { joinHousehold } from '../../../src/app/join-household.ts';
import { propose } from '../../../src/app/propose.ts';
import { relayVote } from '../../../src/app/relay-vote.ts';
import { accountHash } from '../../../src/app/watch.ts';
import { rosterDeps } from '../../../src/runtime/roster-deps.ts';
import { joinCodeStore } from '../../../src/store/roster-store.ts';
import { watchStore } from '../../../src/store/watch-store.ts';
import { futureTestClock, seedCommunity, type TestCommunity } from '../../support/community.ts';
import type { FakeTelegram } from '../../support/fake-telegram.ts';
import { startFakeTelegram } from '../../support/fake-telegram.ts';
import { createTestDatabase, type TestDatabase } from '../../support/postgres.ts';
import {
  linkTelegramAccounts,
  type Pipeline,
  startPipeline,
  startTelegramGateway,
  TEST_TOKEN,
  type TelegramGateway,
  userIdOf,
} from '../../support/telegram.ts';
import { openedVote } from '../../support/voting.ts';
import { auditOf } from '../../support/workers.ts';

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** Roster positions made supervisors (2 of them), and one committee member who must hear nothing. */
const SUPERVISORS = [3, 4];
const COMMITTEE = 0;

let db: TestDatabase;
let fake: FakeTelegram;
let gw: TelegramGateway;
let pipeline: Pipeline;
/** How long each alert took from the event that completed its pattern to the last supervisor's message. */
const latencies: Record<string, number> = {};

const alertsTo = (index: number) =>
  fake.messagesIn(userIdOf(index)).filter((m) => m.text.includes('异常提醒'));

async function community(options: { households: number; perBuilding?: number }) {
  // The pipeline's deadline workers run on the system clock: the test clock stays weeks ahead
  // of it, or they would open and close these votes themselves once the calendar got there.
  const c = await seedCommunity(db, {
    ...options,
    clock: futureTestClock(),
    policy: { quietHours: null },
  });
  c.deps.watch = watchStore(db);
  await db.sql.execute(
    `UPDATE "Resident" SET roles = '{resident,supervisor}' WHERE id = ANY($1::text[])`,
    [SUPERVISORS.map((i) => c.residents[i]?.id ?? '')],
  );
  await linkTelegramAccounts(db, c, [COMMITTEE, 1, ...SUPERVISORS]);
  return c;
}

/** Settles the pipeline: every outbox row relayed and every push sent. */
async function settled(communityId: string): Promise<void> {
  const until = Date.now() + 10_000;
  for (;;) {
    const [row] = await db.sql.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM "Outbox" WHERE "communityId" = $1 AND "relayedAt" IS NULL`,
      [communityId],
    );
    if (row?.n === 0) break;
    if (Date.now() > until) throw new Error('outbox not relayed in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  await pipeline.drained(10_000);
}

/** Waits (at most 10 s) for one alert per supervisor; returns the time it took. */
async function eachSupervisorTold(since: number, count = 1): Promise<number> {
  await fake.until(() => SUPERVISORS.every((i) => alertsTo(i).length >= count), 10_000);
  return Date.now() - since;
}

async function expectAlertedOnce(c: TestCommunity, rule: string, text: string) {
  await settled(c.id);
  for (const i of SUPERVISORS) {
    const told = alertsTo(i);
    expect(told, `supervisor ${i}`).toHaveLength(1);
    expect(told[0]?.text).toContain(text);
  }
  // Nobody else hears of it: not the committee, not the representative.
  expect(alertsTo(COMMITTEE)).toHaveLength(0);
  expect(alertsTo(1)).toHaveLength(0);
  const audit = await auditOf(db, c.id, 'watch.alert');
  expect(audit.map((a) => (a.payload as { rule: string }).rule)).toEqual([rule]);
}

async function expectSilent(c: TestCommunity) {
  await settled(c.id);
  for (const i of SUPERVISORS) expect(alertsTo(i)).toHaveLength(0);
  expect(await auditOf(db, c.id, 'watch.alert')).toHaveLength(0);
}

/** Relays a paper ballot for household `h` (building 1, unit 100 + h) as the representative. */
async function relay(c: TestCommunity, number: number, h: number) {
  const outcome = await relayVote(c.deps, {
    actor: c.as(1),
    number,
    unit: String(100 + h),
    choice: 'for',
    paperRef: `P-${h}`,
  });
  expect(outcome.kind).toBe('recorded');
}

const joinDeps = (c: TestCommunity) => ({
  clock: c.clock,
  ids: c.deps.ids,
  joinCodes: joinCodeStore(db),
  watch: c.deps.watch,
});

async function codesOf(c: TestCommunity): Promise<string[]> {
  const issued = await issueJoinCodes({ ...rosterDeps(db), clock: c.clock }, { communityId: c.id });
  if (issued.kind !== 'issued') throw new Error(issued.kind);
  return issued.codes.map((code) => code.code);
}

/** A proposal whose vote opens at `opensAt` (noticed), as after /schedule. */
async function voteOpeningAt(c: TestCommunity, opensAt: Date): Promise<number> {
  const proposed = await propose(c.deps, {
    actor: c.as(0),
    title: '停车管理',
    category: 'parking',
  });
  if (proposed.kind !== 'proposed') throw new Error(proposed.kind);
  await db.sql.execute(
    `UPDATE "Proposal" SET state = 'noticed', "votingOpensAt" = $2 WHERE "communityId" = $1 AND number = $3`,
    [c.id, opensAt, proposed.number],
  );
  return proposed.number;
}

beforeAll(async () => {
  db = await createTestDatabase();
  fake = await startFakeTelegram({ token: TEST_TOKEN, limits: false });
  const any = await seedCommunity(db, { households: 1 });
  gw = await startTelegramGateway(db, any.deps, { fake });
  pipeline = await startPipeline(db, gw.adapter.sender, { coalesceMs: 50 });
});

afterAll(async () => {
  await pipeline?.close();
  await gw?.close();
  await fake?.close();
  await db?.drop();
  console.info('watch alert latency (event to every supervisor, ms):', latencies);
});

describe('a representative relaying a burst of ballots', () => {
  it('11 relays within 10 minutes alert every supervisor once; more relays add nothing', async () => {
    fake.reset();
    const c = await community({ households: 30 });
    const number = await openedVote(c, 7 * DAY);
    let last = 0;
    for (let h = 5; h < 16; h++) {
      c.clock.advance(30 * SECOND);
      last = Date.now();
      await relay(c, number, h);
    }
    latencies.relay_burst = await eachSupervisorTold(last);
    expect(latencies.relay_burst).toBeLessThan(10_000);
    for (let h = 16; h < 20; h++) {
      c.clock.advance(30 * SECOND);
      await relay(c, number, h);
    }
    await expectAlertedOnce(c, 'relay_burst', `#${number}`);
    expect(alertsTo(3)[0]?.text).toContain(
      `在 10 分钟内为 #${number} 代投了 11 张纸质选票（提醒线 10 张）`,
    );
  });

  it('the same 11 relays spread over an afternoon alert no one', async () => {
    fake.reset();
    const c = await community({ households: 30 });
    const number = await openedVote(c, 7 * DAY);
    for (let h = 5; h < 16; h++) {
      c.clock.advance(2 * MINUTE + SECOND);
      await relay(c, number, h);
    }
    await expectSilent(c);
  });
});

describe('a representative relaying for most of their building', () => {
  it('5 of a building of 8 households alert every supervisor once', async () => {
    fake.reset();
    const c = await community({ households: 16, perBuilding: 8 });
    const number = await openedVote(c, 7 * DAY);
    let last = 0;
    for (let h = 2; h < 7; h++) {
      c.clock.advance(5 * MINUTE);
      last = Date.now();
      await relay(c, number, h);
    }
    latencies.relay_share = await eachSupervisorTold(last);
    c.clock.advance(5 * MINUTE);
    await relay(c, number, 7);
    await expectAlertedOnce(c, 'relay_share', `#${number}`);
  });

  it('5 of a building of 20 alert no one', async () => {
    fake.reset();
    const c = await community({ households: 20 });
    const number = await openedVote(c, 7 * DAY);
    for (let h = 2; h < 7; h++) {
      c.clock.advance(5 * MINUTE);
      await relay(c, number, h);
    }
    await expectSilent(c);
  });
});

describe("a vote's turnout jumping in its last minutes by relays", () => {
  const closesAt = async (c: TestCommunity, number: number) => {
    const [row] = await db.sql.query<{ at: Date }>(
      `SELECT "votingClosesAt" AS at FROM "Proposal" WHERE "communityId" = $1 AND number = $2`,
      [c.id, number],
    );
    if (!row) throw new Error('no vote');
    return row.at;
  };

  it('7 relays (over 15% of 40) in the last 10 minutes alert every supervisor once', async () => {
    fake.reset();
    const c = await community({ households: 40 });
    const number = await openedVote(c, 7 * DAY);
    c.clock.set(new Date((await closesAt(c, number)).getTime() - 9 * MINUTE));
    let last = 0;
    for (let h = 5; h < 12; h++) {
      c.clock.advance(30 * SECOND);
      last = Date.now();
      await relay(c, number, h);
    }
    latencies.last_minutes_relays = await eachSupervisorTold(last);
    c.clock.advance(30 * SECOND);
    await relay(c, number, 12);
    await expectAlertedOnce(c, 'last_minutes_relays', `#${number}`);
  });

  it('the same 7 relays an hour before the close alert no one', async () => {
    fake.reset();
    const c = await community({ households: 40 });
    const number = await openedVote(c, 7 * DAY);
    c.clock.set(new Date((await closesAt(c, number)).getTime() - HOUR));
    for (let h = 5; h < 12; h++) {
      c.clock.advance(30 * SECOND);
      await relay(c, number, h);
    }
    await expectSilent(c);
  });
});

describe('a wave of joins before a vote opens', () => {
  it('5 joins in the 6 hours before the opening alert every supervisor once; a 6th adds nothing', async () => {
    fake.reset();
    const c = await community({ households: 12 });
    const codes = await codesOf(c);
    const opensAt = new Date(c.clock.now().getTime() + 7 * DAY);
    const number = await voteOpeningAt(c, opensAt);
    c.clock.set(new Date(opensAt.getTime() - 5 * HOUR));
    let last = 0;
    for (let i = 0; i < 5; i++) {
      c.clock.advance(10 * MINUTE);
      last = Date.now();
      const joined = await joinHousehold(joinDeps(c), {
        platform: 'telegram',
        userId: `88000${i}`,
        code: codes[5 + i] ?? '',
      });
      expect(joined.kind).toBe('joined');
    }
    latencies.join_surge = await eachSupervisorTold(last);
    await joinHousehold(joinDeps(c), {
      platform: 'telegram',
      userId: '880009',
      code: codes[10] ?? '',
    });
    await expectAlertedOnce(c, 'join_surge', `#${number}`);
  });

  it('the same 5 joins a day apart in the week before alert no one', async () => {
    fake.reset();
    const c = await community({ households: 12 });
    const codes = await codesOf(c);
    const opensAt = new Date(c.clock.now().getTime() + 7 * DAY);
    await voteOpeningAt(c, opensAt);
    c.clock.set(new Date(opensAt.getTime() - 5 * DAY));
    for (let i = 0; i < 5; i++) {
      c.clock.advance(DAY - HOUR);
      const joined = await joinHousehold(joinDeps(c), {
        platform: 'telegram',
        userId: `88100${i}`,
        code: codes[5 + i] ?? '',
      });
      expect(joined.kind).toBe('joined');
    }
    await expectSilent(c);
  });
});

describe("one chat account trying several households' codes", () => {
  it('codes of 3 households from one account alert every supervisor once; a 4th the same day adds nothing', async () => {
    fake.reset();
    const c = await community({ households: 12 });
    const codes = await codesOf(c);
    const kinds: string[] = [];
    let last = 0;
    for (const code of codes.slice(5, 8)) {
      c.clock.advance(MINUTE);
      last = Date.now();
      kinds.push(
        (await joinHousehold(joinDeps(c), { platform: 'telegram', userId: '882000', code })).kind,
      );
    }
    expect(kinds).toEqual(['joined', 'already_linked', 'already_linked']);
    latencies.join_codes = await eachSupervisorTold(last);
    c.clock.advance(HOUR);
    await joinHousehold(joinDeps(c), {
      platform: 'telegram',
      userId: '882000',
      code: codes[8] ?? '',
    });
    await expectAlertedOnce(
      c,
      'join_codes',
      '同一个聊天账号在 24 小时内尝试了 3 户的入户码（提醒线 2 户）',
    );
    // The alert and the attempts name no account: only its hash's prefix, in the audit subject.
    const [entry] = await auditOf(db, c.id, 'watch.alert');
    expect(JSON.stringify(entry)).not.toContain('882000');
    // Kept under the hash erasure deletes by (src/store/personal-data-store.ts).
    const attempts = await db.sql.query<{ householdId: string }>(
      `SELECT "householdId" FROM "JoinAttempt" WHERE "accountHash" = $1`,
      [accountHash('telegram', '882000')],
    );
    expect(new Set(attempts.map((a) => a.householdId)).size).toBe(4);
  });

  it('three accounts each joining their own household alert no one', async () => {
    fake.reset();
    const c = await community({ households: 12 });
    const codes = await codesOf(c);
    for (const [i, code] of codes.slice(5, 8).entries()) {
      c.clock.advance(MINUTE);
      const joined = await joinHousehold(joinDeps(c), {
        platform: 'telegram',
        userId: `88300${i}`,
        code,
      });
      expect(joined.kind).toBe('joined');
    }
    await expectSilent(c);
  });
});
