import type { CommunityRecord } from '../app/ports.ts';
import type { Community } from './generated/prisma/client.ts';

export function toCommunityRecord(row: Community): CommunityRecord {
  return {
    id: row.id,
    name: row.name,
    timezone: row.timezone,
    locale: row.locale === 'en' ? 'en' : 'zh-CN',
    policy: (row.policy ?? {}) as Record<string, unknown>,
  };
}
