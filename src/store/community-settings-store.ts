import type { CommunitySettingsStore } from '../app/community-settings.ts';
import { appendAudit } from './audit-append.ts';
import { toCommunityRecord } from './community-record.ts';
import type { Prisma, PrismaClient } from './generated/prisma/client.ts';

export function prismaCommunitySettingsStore(prisma: PrismaClient): CommunitySettingsStore {
  return {
    async community(communityId) {
      const row = await prisma.community.findUnique({ where: { id: communityId } });
      return row ? { ...toCommunityRecord(row), boardKey: row.boardKey } : undefined;
    },
    async setBoardKey(communityId, key, audit) {
      await prisma.$transaction(async (tx) => {
        await tx.community.update({ where: { id: communityId }, data: { boardKey: key } });
        await appendAudit(tx, audit);
      });
    },
    async setPolicy(communityId, policy, audit) {
      await prisma.$transaction(async (tx) => {
        await tx.community.update({
          where: { id: communityId },
          data: { policy: policy as Prisma.InputJsonObject },
        });
        await appendAudit(tx, audit);
      });
    },
  };
}
