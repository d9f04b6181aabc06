/** The watch rules' reads and the alert's three writes (src/app/ports/watch.ts). */

import type { WatchStore, WatchTx } from '../app/ports/watch.ts';
import type { WatchAlertReader, WatchAlertView } from '../app/watch-alert.ts';
import type { WatchFinding } from '../domain/watch.ts';
import { deferAudit } from './audit-append.ts';
import type { Database } from './database.ts';
import type { SqlDriver } from './sql-driver.ts';
import type { SqlSession } from './sql-session.ts';

/** The outbox kind that carries an alert to the supervision group (workers/outbox-relay.ts). */
export const WATCH_ALERT = 'watch_alert';

const countOf = async (db: SqlSession, text: string, values: (string | Date | null)[]) => {
  const [row] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${text}`, values);
  return row?.n ?? 0;
};

function watchTx(db: SqlSession): WatchTx {
  return {
    async policy(communityId) {
      const [row] = await db.query<{ policy: Record<string, unknown> }>(
        'SELECT policy FROM "Community" WHERE id = $1',
        [communityId],
      );
      return row?.policy;
    },

    async relayCounts(q) {
      const [row] = await db.query<{
        burst: number;
        relayed: number;
        building: number;
        last: number | null;
        eligible: number;
      }>(
        `SELECT
           (SELECT count(DISTINCT "voterKey")::int FROM (
              SELECT "voterKey" FROM "Ballot"
              WHERE "proposalId" = $1 AND channel = 'relay' AND "castBy" = $2 AND "castAt" >= $3
              UNION ALL
              SELECT "voterKey" FROM "BallotHistory"
              WHERE "proposalId" = $1 AND channel = 'relay' AND "castBy" = $2 AND "castAt" >= $3) r) AS burst,
           (SELECT count(*)::int FROM "Ballot"
            WHERE "proposalId" = $1 AND channel = 'relay' AND "castBy" = $2) AS relayed,
           (SELECT count(DISTINCT "householdId")::int FROM "Eligibility"
            WHERE "proposalId" = $1 AND "buildingId" = $4) AS building,
           CASE WHEN $5::timestamp(3) IS NULL THEN NULL ELSE
             (SELECT count(*)::int FROM "Ballot"
              WHERE "proposalId" = $1 AND channel = 'relay' AND "castAt" >= $5::timestamp(3)) END AS last,
           (SELECT count(*)::int FROM "Eligibility" WHERE "proposalId" = $1) AS eligible`,
        [q.proposalId, q.representativeId, q.burstSince, q.buildingId, q.lastMinutesSince],
      );
      return {
        burst: row?.burst ?? 0,
        relayedForBuilding: row?.relayed ?? 0,
        buildingHouseholds: row?.building ?? 0,
        lastMinutes: row?.last ?? null,
        eligible: row?.eligible ?? 0,
      };
    },

    async recordJoinAttempt(a) {
      db.defer(
        `INSERT INTO "JoinAttempt" (id, "communityId", "accountHash", "householdId", at)
         VALUES ($1, $2, $3, $4, $5)`,
        [a.id, a.communityId, a.accountHash, a.householdId, a.at],
      );
    },

    householdsTried: (communityId, accountHash, since) =>
      countOf(
        db,
        `(SELECT DISTINCT "householdId" FROM "JoinAttempt"
          WHERE "communityId" = $1 AND "accountHash" = $2 AND at >= $3) h`,
        [communityId, accountHash, since],
      ),

    async votesOpening(communityId, from, to) {
      return db.query<{ proposalId: string; number: number; votingOpensAt: Date }>(
        `SELECT id AS "proposalId", number, "votingOpensAt" FROM "Proposal"
         WHERE "communityId" = $1 AND state = 'noticed'
           AND "votingOpensAt" > $2 AND "votingOpensAt" <= $3
         ORDER BY number`,
        [communityId, from, to],
      );
    },

    joinsBetween: (communityId, from, to) =>
      countOf(db, `"JoinCode" WHERE "communityId" = $1 AND "usedAt" >= $2 AND "usedAt" < $3`, [
        communityId,
        from,
        to,
      ]),

    async raise(communityId, f: WatchFinding, at) {
      const inserted = await db.execute(
        `INSERT INTO "WatchAlert" (key, "communityId", rule, number, count, threshold, at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`,
        [f.key, communityId, f.rule, f.number, f.count, f.threshold, at],
      );
      if (inserted === 0) return false;
      // Same key as the alert: should retention have dropped the alert, the outbox still holds it once.
      db.defer(
        `INSERT INTO "Outbox" (id, "communityId", number, kind, announcement, "createdAt")
         VALUES ($1, $2, $3, $4, false, $5) ON CONFLICT DO NOTHING`,
        [f.key, communityId, f.number ?? 0, WATCH_ALERT, at],
      );
      deferAudit(db, {
        communityId,
        actor: 'system',
        action: 'watch.alert',
        subject: f.subject,
        payload: {
          rule: f.rule,
          count: f.count,
          threshold: f.threshold,
          number: f.number,
          key: f.key,
        },
        at,
      });
      return true;
    },
  };
}

export function watchStore({ sql }: Pick<Database, 'sql'>): WatchStore {
  return {
    transact: (lock, work) =>
      sql.transaction(async (db) => {
        if (lock !== null) {
          await db.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
            `watch:${lock}`,
          ]);
        }
        return work(watchTx(db));
      }),
  };
}

/** The alert a supervisor's notice renders (src/app/watch-alert.ts). */
export function watchAlertReader({ sql }: { sql: SqlDriver }): WatchAlertReader {
  return {
    async watchAlert(key) {
      const [row] = await sql.query<WatchAlertView>(
        'SELECT rule, number, count, threshold FROM "WatchAlert" WHERE key = $1',
        [key],
      );
      return row;
    },
  };
}
