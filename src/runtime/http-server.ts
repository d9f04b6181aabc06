/**
 * The one HTTP server. Express 5 because Bolt's `ExpressReceiver({ app })`
 * mounts on an express app without glue of ours (design.md section 5).
 *
 * A route taken at a platform's pace is served ahead of express
 * (`postAhead`): its handler gets node's request and response as they come.
 * Express's layers (its router walking every board route, the JSON body
 * parser, the ETag hash of every response) cost a Telegram update about a
 * tenth of the gateway's CPU, for nothing such a route uses.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import type { Logger } from './logger.ts';
import type { Metrics } from './metrics.ts';

export type HealthCheck = () => Promise<Record<string, boolean>>;

/** A route's handler served ahead of express: node's request and response, nothing parsed. */
export type AheadHandler = (req: IncomingMessage, res: ServerResponse) => void;

export type HttpApp = Express & {
  /**
   * Serves `POST path` (exactly, or with a query string) ahead of express;
   * its requests are counted in `yishi_http_requests_total` under
   * `route=path`, as express's routes are.
   */
  postAhead(path: string, handler: AheadHandler): void;
  /** The server's request listener: the routes ahead, then express. */
  serve(req: IncomingMessage, res: ServerResponse): void;
};

/** The request's path without its query string. */
function pathOf(url: string | undefined): string {
  if (url === undefined) return '';
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

export function createHttpApp(deps: { health: HealthCheck; metrics: Metrics }): HttpApp {
  const app = express();
  const ahead = new Map<string, AheadHandler>();
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

  return Object.assign(app, {
    postAhead(path: string, handler: AheadHandler) {
      ahead.set(path, handler);
    },
    serve(req: IncomingMessage, res: ServerResponse) {
      const path = req.method === 'POST' ? pathOf(req.url) : '';
      const handler = ahead.get(path);
      if (handler === undefined) {
        app(req, res);
        return;
      }
      res.once('finish', () => {
        deps.metrics.httpRequests.inc({ route: path, status: res.statusCode });
      });
      handler(req, res);
    },
  });
}

/** What a resident reads when a page fails: both languages, since the failure may be the locale's read. */
const FAILED_PAGE = '出错了，请稍后再试。\nSomething went wrong; please try again later.\n';
const REFUSED_PAGE = '无法处理此请求。\nThis request cannot be served.\n';

/**
 * The last handler: a route that failed (the database down while a resident
 * opens the board) answers a short page, and the error goes to the log
 * unless `absorb` takes it (a lost connection is logged once per outage).
 * Express's own answer, outside NODE_ENV=production, is the stack trace.
 */
export function answerFailures(
  app: Express,
  deps: { log: Logger; absorb?: ((error: unknown) => boolean) | undefined },
): void {
  app.use((error: unknown, req: Request, res: Response, next: NextFunction) => {
    const carried = (error as { status?: unknown } | null)?.status;
    const status = typeof carried === 'number' && carried >= 400 && carried < 600 ? carried : 500;
    if (status >= 500 && !deps.absorb?.(error)) {
      deps.log.error({ err: error, path: req.path }, 'request failed');
    }
    // Half an answer sent already: express ends the connection.
    if (res.headersSent) return next(error);
    res
      .status(status)
      .type('text/plain; charset=utf-8')
      .send(status >= 500 ? FAILED_PAGE : REFUSED_PAGE);
  });
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

/**
 * Serves `app` on `port`: an HttpApp's routes ahead of express, then express.
 * Once listening, an error the server emits (a connection it could not
 * accept: EMFILE when the process is out of file descriptors) is logged and
 * serving goes on; unheard, it was an uncaught exception and the process
 * exited, dropping every request in flight.
 */
export function listen(
  app: Express | HttpApp,
  port: number,
  log?: Pick<Logger, 'warn'>,
): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer('serve' in app ? app.serve : app);
    server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
    server.headersTimeout = HEADERS_TIMEOUT_MS;
    server.once('error', reject);
    server.listen(port, () => {
      server.off('error', reject);
      server.on('error', (error) => {
        if (log) log.warn({ err: error }, 'http server: a connection failed; serving on');
        else process.emitWarning(error);
      });
      resolve(server);
    });
  });
}
