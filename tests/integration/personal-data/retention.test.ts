import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pruneExpired, sealAllCommunities } from '../../../src/store/maintenance-store.ts';
import {
  pruneRetained,
  RETENTION_MS,
  type RetentionKind,
} from '../../../src/store/retention-store.ts';
import { IDEMPOTENCY_RETENTION_MS, startMaintenance } from '../../../workers/maintenance.ts';
import { createTestDatabase, type TestDatabase } from '../../support/postgres.ts';

// Any fixed instant: the job reads this clock, never the machine's.
const NOW = new Date('2026-03-15T02:00:00.000Z');
const MINUTE = 60_000;
const DAY = 86_400_000;

/** Just past its retention (goes) and just within it (stays), for one kind. */
const ages = (kind: RetentionKind, margin = MINUTE) => ({
  old: new Date(NOW.getTime() - RETENTION_MS[kind] - margin),
  fresh: new Date(NOW.getTime() - RETENTION_MS[kind] + margin),
});

describe('retention: the hourly job deletes what the README table says, when it says', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.drop());

  async function seed(tag: 'old' | 'fresh'): Promise<void> {
    const x = (kind: RetentionKind, margin?: number) => ages(kind, margin)[tag];
    const q = (text: string, values: unknown[]) =>
      db.sql.execute(text, values as (string | number | Date | null)[]);
    await q('INSERT INTO "IdempotencyRecord" (key, outcome, at) VALUES ($1, NULL, $2)', [
      `tg-${tag}`,
      x('idempotency'),
    ]);
    await q(
      `INSERT INTO "Outbox" (id, "communityId", number, kind, "createdAt", "relayedAt")
       VALUES ($1, 'c', 1, 'vote_card', $2, $2)`,
      [`ob-${tag}`, x('outbox')],
    );
    await q(
      `INSERT INTO "JoinAttempt" (id, "communityId", "accountHash", "householdId", at)
       VALUES ($1, 'c', 'h', 'hh', $2)`,
      [`ja-${tag}`, x('joinAttempts')],
    );
    await q(
      `INSERT INTO "DeliveryProblem" (platform, "chatId", reason, at) VALUES ('telegram', $1, 'blocked', $2)`,
      [`dp-${tag}`, x('deliveryProblems')],
    );
    await q(
      `INSERT INTO "ChatMigration" (platform, "fromChatId", "toChatId", at) VALUES ('telegram', $1, 'to', $2)`,
      [`cm-${tag}`, x('chatMigrations')],
    );
    await q(
      `INSERT INTO "CardMessage" (platform, "chatId", "communityId", number, kind, "messageId", "updatedAt")
       VALUES ('telegram', $1, 'c', 1, 'vote_card', '7', $2)`,
      [`card-${tag}`, x('cardMessages')],
    );
    await q(
      `INSERT INTO "WatchAlert" (key, "communityId", rule, number, count, threshold, at)
       VALUES ($1, 'c', 'relay_burst', NULL, 9, 5, $2)`,
      [`wa-${tag}`, x('watchAlerts')],
    );
    await q('INSERT INTO "NoticeSent" (key, at) VALUES ($1, $2)', [`ns-${tag}`, x('noticesSent')]);
    // Days are dates: a whole day either side of the cutoff.
    const day = x('hotTopicDays', DAY).toISOString().slice(0, 10);
    await q(
      `WITH t AS (INSERT INTO "HotTopicTerm" ("communityId", term) VALUES ('c', $1) RETURNING id)
       INSERT INTO "HotTopicDay" ("termId", day, messages, senders, senders7)
       SELECT id, $2::date, 5, 3, 3 FROM t`,
      [`电梯-${tag}`, day],
    );
    await q(
      `INSERT INTO "HotTopicVolume" ("communityId", day, messages) VALUES ('c', $1::date, 50)`,
      [day],
    );
  }

  async function keys(): Promise<string[]> {
    const rows = await db.sql.query<{ k: string }>(
      `SELECT key AS k FROM "IdempotencyRecord" UNION ALL SELECT id FROM "Outbox"
       UNION ALL SELECT id FROM "JoinAttempt" UNION ALL SELECT "chatId" FROM "DeliveryProblem"
       UNION ALL SELECT "fromChatId" FROM "ChatMigration" UNION ALL SELECT "chatId" FROM "CardMessage"
       UNION ALL SELECT key FROM "WatchAlert" UNION ALL SELECT key FROM "NoticeSent"
       UNION ALL SELECT term FROM "HotTopicTerm" UNION ALL SELECT 'volume-' || day::text FROM "HotTopicVolume"`,
    );
    return rows.map((r) => r.k).sort();
  }

  it('one run at a fixed clock deletes each kind just past its age and keeps it just within', async () => {
    await seed('old');
    await seed('fresh');
    expect(RETENTION_MS.idempotency).toBe(IDEMPOTENCY_RETENTION_MS);

    let ran: (r: { pruned: Record<string, number> }) => void = () => {};
    const firstRun = new Promise<{ pruned: Record<string, number> }>((resolve) => {
      ran = resolve;
    });
    const maintenance = await startMaintenance({
      connection: { host: '127.0.0.1', port: 6379 },
      prefix: `t-${randomUUID()}`,
      now: () => NOW,
      everyMs: 60_000,
      tasks: {
        sealAudit: (at) => sealAllCommunities(db, at),
        prune: (cutoffs) => pruneExpired(db, cutoffs),
        retain: (at) => pruneRetained(db, at),
      },
      onRun: (result) => ran(result),
    });
    const result = await firstRun.finally(() => maintenance.close());

    expect(result.pruned).toEqual({
      idempotency: 1,
      outbox: 1,
      joinAttempts: 1,
      deliveryProblems: 1,
      chatMigrations: 1,
      hotTopicDays: 2,
      cardMessages: 1,
      watchAlerts: 1,
      noticesSent: 1,
    });
    const freshDay = ages('hotTopicDays', DAY).fresh.toISOString().slice(0, 10);
    expect(await keys()).toEqual(
      [
        'tg-fresh',
        'ob-fresh',
        'ja-fresh',
        'dp-fresh',
        'cm-fresh',
        'card-fresh',
        'wa-fresh',
        'ns-fresh',
        '电梯-fresh',
        `volume-${freshDay}`,
      ].sort(),
    );
    // Idempotent: a second run at the same instant deletes nothing.
    const again = await pruneRetained(db, NOW);
    expect(Object.values(again).every((n) => n === 0)).toBe(true);
  });
});
