/**
 * Prisma implementation of the push queue's delivery ports: CardMessage,
 * DeliveryProblem and NoticeSent rows, and chat routes and migrations
 * (chat-membership-store.ts).
 */
import type { CardMessageKey, DeliveryStores } from '../app/delivery-ports.ts';
import { prismaChatMembershipStore, prismaChatRouteStore } from './chat-membership-store.ts';
import type { PrismaClient } from './generated/prisma/client.ts';

const cardId = (key: CardMessageKey) => ({
  platform: key.platform,
  chatId: key.chatId,
  communityId: key.communityId,
  number: key.number,
  kind: key.kind,
});

export function prismaDeliveryStores(prisma: PrismaClient): DeliveryStores {
  return {
    routes: prismaChatRouteStore(prisma),
    migrations: prismaChatMembershipStore(prisma),
    cards: {
      async get(key) {
        const row = await prisma.cardMessage.findUnique({
          where: { platform_chatId_communityId_number_kind: cardId(key) },
          select: { messageId: true },
        });
        return row?.messageId;
      },
      async put(key, messageId, at) {
        await prisma.cardMessage.upsert({
          where: { platform_chatId_communityId_number_kind: cardId(key) },
          create: { ...cardId(key), messageId, updatedAt: at },
          update: { messageId, updatedAt: at },
        });
      },
      async delete(key) {
        await prisma.cardMessage.deleteMany({ where: cardId(key) });
      },
    },
    problems: {
      async record(target, reason, at) {
        const id = { platform: target.platform, chatId: target.chatId };
        await prisma.deliveryProblem.upsert({
          where: { platform_chatId: id },
          create: { ...id, reason, at },
          update: { reason, at },
        });
      },
      async isGone(target) {
        const row = await prisma.deliveryProblem.findUnique({
          where: { platform_chatId: { platform: target.platform, chatId: target.chatId } },
          select: { at: true },
        });
        return row !== null;
      },
      async clear(target) {
        await prisma.deliveryProblem.deleteMany({
          where: { platform: target.platform, chatId: target.chatId },
        });
      },
    },
    notices: {
      async delivered(key) {
        const row = await prisma.noticeSent.findUnique({ where: { key }, select: { at: true } });
        return row !== null;
      },
      async record(key, at) {
        await prisma.noticeSent.createMany({ data: [{ key, at }], skipDuplicates: true });
      },
    },
  };
}
