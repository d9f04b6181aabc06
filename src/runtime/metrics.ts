import { Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client';

/** Prometheus metrics (prom-client, the de facto Node client). One registry per process. */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'yishi_' });
  const httpRequests = new Counter({
    name: 'yishi_http_requests_total',
    help: 'HTTP requests served, by route and status code',
    labelNames: ['route', 'status'] as const,
    registers: [registry],
  });
  const dependencyUp = new Gauge({
    name: 'yishi_dependency_up',
    help: '1 while the dependency (database, redis) is reachable, 0 during an outage',
    labelNames: ['dependency'] as const,
    registers: [registry],
  });
  const dependencyOutages = new Counter({
    name: 'yishi_dependency_outages_total',
    help: 'Outages of a dependency (database, redis) seen by this process',
    labelNames: ['dependency'] as const,
    registers: [registry],
  });
  const dependencyDowntimeSeconds = new Counter({
    name: 'yishi_dependency_downtime_seconds_total',
    help: 'Time a dependency was unreachable, summed over the outages that ended',
    labelNames: ['dependency'] as const,
    registers: [registry],
  });
  const processFaults = new Counter({
    name: 'yishi_process_faults_total',
    help: 'uncaughtException and unhandledRejection events (each is logged with its context)',
    labelNames: ['kind'] as const,
    registers: [registry],
  });
  return {
    registry,
    httpRequests,
    dependencyUp,
    dependencyOutages,
    dependencyDowntimeSeconds,
    processFaults,
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
