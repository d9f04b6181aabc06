/**
 * The process's last line of defence: an `uncaughtException` or
 * `unhandledRejection` is logged with its context and counted in /metrics
 * (`yishi_process_faults_total`).
 *
 * Whether the process then exits is decided here, deliberately:
 * - a lost or refused PostgreSQL/Redis connection (a driver emitting an error
 *   nobody listened for) keeps the process running: the connection is gone
 *   and the operation on it failed by itself, nothing in memory is
 *   half-changed, and the outage is reported once by dependency-health.ts;
 * - an unhandled rejection keeps it running: it is one promise's failure,
 *   whose work (an update answered 5xx, a job failed) is retried by its sender;
 * - any other uncaught exception ends it with code 1: a throw that unwound
 *   past every handler may leave shared state half-changed, and a restart is
 *   safe (Telegram redelivers unanswered updates; a dead worker's jobs run
 *   again once their lock lapses, see README "Faults").
 */
import type { DependencyHealth } from './dependency-health.ts';
import type { Logger } from './logger.ts';
import type { Metrics } from './metrics.ts';

/** Time for pino to write the fatal line before the exit. */
const EXIT_DELAY_MS = 200;

export function watchProcessFaults(deps: {
  log: Logger;
  metrics: Pick<Metrics, 'processFaults'>;
  health: Pick<DependencyHealth, 'absorb'>;
  exit?: (code: number) => void;
}): void {
  const exit = deps.exit ?? ((code: number) => process.exit(code));
  process.on('unhandledRejection', (reason) => {
    deps.metrics.processFaults.inc({ kind: 'unhandledRejection' });
    if (deps.health.absorb(reason)) return;
    deps.log.error({ err: reason, fault: 'unhandledRejection' }, 'unhandled promise rejection');
  });
  process.on('uncaughtException', (error, origin) => {
    deps.metrics.processFaults.inc({ kind: 'uncaughtException' });
    if (deps.health.absorb(error)) return;
    deps.log.fatal({ err: error, fault: origin }, 'uncaught exception: exiting to restart clean');
    setTimeout(() => exit(1), EXIT_DELAY_MS);
  });
}
