/**
 * The reconciler: compares every pending deadline in PostgreSQL with the
 * queue and recreates what is missing, at start and on an interval. After a
 * Redis flush or restart without persistence every deadline comes back (with
 * the same job id, so one that still exists is left alone) and fires once.
 */
import type { ScheduleReader } from '../../src/app/schedule-ports.ts';
import type { WorkerLog } from './log.ts';
import type { DeadlineScheduler } from './scheduler.ts';

const PAGE = 200;

export type ReconcileSummary = { subjects: number; deadlines: number; communities: number };

export async function reconcile(deps: {
  reader: ScheduleReader;
  scheduler: DeadlineScheduler;
}): Promise<ReconcileSummary> {
  const summary: ReconcileSummary = { subjects: 0, deadlines: 0, communities: 0 };
  let after: string | null = null;
  for (;;) {
    const page = await deps.reader.pendingSubjects(after, PAGE);
    if (page.length === 0) break;
    const plans = await Promise.all(
      page.map(async (subject) => ({
        subjectId: subject.proposal.id,
        plan: await deps.scheduler.planFor(subject),
      })),
    );
    await deps.scheduler.syncMany(plans);
    for (const { plan } of plans) summary.deadlines += plan.length;
    summary.subjects += page.length;
    after = page.at(-1)?.proposal.id ?? null;
  }
  after = null;
  for (;;) {
    const page = await deps.reader.communities(after, PAGE);
    if (page.length === 0) break;
    const plans = await Promise.all(
      page.map(async (community) => ({
        subjectId: community.id,
        plan: await deps.scheduler.digestPlanFor(community),
      })),
    );
    await deps.scheduler.syncMany(plans);
    for (const { plan } of plans) summary.deadlines += plan.length;
    summary.communities += page.length;
    after = page.at(-1)?.id ?? null;
  }
  return summary;
}

export type Reconciler = {
  /** Runs a pass now (waits for one already running) and returns its summary. */
  runNow(): Promise<ReconcileSummary>;
  close(): Promise<void>;
};

/** Runs {@link reconcile} at start and every `intervalMs`; passes never overlap. */
export function startReconciler(
  deps: { reader: ScheduleReader; scheduler: DeadlineScheduler; log: WorkerLog },
  options: { intervalMs: number },
): Reconciler {
  let running: Promise<ReconcileSummary> | null = null;
  let closed = false;
  const pass = (): Promise<ReconcileSummary> => {
    if (running) return running;
    const started = Date.now();
    running = reconcile(deps)
      .then((summary) => {
        deps.log.info({ ...summary, ms: Date.now() - started }, 'deadlines reconciled');
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
  tick();
  const timer = setInterval(tick, options.intervalMs);
  timer.unref();
  return {
    runNow: async () => {
      if (running) await running.catch(() => undefined);
      return pass();
    },
    async close() {
      closed = true;
      clearInterval(timer);
      await running?.catch(() => undefined);
    },
  };
}
