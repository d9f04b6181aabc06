/**
 * The workers' store ports on one database: the composition root, scripts and
 * tests build them here, so `workers/` itself never imports the store.
 */

import type { WorkerPorts } from '../../workers/index.ts';
import type { Database } from '../store/database.ts';
import { deliberationStore } from '../store/deliberation-store.ts';
import { deliveryStores } from '../store/delivery-store.ts';
import {
  noticeLedger,
  noticeReader,
  outboxFeed,
  scheduleReader,
  voteCloseStore,
} from '../store/schedule-store.ts';

export function databasePorts(db: Pick<Database, 'sql'>): WorkerPorts {
  return {
    store: deliberationStore(db),
    reader: scheduleReader(db),
    ledger: noticeLedger(db),
    feed: outboxFeed(db),
    notices: noticeReader(db),
    deliveries: deliveryStores(db),
    closer: voteCloseStore(db),
  };
}
