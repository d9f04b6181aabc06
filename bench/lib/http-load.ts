/**
 * A small HTTP load generator: `connections` keep-alive connections, each
 * sending the next request as soon as its previous one is answered (or at a
 * fixed total rate). Every request's send and answer times are kept, so the
 * scenario can relate an acknowledgement to a later database commit.
 */
import { Agent, request } from 'node:http';
import { Latencies } from './latency.ts';

export type LoadResult = {
  wallMs: number;
  acks: Latencies;
  statuses: Record<number, number>;
  errors: number;
  /** performance.now() when request i was sent; NaN when it was not. */
  sentAt: Float64Array;
  /** How long request i took to be answered, ms; NaN when it was not answered. */
  ackMs: Float64Array;
};

export async function postAll(options: {
  url: string;
  headers?: Record<string, string>;
  total: number;
  body: (i: number) => string;
  connections: number;
  /** Requests per second over all connections; unset: as fast as answers come. */
  ratePerSecond?: number;
  /** Stop early (e.g. the rest of a concurrent scenario ended). */
  stop?: () => boolean;
  /**
   * Given each 2xx answer's body, as Telegram is: a webhook answer may carry
   * a call (`FakeBotApi.webhookReply`). Unset, bodies are not read.
   */
  onBody?: (body: string) => void;
}): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: options.connections });
  const target = new URL(options.url);
  const acks = new Latencies();
  const statuses: Record<number, number> = {};
  const sentAt = new Float64Array(options.total).fill(Number.NaN);
  const ackMs = new Float64Array(options.total).fill(Number.NaN);
  let errors = 0;
  let next = 0;
  const started = performance.now();
  const intervalMs = options.ratePerSecond ? 1000 / options.ratePerSecond : 0;

  const send = (i: number) =>
    new Promise<void>((resolve) => {
      const body = options.body(i);
      const t0 = performance.now();
      sentAt[i] = t0;
      const req = request(
        {
          agent,
          host: target.hostname,
          port: target.port,
          path: target.pathname,
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            ...options.headers,
          },
        },
        (res) => {
          const code = res.statusCode ?? 0;
          const chunks: Buffer[] = [];
          if (options.onBody && code >= 200 && code < 300)
            res.on('data', (c: Buffer) => chunks.push(c));
          else res.resume();
          res.on('end', () => {
            ackMs[i] = performance.now() - t0;
            acks.record(ackMs[i] ?? 0);
            statuses[code] = (statuses[code] ?? 0) + 1;
            if (chunks.length > 0) options.onBody?.(Buffer.concat(chunks).toString('utf8'));
            resolve();
          });
        },
      );
      req.on('error', () => {
        errors++;
        resolve();
      });
      req.end(body);
    });

  const lane = async () => {
    for (;;) {
      if (options.stop?.()) return;
      const i = next++;
      if (i >= options.total) return;
      if (intervalMs > 0) {
        const due = started + i * intervalMs;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      }
      await send(i);
    }
  };
  await Promise.all(Array.from({ length: options.connections }, lane));
  agent.destroy();
  return { wallMs: performance.now() - started, acks, statuses, errors, sentAt, ackMs };
}

export type Poster = {
  /** Posts `body`; resolves with the status (0 on a network error). */
  post(body: string): Promise<number>;
  close(): void;
};

/** Posts over at most `connections` keep-alive connections; extra requests wait for a free one. */
export function poster(url: string, headers: Record<string, string>, connections: number): Poster {
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const target = new URL(url);
  return {
    post: (body) =>
      new Promise((resolve) => {
        const req = request(
          {
            agent,
            host: target.hostname,
            port: target.port,
            path: target.pathname,
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              'content-length': Buffer.byteLength(body),
              ...headers,
            },
          },
          (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          },
        );
        req.on('error', () => resolve(0));
        req.end(body);
      }),
    close: () => agent.destroy(),
  };
}
