/**
 * A permissive fake Telegram Bot API for the ingest scenarios: answers every
 * method at once with a plausible result and counts calls per method. No
 * rate limits (the fan-out scenario uses the workers' rate-limited fake).
 *
 * A button press is answered in the webhook's response body, not by a
 * request: whoever posts the updates hands each 2xx body to
 * {@link FakeBotApi.webhookReply}, which counts its call like a request
 * (in `calls`) and also in `webhookCalls`, as Telegram would carry it out.
 */
import { once } from 'node:events';
import { createServer } from 'node:http';

export type FakeBotApi = {
  url: string;
  /** Calls per method: requests, and calls carried in webhook answers. */
  calls: Record<string, number>;
  /** Calls per method carried in webhook answers (a subset of `calls`). */
  webhookCalls: Record<string, number>;
  /** Takes a webhook's 2xx answer body; counts the call it carries, if any. */
  webhookReply(body: string): void;
  /**
   * The connections Telegram would deliver over: the last `setWebhook`'s
   * `max_connections`, 40 (Telegram's default) when it named none.
   */
  webhookConnections(): number;
  stop(): Promise<void>;
};

/** The method a webhook answer's body carries (`{..., "method": "answerCallbackQuery"}`), if any. */
function bodyMethod(body: string): string | undefined {
  if (!body.startsWith('{')) return undefined;
  try {
    const method = (JSON.parse(body) as { method?: unknown }).method;
    return typeof method === 'string' ? method : undefined;
  } catch {
    return undefined;
  }
}

const BOT = { id: 7_000_000_001, is_bot: true, first_name: 'yishi', username: 'yishi_bench_bot' };

function resultFor(method: string, params: Record<string, unknown>, messageId: number): unknown {
  switch (method) {
    case 'getMe':
      return {
        ...BOT,
        can_join_groups: true,
        can_read_all_group_messages: false,
        supports_inline_queries: false,
      };
    case 'sendMessage':
    case 'editMessageText':
      return {
        message_id: typeof params.message_id === 'number' ? params.message_id : messageId,
        date: Math.floor(Date.now() / 1000),
        chat: { id: params.chat_id, type: 'supergroup', title: 'bench' },
        from: BOT,
        text: typeof params.text === 'string' ? params.text : '',
      };
    case 'getWebhookInfo':
      return { url: '', has_custom_certificate: false, pending_update_count: 0 };
    default:
      return true;
  }
}

export async function startFakeBotApi(): Promise<FakeBotApi> {
  const calls: Record<string, number> = {};
  const webhookCalls: Record<string, number> = {};
  let messageId = 1000;
  let webhookConnections = 40;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      // /bot<token>/<method>
      const method = (req.url ?? '').split('?')[0]?.split('/').pop() ?? '';
      calls[method] = (calls[method] ?? 0) + 1;
      let params: Record<string, unknown> = {};
      const text = Buffer.concat(chunks).toString('utf8');
      if (text && (req.headers['content-type'] ?? '').includes('json')) {
        try {
          params = JSON.parse(text) as Record<string, unknown>;
        } catch {
          params = {};
        }
      }
      if (method === 'setWebhook') {
        const asked = params.max_connections;
        webhookConnections = typeof asked === 'number' ? Math.min(100, Math.max(1, asked)) : 40;
      }
      const body = JSON.stringify({ ok: true, result: resultFor(method, params, ++messageId) });
      res.writeHead(200, { 'content-type': 'application/json' }).end(body);
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no address');
  return {
    url: `http://127.0.0.1:${address.port}`,
    calls,
    webhookCalls,
    webhookConnections: () => webhookConnections,
    webhookReply(body) {
      // A body that carries no call (an empty 200) counts nothing.
      const method = bodyMethod(body);
      if (method === undefined) return;
      calls[method] = (calls[method] ?? 0) + 1;
      webhookCalls[method] = (webhookCalls[method] ?? 0) + 1;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
