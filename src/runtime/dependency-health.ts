/**
 * Whether PostgreSQL and Redis are reachable, as one state per dependency fed
 * by everything that notices: /healthz probes, pool and Redis connection
 * events, and failing operations whose error log lines are routed here
 * (logger.ts). An outage is one warning when it starts and one info line with
 * its downtime when it ends, instead of a stack trace per webhook, job or
 * reconnect attempt; /metrics shows the state and counts the outages.
 */
import type { Metrics } from './metrics.ts';

export type Dependency = 'database' | 'redis';

export type DependencyHealth = {
  /** A failure that means `dependency` cannot be reached (the first one opens an outage). */
  failed(dependency: Dependency, error: unknown): void;
  /** The dependency answered (closes an outage, if one is open). */
  answered(dependency: Dependency): void;
  /** Feeds one probe result (a /healthz check). */
  observe(dependency: Dependency, up: boolean): void;
  isUp(dependency: Dependency): boolean;
  /**
   * When `error` is a lost or refused connection to PostgreSQL or Redis: records
   * it and returns true (the caller need not log it); otherwise false.
   */
  absorb(error: unknown): boolean;
  close(): void;
};

export type DependencyHealthOptions = {
  log: {
    warn(fields: Record<string, unknown>, message: string): void;
    info(fields: Record<string, unknown>, message: string): void;
  };
  metrics: Pick<Metrics, 'dependencyUp' | 'dependencyOutages' | 'dependencyDowntimeSeconds'>;
  /** Asked every `probeEveryMs` while the dependency is down, to see it come back. */
  probes: Record<Dependency, () => Promise<boolean>>;
  /** Where each dependency listens, to tell whose refused connection an error is. */
  ports: Partial<Record<Dependency, number>>;
  probeEveryMs?: number;
  now?: () => number;
};

type ErrorLike = { message?: unknown; code?: unknown; port?: unknown; cause?: unknown };

// Socket-level failures: whose they are is told by the port, or by which dependency is down.
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
// pg and PostgreSQL: the connection was lost, or the server is stopping or starting.
const DATABASE_PATTERNS = [
  /connection terminated/i,
  /terminating connection/i,
  /the database system is (shutting down|starting up|in recovery mode)/i,
  /not queryable/i,
  /timeout exceeded when trying to connect/i,
  /can't reach database server/i,
  /server has closed the connection/i,
  /connection (refused|closed|reset)/i,
];
// 57P01-57P03: admin shutdown, crash shutdown, cannot connect now; class 08: connection exception.
// database_unreachable: the SQL store's own wrapping of a lost connection (sql-session.ts).
const DATABASE_CODES = /^(57P0[1-3]|08\d{3}|P1001|P1017|database_unreachable)$/;
const REDIS_PATTERNS = [
  /connection is closed/i,
  /stream isn't writeable/i,
  /reached the max retries per request/i,
];
const PORT_IN_MESSAGE = /(?:\d{1,3}(?:\.\d{1,3}){3}|\[[0-9a-f:]+\]|localhost):(\d{2,5})/i;

function* chain(error: unknown): Generator<ErrorLike> {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current !== null && current !== undefined && !seen.has(current)) {
    seen.add(current);
    if (typeof current === 'string') {
      yield { message: current };
      return;
    }
    if (typeof current !== 'object') return;
    // grammY's BotError keeps the middleware's error in `error`, not `cause`.
    const e = current as ErrorLike & { errors?: unknown; error?: unknown };
    yield e;
    if (Array.isArray(e.errors)) for (const inner of e.errors) yield* chain(inner);
    current = e.cause ?? (typeof e.error === 'object' ? e.error : undefined);
  }
}

export function createDependencyHealth(options: DependencyHealthOptions): DependencyHealth {
  const now = options.now ?? Date.now;
  const probeEveryMs = options.probeEveryMs ?? 1000;
  const state: Record<Dependency, { downSince: number | null; probing: NodeJS.Timeout | null }> = {
    database: { downSince: null, probing: null },
    redis: { downSince: null, probing: null },
  };
  let closed = false;
  for (const d of ['database', 'redis'] as const)
    options.metrics.dependencyUp.set({ dependency: d }, 1);

  const byPort = (port: number): Dependency | undefined =>
    (Object.entries(options.ports) as [Dependency, number][]).find(([, p]) => p === port)?.[0];

  /** Whose connection failure `error` is; undefined when it is none. */
  function classify(error: unknown): Dependency | undefined {
    let socketFailure = false;
    for (const e of chain(error)) {
      const message = typeof e.message === 'string' ? e.message : '';
      const code = typeof e.code === 'string' ? e.code : '';
      const port =
        typeof e.port === 'number' ? e.port : Number(PORT_IN_MESSAGE.exec(message)?.[1] ?? NaN);
      const socket = SOCKET_CODES.has(code) || [...SOCKET_CODES].some((c) => message.includes(c));
      if (socket && Number.isFinite(port)) {
        const owner = byPort(port);
        if (owner) return owner;
      }
      if (DATABASE_CODES.test(code) || DATABASE_PATTERNS.some((p) => p.test(message)))
        return 'database';
      if (REDIS_PATTERNS.some((p) => p.test(message))) return 'redis';
      socketFailure ||= socket;
    }
    if (!socketFailure) return undefined;
    // A reset without an address: the dependency already known to be down, if exactly one is.
    const down = (['database', 'redis'] as const).filter((d) => state[d].downSince !== null);
    return down.length === 1 ? down[0] : undefined;
  }

  function probe(dependency: Dependency) {
    const s = state[dependency];
    if (s.probing || closed) return;
    s.probing = setInterval(() => {
      options.probes[dependency]().then(
        (up) => {
          if (up) answered(dependency);
        },
        () => {},
      );
    }, probeEveryMs);
    s.probing.unref();
  }

  function failed(dependency: Dependency, error: unknown) {
    const s = state[dependency];
    if (s.downSince !== null) return;
    s.downSince = now();
    options.metrics.dependencyUp.set({ dependency }, 0);
    options.metrics.dependencyOutages.inc({ dependency });
    const reason = [...chain(error)].map((e) => e.message).find((m) => typeof m === 'string');
    options.log.warn(
      { dependency, reason: reason ?? String(error) },
      `${dependency} unreachable: requests that need it fail until it is back`,
    );
    probe(dependency);
  }

  function answered(dependency: Dependency) {
    const s = state[dependency];
    if (s.probing) clearInterval(s.probing);
    s.probing = null;
    if (s.downSince === null) return;
    const downtimeMs = now() - s.downSince;
    s.downSince = null;
    options.metrics.dependencyUp.set({ dependency }, 1);
    options.metrics.dependencyDowntimeSeconds.inc({ dependency }, downtimeMs / 1000);
    options.log.info({ dependency, downtimeMs }, `${dependency} reachable again`);
  }

  return {
    failed,
    answered,
    observe(dependency, up) {
      if (up) answered(dependency);
      else failed(dependency, 'health probe failed');
    },
    isUp: (dependency) => state[dependency].downSince === null,
    absorb(error) {
      const dependency = classify(error);
      if (!dependency) return false;
      failed(dependency, error);
      return true;
    },
    close() {
      closed = true;
      for (const s of Object.values(state)) if (s.probing) clearInterval(s.probing);
    },
  };
}
