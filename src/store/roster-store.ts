import type {
  AuditInput,
  ChatBindingInput,
  ChatBindingOutcome,
  ChatBindingStore,
  CommunityStore,
  IdSource,
  JoinCodeGrant,
  JoinCodeStore,
  JoinRedemption,
  Platform,
  RosterEntry,
  RosterImportSummary,
  RosterStore,
} from '../app/ports.ts';
import { appendAudit } from './audit-append.ts';
import { toCommunityRecord } from './community-record.ts';
import type { PrismaClient } from './generated/prisma/client.ts';

// A large roster is one transaction; Prisma's 5 s default is too short for it.
const LONG_TRANSACTION = { timeout: 120_000, maxWait: 10_000 };

export function prismaCommunityStore(prisma: PrismaClient): CommunityStore {
  return {
    async create(community, audit) {
      await prisma.$transaction(async (tx) => {
        await tx.community.create({ data: { ...community, policy: community.policy as object } });
        await appendAudit(tx, audit);
      });
    },
    async get(id) {
      const row = await prisma.community.findUnique({ where: { id } });
      return row ? toCommunityRecord(row) : undefined;
    },
  };
}

const sameRoles = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && [...a].sort().join(';') === [...b].sort().join(';');

export function prismaRosterStore(prisma: PrismaClient): RosterStore {
  return {
    async apply(communityId, entries, ids, audit) {
      return prisma.$transaction(async (tx) => {
        // Serialise imports of one community: two concurrent imports would race on creates.
        await tx.$queryRaw`SELECT id FROM "Community" WHERE id = ${communityId} FOR UPDATE`;
        const [buildings, households, units, residents, identities] = await Promise.all([
          tx.building.findMany({ where: { communityId } }),
          tx.household.findMany({ where: { communityId } }),
          tx.executingUnit.findMany({ where: { communityId } }),
          tx.resident.findMany({ where: { communityId } }),
          tx.chatIdentity.findMany({ where: { communityId } }),
        ]);
        const buildingId = new Map(buildings.map((b) => [b.name, b.id]));
        const householdId = new Map(households.map((h) => [`${h.buildingId}/${h.unit}`, h.id]));
        const unitId = new Map(units.map((u) => [u.name, u.id]));
        const residentByKey = new Map(residents.map((r) => [`${r.householdId}/${r.name}`, r]));
        const identityByKey = new Map(identities.map((i) => [`${i.platform}/${i.userId}`, i]));

        const newBuildings: { id: string; communityId: string; name: string }[] = [];
        const newHouseholds: {
          id: string;
          communityId: string;
          buildingId: string;
          unit: string;
        }[] = [];
        const newUnits: { id: string; communityId: string; name: string }[] = [];
        const newResidents: RosterResidentRow[] = [];
        const changedResidents: RosterResidentRow[] = [];
        const newIdentities: {
          id: string;
          communityId: string;
          residentId: string;
          platform: Platform;
          userId: string;
        }[] = [];
        const movedIdentities: { id: string; residentId: string }[] = [];
        let unchanged = 0;

        for (const entry of entries) {
          let bId = buildingId.get(entry.building);
          if (!bId) {
            bId = ids.next();
            buildingId.set(entry.building, bId);
            newBuildings.push({ id: bId, communityId, name: entry.building });
          }
          let hId = householdId.get(`${bId}/${entry.unit}`);
          if (!hId) {
            hId = ids.next();
            householdId.set(`${bId}/${entry.unit}`, hId);
            newHouseholds.push({ id: hId, communityId, buildingId: bId, unit: entry.unit });
          }
          let uId: string | null = null;
          if (entry.executingUnit) {
            uId = unitId.get(entry.executingUnit) ?? null;
            if (!uId) {
              uId = ids.next();
              unitId.set(entry.executingUnit, uId);
              newUnits.push({ id: uId, communityId, name: entry.executingUnit });
            }
          }
          const existing = residentByKey.get(`${hId}/${entry.name}`);
          const residentId = existing?.id ?? ids.next();
          const row: RosterResidentRow = {
            id: residentId,
            communityId,
            householdId: hId,
            name: entry.name,
            roles: entry.roles,
            executingUnitId: uId,
          };
          let changed = false;
          if (!existing) newResidents.push(row);
          else if (!sameRoles(existing.roles, entry.roles) || existing.executingUnitId !== uId) {
            changedResidents.push(row);
            changed = true;
          }
          for (const [platform, userId] of [
            ['telegram', entry.telegramUserId],
            ['slack', entry.slackUserId],
          ] as const) {
            if (!userId) continue;
            const identity = identityByKey.get(`${platform}/${userId}`);
            if (!identity) {
              newIdentities.push({ id: ids.next(), communityId, residentId, platform, userId });
              changed = true;
            } else if (identity.residentId !== residentId) {
              movedIdentities.push({ id: identity.id, residentId });
              changed = true;
            }
          }
          if (existing && !changed) unchanged += 1;
        }

        if (newBuildings.length) await tx.building.createMany({ data: newBuildings });
        if (newHouseholds.length) await tx.household.createMany({ data: newHouseholds });
        if (newUnits.length) await tx.executingUnit.createMany({ data: newUnits });
        if (newResidents.length) await tx.resident.createMany({ data: newResidents });
        for (const r of changedResidents) {
          await tx.resident.update({
            where: { id: r.id },
            data: { roles: r.roles, executingUnitId: r.executingUnitId },
          });
        }
        for (const m of movedIdentities) {
          await tx.chatIdentity.update({ where: { id: m.id }, data: { residentId: m.residentId } });
        }
        if (newIdentities.length) await tx.chatIdentity.createMany({ data: newIdentities });

        const summary: RosterImportSummary = {
          created: newResidents.length,
          updated: entries.length - newResidents.length - unchanged,
          unchanged,
          households: householdId.size,
          buildings: buildingId.size,
        };
        if (summary.created + summary.updated > 0) {
          await appendAudit(tx, { ...audit, payload: { ...summary, rows: entries.length } });
        }
        return summary;
      }, LONG_TRANSACTION);
    },

    async households(communityId) {
      const rows = await prisma.household.findMany({
        where: { communityId },
        include: { building: { select: { name: true } } },
      });
      return rows
        .map((h) => ({ id: h.id, building: h.building.name, unit: h.unit }))
        .sort((a, b) =>
          a.building === b.building
            ? a.unit.localeCompare(b.unit, 'en', { numeric: true })
            : a.building.localeCompare(b.building, 'en', { numeric: true }),
        );
    },
  };
}

