import type { CommunitySettingsStore } from '../app/community-settings.ts';
import { deferAudit } from './audit-append.ts';
import type { Database } from './database.ts';
import { COMMUNITY_COLUMNS, type CommunityRow, toCommunity } from './sql-rows.ts';
import type { SqlValue } from './sql-session.ts';

export function communitySettingsStore({ sql }: Pick<Database, 'sql'>): CommunitySettingsStore {
  /** Sets one column of the community and appends the audit entry, in one transaction. */
  const set = (
    communityId: string,
    column: string,
    value: SqlValue,
    audit: Parameters<typeof deferAudit>[1],
  ) =>
    sql.transaction(async (db) => {
      await db.execute(`UPDATE "Community" SET ${column} = $2 WHERE id = $1`, [communityId, value]);
      deferAudit(db, audit);
    });
  return {
    async community(communityId) {
      const [row] = await sql.query<CommunityRow & { boardKey: string | null }>(
        `SELECT ${COMMUNITY_COLUMNS}, c."boardKey" FROM "Community" c WHERE c.id = $1`,
        [communityId],
      );
      return row ? { ...toCommunity(row), boardKey: row.boardKey } : undefined;
    },
    setBoardKey: (communityId, key, audit) => set(communityId, '"boardKey"', key, audit),
    setPolicy: (communityId, policy, audit) =>
      set(communityId, 'policy', JSON.stringify(policy), audit),
  };
}
