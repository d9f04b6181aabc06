/**
 * The one HTTP server. Express 5 because both grammY's `webhookCallback(bot,
 * 'express')` and Bolt's `ExpressReceiver({ app })` mount on an express app
 * without glue of ours (design.md section 5).
 */
import type { Server } from 'node:http';
import express, { type Express } from 'express';
import type { Metrics } from './metrics.ts';

export type HealthCheck = () => Promise<Record<string, boolean>>;

export function createHttpApp(deps: { health: HealthCheck; metrics: Metrics }): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use((req, res, next) => {
    res.on('finish', () => {
      deps.metrics.httpRequests.inc({ route: req.route?.path ?? 'other', status: res.statusCode });
    });
    next();
  });

  app.get('/healthz', async (_req, res) => {
    const checks = await deps.health();
    const down = Object.entries(checks)
      .filter(([, ok]) => !ok)
      .map(([name]) => name);
    const body = Object.fromEntries(
      Object.entries(checks).map(([name, ok]) => [name, ok ? 'up' : 'down']),
    );
    if (down.length === 0) {
      res.status(200).json({ status: 'ok', ...body });
    } else {
      res.status(503).json({ status: 'down', down, ...body });
    }
  });

  app.get('/metrics', async (_req, res) => {
    res.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });

  return app;
}

/**
 * An idle keep-alive connection is kept longer than the proxies in front of
 * us keep theirs (60 s on common load balancers and nginx upstream pools), so
 * the proxy always closes first. Node's default of 5 s let a proxy, or
 * Telegram's own connection pool, send a request on a socket we were closing:
 * the client saw a reset (UND_ERR_SOCKET).
 */
export const KEEP_ALIVE_TIMEOUT_MS = 65_000;
/** Above the keep-alive timeout, or Node may time out a request arriving on a reused socket. */
export const HEADERS_TIMEOUT_MS = 66_000;

export function listen(app: Express, port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, (error?: Error) => (error ? reject(error) : resolve(server)));
    server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
    server.headersTimeout = HEADERS_TIMEOUT_MS;
  });
}