type RosterResidentRow = {
  id: string;
  communityId: string;
  householdId: string;
  name: string;
  roles: RosterEntry['roles'];
  executingUnitId: string | null;
};

export function prismaJoinCodeStore(prisma: PrismaClient): JoinCodeStore {
  return {
    async replace(communityId, grants: readonly JoinCodeGrant[], ids: IdSource, audit) {
      await prisma.$transaction(async (tx) => {
        await tx.joinCode.updateMany({
          where: {
            communityId,
            householdId: { in: grants.map((g) => g.householdId) },
            usedAt: null,
            revokedAt: null,
          },
          data: { revokedAt: audit.at },
        });
        await tx.joinCode.createMany({
          data: grants.map((g) => ({
            id: ids.next(),
            communityId,
            householdId: g.householdId,
            codeHash: g.codeHash,
            createdAt: audit.at,
          })),
        });
        await appendAudit(tx, { ...audit, payload: { households: grants.length } });
      }, LONG_TRANSACTION);
    },

    async redeem(codeHash, identity, ids, at): Promise<JoinRedemption> {
      return prisma.$transaction(async (tx) => {
        // One account's redemptions run one after another, so two codes tapped at once by the
        // same account link it once (the second reads as already linked), not a key violation.
        await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`join:${identity.platform}:${identity.userId}`}, 0))`;
        const code = await tx.joinCode.findUnique({
          where: { codeHash },
          include: {
            household: {
              include: { building: true, residents: { include: { chatIdentities: true } } },
            },
            community: true,
          },
        });
        if (!code || code.revokedAt) return { kind: 'code_unknown' };
        const { household } = code;
        const existing = await tx.chatIdentity.findUnique({
          where: {
            communityId_platform_userId: {
              communityId: code.communityId,
              platform: identity.platform,
              userId: identity.userId,
            },
          },
          include: { resident: { include: { household: { include: { building: true } } } } },
        });
        if (existing) {
          return {
            kind: 'already_linked',
            building: existing.resident.household.building.name,
            unit: existing.resident.household.unit,
          };
        }
        // Conditional update: of two concurrent redemptions only one sees usedAt null.
        const claimed = await tx.joinCode.updateMany({
          where: { id: code.id, usedAt: null, revokedAt: null },
          data: { usedAt: at, usedBy: `${identity.platform}:${identity.userId}` },
        });
        if (claimed.count === 0) {
          // A code revoked meanwhile is unknown; a double tap by the same account is already linked.
          const latest = await tx.joinCode.findUnique({ where: { id: code.id } });
          if (latest?.revokedAt) return { kind: 'code_unknown' };
          if (latest?.usedBy === `${identity.platform}:${identity.userId}`) {
            return {
              kind: 'already_linked',
              building: household.building.name,
              unit: household.unit,
            };
          }
          return { kind: 'code_used' };
        }

        const residents = [...household.residents].sort(
          (a, b) => a.createdAt.getTime() - b.createdAt.getTime(),
        );
        // Link the first member without an account on this platform; a household
        // listed without members gets one, named after its unit.
        let resident = residents.find(
          (r) => !r.chatIdentities.some((c) => c.platform === identity.platform),
        );
        resident ??= residents[0];
        const residentId = resident?.id ?? ids.next();
        if (!resident) {
          await tx.resident.create({
            data: {
              id: residentId,
              communityId: code.communityId,
              householdId: household.id,
              name: household.unit,
              roles: ['resident'],
            },
          });
        }
        await tx.chatIdentity.create({
          data: {
            id: ids.next(),
            communityId: code.communityId,
            residentId,
            platform: identity.platform,
            userId: identity.userId,
            linkedAt: at,
          },
        });
        await appendAudit(tx, {
          communityId: code.communityId,
          actor: `${identity.platform}:${identity.userId}`,
          action: 'household.joined',
          subject: `household:${household.id}`,
          payload: { residentId, platform: identity.platform },
          at,
        });
        return {
          kind: 'joined',
          communityId: code.communityId,
          communityName: code.community.name,
          building: household.building.name,
          unit: household.unit,
          residentId,
        };
      });
    },
  };
}

export function prismaChatBindingStore(prisma: PrismaClient): ChatBindingStore {
  return {
    async bind(
      input: ChatBindingInput,
      ids: IdSource,
      audit: Omit<AuditInput, 'payload'>,
    ): Promise<ChatBindingOutcome> {
      return prisma.$transaction(async (tx) => {
        let buildingId: string | null = null;
        if (input.building !== undefined) {
          const building = await tx.building.findUnique({
            where: { communityId_name: { communityId: input.communityId, name: input.building } },
          });
          if (!building) return { kind: 'building_unknown', building: input.building };
          buildingId = building.id;
        }
        const binding = await tx.chatBinding.upsert({
          where: { platform_chatId: { platform: input.platform, chatId: input.chatId } },
          create: {
            id: ids.next(),
            communityId: input.communityId,
            buildingId,
            platform: input.platform,
            chatId: input.chatId,
            threadId: input.topic ?? null,
          },
          update: { communityId: input.communityId, buildingId, threadId: input.topic ?? null },
        });
        await appendAudit(tx, {
          ...audit,
          payload: {
            building: input.building ?? null,
            platform: input.platform,
            topic: input.topic ?? null,
          },
        });
        return { kind: 'bound', id: binding.id, buildingId };
      });
    },

    async list(communityId) {
      const rows = await prisma.chatBinding.findMany({
        where: { communityId },
        orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
        include: { building: { select: { name: true } } },
      });
      const problems = await prisma.deliveryProblem.findMany({
        where: { OR: rows.map((r) => ({ platform: r.platform, chatId: r.chatId })) },
      });
      const problemOf = new Map(problems.map((p) => [`${p.platform}/${p.chatId}`, p]));
      return rows.map((r) => {
        const problem = problemOf.get(`${r.platform}/${r.chatId}`);
        return {
          platform: r.platform,
          chatId: r.chatId,
          building: r.building?.name ?? null,
          locale: r.locale,
          topic: r.threadId,
          reachable: problem === undefined,
          problem: problem ? { reason: problem.reason, at: problem.at } : null,
        };
      });
    },
  };
}
