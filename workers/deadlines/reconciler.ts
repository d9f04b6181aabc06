/**
 * The reconciler: compares the pending deadlines in PostgreSQL due within the
 * horizon with the queue and recreates what is missing, at start and on an
 * interval. Each pass thereby adds the deadlines that came into range since
 * the last one; after a Redis flush or restart without persistence the
 * horizon comes back (with the same job ids, so one that still exists is
 * left alone) and each deadline fires once.
 *
 * A pass only adds: a subject it read may have changed since, and the outbox
 * relay's sync of the newer state must keep its jobs (a stale job the pass
 * adds finds itself superseded when it fires, like any missed removal).
 */
import { communityPolicy } from '../../src/app/core.ts';
import type {
  DeadlineSubject,
  ScheduledCommunity,
  ScheduleReader,
} from '../../src/app/ports/schedule.ts';
import type { WorkerLog } from './log.ts';
import type { DeadlineScheduler } from './scheduler.ts';

/**
 * Subjects per page. Large pages keep the round trips per deadline low; a
 * page's Redis writes overlap the reading of the next page (see below).
 */
const PAGE = 500;

/** Subjects and communities read; deadlines within the horizon (jobs added or already there). */
export type ReconcileSummary = { subjects: number; deadlines: number; communities: number };

/**
 * Walks `read` page by page and hands each page to `write`, reading the next
 * page while the previous one is written: PostgreSQL (and this process's
 * planning) and Redis work at the same time instead of taking turns, which
 * after a FLUSHALL roughly halved the rebuild. At most one page waits to be
 * written, so memory stays at two pages.
 */
async function pipelined<T>(
  read: (after: T | null) => Promise<T[]>,
  write: (page: T[]) => Promise<void>,
): Promise<number> {
  let total = 0;
  let page = await read(null);
  while (page.length > 0) {
    const last = page.at(-1) ?? null;
    const [next] = await Promise.all([read(last), write(page)]);
    total += page.length;
    page = next;
  }
  return total;
}

/**
 * How long before its anchor time (vote closing, resolution due time) a
 * deadline of these communities may fall: the longest reminder, or an
 * escalation level with a negative offset.
 */
function leadOf(communities: readonly ScheduledCommunity[]): number {
  let lead = 0;
  for (const community of communities) {
    const policy = communityPolicy(community);
    lead = Math.max(
      lead,
      ...policy.remindersBeforeDueMs,
      ...policy.escalationAfterDueMs.map((ms) => -ms),
    );
  }
  return lead;
}

export async function reconcile(deps: {
  reader: ScheduleReader;
  scheduler: DeadlineScheduler;
}): Promise<ReconcileSummary> {
  const summary: ReconcileSummary = { subjects: 0, deadlines: 0, communities: 0 };
  // Before any job: a flush after this point removes the mark too, and the pass runs again.
  await deps.scheduler.markHorizon();
  // Read once: deadlines that enter the horizon during the pass are the next pass's.
  const until = deps.scheduler.horizonEnd();
  let leadMs = 0;
  summary.communities = await pipelined<ScheduledCommunity>(
    (after) => deps.reader.communities(after?.id ?? null, PAGE),
    async (page) => {
      leadMs = Math.max(leadMs, leadOf(page));
      summary.deadlines += await deps.scheduler.addMany(await deps.scheduler.digestPlansFor(page));
    },
  );
  summary.subjects = await pipelined<DeadlineSubject>(
    (after) => deps.reader.subjectsDueBy(until, leadMs, after?.proposal.id ?? null, PAGE),
    async (page) => {
      summary.deadlines += await deps.scheduler.addMany(await deps.scheduler.plansFor(page));
    },
  );
  return summary;
}

export type Reconciler = {
  /** Runs a pass now (waits for one already running) and returns its summary. */
  runNow(): Promise<ReconcileSummary>;
  close(): Promise<void>;
};

/**
 * Runs {@link reconcile} at start and every `intervalMs`; passes never overlap.
 * Every `watchMs` it also checks the horizon's mark in Redis: a flush or an
 * empty restart of Redis starts a pass at once instead of at the next interval
 * (and a pass during which the mark went runs again).
 */
export function startReconciler(
  deps: { reader: ScheduleReader; scheduler: DeadlineScheduler; log: WorkerLog },
  options: { intervalMs: number; watchMs?: number },
): Reconciler {
  let running: Promise<ReconcileSummary> | null = null;
  let closed = false;
  let checking = false;
  const pass = (): Promise<ReconcileSummary> => {
    if (running) return running;
    const started = Date.now();
    running = reconcile(deps)
      .then(async (summary) => {
        deps.log.info({ ...summary, ms: Date.now() - started }, 'deadlines reconciled');
        if (!(await deps.scheduler.horizonIntact().catch(() => true))) {
          deps.log.warn({}, 'redis lost the deadline horizon during a pass; rebuilding again');
          setImmediate(tick);
        }
        return summary;
      })
      .finally(() => {
        running = null;
      });
    return running;
  };
  const tick = () => {
    if (closed) return;
    pass().catch((error: unknown) => {
      deps.log.error({ error: String(error) }, 'reconcile failed; next pass retries');
    });
  };
  // One check at a time: with Redis away a check waits for it to come back.
  const watch = () => {
    if (closed || running || checking) return;
    checking = true;
    deps.scheduler
      .horizonIntact()
      .then((intact) => {
        if (intact || closed || running) return;
        deps.log.warn({}, 'redis lost the deadline horizon; rebuilding it now');
        tick();
      })
      .catch(() => undefined)
      .finally(() => {
        checking = false;
      });
  };
  tick();
  const timer = setInterval(tick, options.intervalMs);
  timer.unref();
  const watcher = setInterval(watch, options.watchMs ?? 1000);
  watcher.unref();
  return {
    runNow: async () => {
      if (running) await running.catch(() => undefined);
      return pass();
    },
    async close() {
      closed = true;
      clearInterval(timer);
      clearInterval(watcher);
      await running?.catch(() => undefined);
    },
  };
}
