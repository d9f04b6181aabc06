/**
 * The workers' store ports on one database: the composition root, scripts and
 * tests build them here, so `workers/` itself never imports Prisma.
 */

import type { WorkerPorts } from '../../workers/index.ts';
import type { Database } from '../store/database.ts';
import { deliberationStore } from '../store/deliberation-store.ts';
import { deliveryStores } from '../store/delivery-store.ts';
import {
  prismaNoticeLedger,
  prismaNoticeReader,
  prismaOutboxFeed,
  prismaScheduleReader,
  voteCloseStore,
} from '../store/schedule-store.ts';

export function databasePorts(db: Pick<Database, 'sql' | 'prisma'>): WorkerPorts {
  return {
    store: deliberationStore(db),
    reader: prismaScheduleReader(db.prisma),
    ledger: prismaNoticeLedger(db.prisma),
    feed: prismaOutboxFeed(db.prisma),
    notices: prismaNoticeReader(db.prisma),
    deliveries: deliveryStores(db),
    closer: voteCloseStore(db),
  };
}
