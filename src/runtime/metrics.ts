import { Counter, collectDefaultMetrics, Registry } from 'prom-client';

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
  return { registry, httpRequests };
}

export type Metrics = ReturnType<typeof createMetrics>;
