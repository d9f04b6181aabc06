/**
 * The workers' store ports on one database: the composition root, scripts and
 * tests build them here, so `workers/` itself never imports Prisma.
 */

import type { WorkerPorts } from '../../workers/index.ts';
import type { Database } from '../store/database.ts';
import { prismaDeliberationStore } from '../store/deliberation-store.ts';
import { prismaDeliveryStores } from '../store/delivery-store.ts';
import {
  prismaNoticeLedger,
  prismaNoticeReader,
  prismaOutboxFeed,
  prismaScheduleReader,
  prismaVoteCloseStore,
} from '../store/schedule-store.ts';

export function databasePorts(db: Pick<Database, 'prisma'>): WorkerPorts {
  return {
    store: prismaDeliberationStore(db.prisma),
    reader: prismaScheduleReader(db.prisma),
    ledger: prismaNoticeLedger(db.prisma),
    feed: prismaOutboxFeed(db.prisma),
    notices: prismaNoticeReader(db.prisma),
    deliveries: prismaDeliveryStores(db.prisma),
    closer: prismaVoteCloseStore(db.prisma),
  };
}
