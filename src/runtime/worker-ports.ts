/**
 * The workers' store ports on one database: the composition root, scripts and
 * tests build them here, so `workers/` itself never imports the store.
 */

import type { WorkerPorts } from '../../workers/index.ts';
import type { Database } from '../store/database.ts';
import { deliberationStore } from '../store/deliberation-store.ts';
import { deliveryStores } from '../store/delivery-store.ts';
import { outboxFeed } from '../store/outbox-store.ts';
import {
  noticeLedger,
  noticeReader,
  scheduleReader,
  voteCloseStore,
} from '../store/schedule-store.ts';

/** Given the database's kind and pool (PostgreSQL), the outbox feed also listens for commits. */
export function databasePorts(
  db: Pick<Database, 'sql'> & Partial<Pick<Database, 'kind' | 'pool'>>,
): WorkerPorts {
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
