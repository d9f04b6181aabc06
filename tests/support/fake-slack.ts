/**
 * A local fake of the Slack Web API (`POST /api/<method>`) for tests and
 * benchmarks: the methods a bot uses to post and update messages, every
 * call recorded, and Slack's posting limit enforced in real time over a
 * sliding window (1 message per second per channel, `chat.postMessage` and
 * `chat.update` together by default), answering HTTP 429 with a
 * `Retry-After` header beyond it, as Slack does. Also what a bot's answers
 * need: ephemeral messages, DMs (`conversations.open` gives `D<user>`),
 * modals (`views.open`), and `response_url`s (`POST /response/<id>`, JSON),
 * each recorded so a test can tell who saw what. With `socketMode`,
 * `apps.connections.open` hands out Socket Mode URLs for an app-level token
 * (tests/support/fake-slack-socket.ts serves them); tokens of the wrong kind
 * are refused as Slack refuses them (`not_allowed_token_type`).
 *
 * Point `@slack/web-api` / Bolt at it with `slackApiUrl: fake.apiUrl`.
 */
import { EventEmitter, once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type FakeSlackLimit = { count: number; windowMs: number };

export type FakeSlackOptions = {
  /** Only this bot token is accepted (others get `invalid_auth`); any when unset. */
  token?: string;
  /** Per channel; default 1 per 1000 ms. `false` turns it off. */
  perChannel?: FakeSlackLimit | false;
  /** Whether `chat.update` counts against the channel's limit (default true). */
  countUpdates?: boolean;
  /** Channels the bot is not in: `not_in_channel`. */
  notInChannel?: Iterable<string>;
  /** Archived channels: `is_archived`. */
  archived?: Iterable<string>;
  /**
   * Requests arriving this soon after a 429 was announced for their channel
   * count as already in flight (`inFlightAtRetryAfter`), not as ignoring the
   * window (default 0).
   */
  retryAfterGraceMs?: number;
  /**
   * Socket Mode: `apps.connections.open` called with `appToken` (and only
   * with it) answers `url: connectionUrl()`, a fresh URL each call; or, with
   * `refusal`, that platform error for the token it accepted
   * (`missing_scope`: an app-level token made without connections:write).
   */
  socketMode?: { appToken: string; connectionUrl: () => string; refusal?: string | undefined };
};

export const SLACK_LIMITS = { perChannel: { count: 1, windowMs: 1_000 } } as const;

type JsonValue =
  | string
  | number
  | boolean
  | null
  | JsonValue[]
  | { [key: string]: JsonValue | undefined };
type JsonObject = { [key: string]: JsonValue | undefined };

export type SlackCall = {
  method: string;
  params: JsonObject;
  /** Epoch ms when the request arrived. */
  at: number;
  status: number;
  response: JsonObject;
};

export type SlackMessage = {
  channel: string;
  ts: string;
  text: string;
  blocks: JsonValue | undefined;
  edited: boolean;
  /** Every text this message had, oldest first. */
  history: string[];
};

/** A message only `user` saw: `chat.postEphemeral`, or an ephemeral `response_url` answer. */
export type SlackEphemeral = {
  channel: string;
  user: string | undefined;
  text: string;
  via: string;
};

/** A `response_url` answer, as posted. */
export type SlackResponse = { id: string; body: JsonObject; at: number };

export type FakeSlackStats = {
  /** 429 answers because the channel limit was exceeded (not the forced ones). */
  limited: number;
  forced: number;
  /** Posting requests that arrived inside a Retry-After window announced for their channel. */
  insideRetryAfter: number;
  /** Posting requests within `retryAfterGraceMs` of the 429: sent before it could be known. */
  inFlightAtRetryAfter: number;
  /** Posting requests that passed the limit check. */
  messageRequests: number;
};

export interface FakeSlack {
  /** For `slackApiUrl`, e.g. `http://127.0.0.1:4567/api/`. */
  readonly apiUrl: string;
  calls(method?: string): SlackCall[];
  messagesIn(channel: string): SlackMessage[];
  lastTextOf(channel: string, ts: string): string | undefined;
  /** Messages only one person saw (`chat.postEphemeral` and ephemeral `response_url` answers). */
  ephemerals(): SlackEphemeral[];
  /** Every `response_url` answer, oldest first. */
  responses(): SlackResponse[];
  /** A `response_url` for a delivery that names `id` (answers go to `responses()`). */
  responseUrl(id: string): string;
  /** The DM channel `conversations.open` gives for `user`. */
  dmOf(user: string): string;
  /** The next posting request to this channel gets 429 with `Retry-After: seconds`. */
  forceRetryAfter(channel: string, seconds: number): void;
  removeFrom(channel: string): void;
  /** The bot is in `channel` again (invited back). */
  invite(channel: string): void;
  stats(): FakeSlackStats;
  until(predicate: (fake: FakeSlack) => boolean, timeoutMs?: number): Promise<void>;
  reset(): void;
  close(): Promise<void>;
}

const POSTING = new Set(['chat.postMessage', 'chat.update']);

class SlackError extends Error {
  constructor(
    readonly error: string,
    readonly status = 200,
    readonly retryAfterSeconds?: number,
  ) {
    super(error);
  }
}

class SlidingWindow {
  private times: number[] = [];
  constructor(private readonly limit: FakeSlackLimit) {}
  waitMs(now: number): number {
    while (this.times.length > 0 && (this.times[0] ?? 0) <= now - this.limit.windowMs) {
      this.times.shift();
    }
    if (this.times.length < this.limit.count) return 0;
    return (this.times[this.times.length - this.limit.count] ?? now) + this.limit.windowMs - now;
  }
  add(now: number): void {
    this.times.push(now);
  }
}

/** Form fields arrive as strings; Slack reads `blocks` and `attachments` as JSON. */
function parseForm(text: string): JsonObject {
  const params: JsonObject = {};
  for (const [key, value] of new URLSearchParams(text)) {
    if ((key === 'blocks' || key === 'attachments' || key === 'view') && value.startsWith('[')) {
      params[key] = JSON.parse(value) as JsonValue;
    } else if ((key === 'view' || key === 'metadata') && value.startsWith('{')) {
      params[key] = JSON.parse(value) as JsonValue;
    } else {
      params[key] = value;
    }
  }
  return params;
}

async function readParams(req: IncomingMessage): Promise<JsonObject> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks).toString('utf8');
  if (body === '') return {};
  if ((req.headers['content-type'] ?? '').includes('application/json')) {
    const parsed = JSON.parse(body) as JsonValue;
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new SlackError('invalid_json');
    }
    return parsed;
  }
  return parseForm(body);
}

/** Starts the fake on a free port of 127.0.0.1. */
export async function startFakeSlack(options: FakeSlackOptions = {}): Promise<FakeSlack> {
  const limit =
    options.perChannel === false ? undefined : (options.perChannel ?? SLACK_LIMITS.perChannel);
  const countUpdates = options.countUpdates ?? true;
  const notIn = new Set(options.notInChannel ?? []);
  const archived = new Set(options.archived ?? []);
  const events = new EventEmitter();
  events.setMaxListeners(0);

  let recorded: SlackCall[] = [];
  let ephemerals: SlackEphemeral[] = [];
  let responses: SlackResponse[] = [];
  let channels = new Map<string, Map<string, SlackMessage>>();
  let windows = new Map<string, SlidingWindow>();
  let retryUntil = new Map<string, number>();
  const forced = new Map<string, number>();
  const noStats = (): FakeSlackStats => ({
    limited: 0,
    forced: 0,
    insideRetryAfter: 0,
    inFlightAtRetryAfter: 0,
    messageRequests: 0,
  });
  let stats = noStats();
  let announcedAt = new Map<string, number>();
  let lastTs = 0;

  const nextTs = (now: number) => {
    // Slack's ts is seconds.microseconds and unique per channel; keep it increasing.
    lastTs = Math.max(lastTs + 1, now * 1000);
    return `${Math.floor(lastTs / 1_000_000)}.${String(lastTs % 1_000_000).padStart(6, '0')}`;
  };

  const tooMany = (channel: string, now: number, seconds: number) => {
    retryUntil.set(channel, Math.max(retryUntil.get(channel) ?? 0, now + seconds * 1000));
    announcedAt.set(channel, now);
    return new SlackError('ratelimited', 429, seconds);
  };

  const limitCheck = (method: string, channel: string, now: number) => {
    const until = retryUntil.get(channel) ?? 0;
    if (now < until) {
      const inFlight = now - (announcedAt.get(channel) ?? 0) <= (options.retryAfterGraceMs ?? 0);
      if (inFlight) stats.inFlightAtRetryAfter += 1;
      else stats.insideRetryAfter += 1;
      stats.limited += 1;
      // Answered without moving the window: it was announced already.
      throw new SlackError('ratelimited', 429, Math.max(1, Math.ceil((until - now) / 1000)));
    }
    const seconds = forced.get(channel);
    if (seconds !== undefined) {
      forced.delete(channel);
      stats.forced += 1;
      throw tooMany(channel, now, seconds);
    }
    if (!limit || (method === 'chat.update' && !countUpdates)) return;
    let window = windows.get(channel);
    if (!window) {
      window = new SlidingWindow(limit);
      windows.set(channel, window);
    }
    const waitMs = window.waitMs(now);
    if (waitMs > 0) {
      stats.limited += 1;
      throw tooMany(channel, now, Math.max(1, Math.ceil(waitMs / 1000)));
    }
    window.add(now);
  };

  const channelOf = (params: JsonObject) => {
    const channel = params.channel;
    if (typeof channel !== 'string' || channel === '') throw new SlackError('channel_not_found');
    if (archived.has(channel)) throw new SlackError('is_archived');
    if (notIn.has(channel)) throw new SlackError('not_in_channel');
    return channel;
  };

  const textOf = (params: JsonObject) => {
    const text = typeof params.text === 'string' ? params.text : '';
    if (text === '' && params.blocks === undefined) throw new SlackError('no_text');
    return text;
  };

  const messageJson = (m: SlackMessage): JsonObject => ({
    type: 'message',
    subtype: undefined,
    text: m.text,
    ts: m.ts,
    bot_id: 'B0FAKE',
    ...(m.blocks !== undefined ? { blocks: m.blocks } : {}),
    ...(m.edited ? { edited: { user: 'U0BOT', ts: m.ts } } : {}),
  });

  const post = (channel: string, text: string, params: JsonObject, now: number): JsonObject => {
    const message: SlackMessage = {
      channel,
      ts: nextTs(now),
      text,
      blocks: params.blocks,
      edited: false,
      history: [text],
    };
    let messages = channels.get(channel);
    if (!messages) {
      messages = new Map();
      channels.set(channel, messages);
    }
    messages.set(message.ts, message);
    return { channel, ts: message.ts, message: messageJson(message) };
  };

  const handle = (method: string, params: JsonObject, now: number): JsonObject => {
    switch (method) {
      case 'auth.test':
        return {
          url: 'https://fake.slack.com/',
          team: 'Fake',
          user: 'yishi',
          team_id: 'T0FAKE',
          user_id: 'U0BOT',
          bot_id: 'B0FAKE',
        };
      case 'chat.postMessage': {
        const channel = channelOf(params);
        const text = textOf(params);
        limitCheck(method, channel, now);
        return post(channel, text, params, now);
      }
      case 'chat.update': {
        const channel = channelOf(params);
        const text = textOf(params);
        limitCheck(method, channel, now);
        const message = channels.get(channel)?.get(String(params.ts ?? ''));
        if (!message) throw new SlackError('message_not_found');
        message.text = text;
        message.blocks = params.blocks;
        message.edited = true;
        message.history.push(text);
        return { channel, ts: message.ts, text, message: messageJson(message) };
      }
      case 'chat.delete': {
        const channel = channelOf(params);
        if (!channels.get(channel)?.delete(String(params.ts ?? ''))) {
          throw new SlackError('message_not_found');
        }
        return { channel, ts: String(params.ts) };
      }
      case 'chat.postEphemeral': {
        const channel = channelOf(params);
        const user = typeof params.user === 'string' ? params.user : undefined;
        ephemerals.push({ channel, user, text: textOf(params), via: method });
        return { message_ts: nextTs(now) };
      }
      case 'conversations.open': {
        const users = typeof params.users === 'string' ? params.users : '';
        if (!/^[UW][A-Z0-9]+$/.test(users)) throw new SlackError('user_not_found');
        return { channel: { id: `D${users.slice(1)}` } };
      }
      case 'views.open':
      case 'views.update':
      case 'views.publish':
        return { view: { id: `V${now}` } };
      case 'apps.connections.open':
        if (!options.socketMode) throw new SlackError('unknown_method', 404);
        if (options.socketMode.refusal) throw new SlackError(options.socketMode.refusal);
        return { url: options.socketMode.connectionUrl() };
      case 'conversations.info': {
        const channel = channelOf(params);
        return { channel: { id: channel, name: channel.toLowerCase(), is_member: true } };
      }
      default:
        throw new SlackError('unknown_method', 404);
    }
  };

  const answer = (res: ServerResponse, status: number, body: JsonObject, retryAfter?: number) => {
    res.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      ...(retryAfter !== undefined ? { 'retry-after': String(retryAfter) } : {}),
    });
    res.end(JSON.stringify(body));
  };

  /** A response_url answer: ephemeral to the person, or in the channel as a new message. */
  const answerResponseUrl = async (
    req: IncomingMessage,
    res: ServerResponse,
    id: string,
    at: number,
  ) => {
    const body = await readParams(req);
    responses.push({ id, body, at });
    const text = typeof body.text === 'string' ? body.text : '';
    const [channel = '', user] = id.split('-');
    if (body.response_type === 'in_channel') post(channel, text, body, at);
    else ephemerals.push({ channel, user, text, via: 'response_url' });
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('ok');
    events.emit('call');
  };

  const server = createServer(async (req, res) => {
    const at = Date.now();
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const responseId = url.pathname.match(/^\/response\/([\w-]+)$/)?.[1];
    if (responseId !== undefined) {
      answerResponseUrl(req, res, responseId, at).catch(() => answer(res, 400, { ok: false }));
      return;
    }
    const method = url.pathname.match(/^\/api\/([A-Za-z.]+)$/)?.[1];
    if (!method) {
      answer(res, 404, { ok: false, error: 'unknown_method' });
      return;
    }
    let params: JsonObject = {};
    let status = 200;
    let response: JsonObject;
    let retryAfter: number | undefined;
    try {
      params = await readParams(req);
      const bearer = (req.headers.authorization ?? '').replace(/^Bearer\s+/i, '');
      const token = bearer || (typeof params.token === 'string' ? params.token : '');
      if (token === '') throw new SlackError('not_authed');
      // App-level tokens (xapp-) open Socket Mode connections and do nothing else; bot tokens the reverse.
      const appLevel = token.startsWith('xapp-');
      if (appLevel !== (method === 'apps.connections.open')) {
        throw new SlackError('not_allowed_token_type');
      }
      const expected = appLevel ? options.socketMode?.appToken : options.token;
      if (expected !== undefined && token !== expected) throw new SlackError('invalid_auth');
      response = { ok: true, ...handle(method, params, at) };
      if (POSTING.has(method)) stats.messageRequests += 1;
    } catch (error) {
      const e =
        error instanceof SlackError
          ? error
          : error instanceof SyntaxError
            ? new SlackError('invalid_json')
            : new SlackError('internal_error', 500);
      status = e.status;
      retryAfter = e.retryAfterSeconds;
      response = { ok: false, error: e.error };
    }
    recorded.push({ method, params, at, status, response });
    answer(res, status, response, retryAfter);
    events.emit('call');
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;

  const fake: FakeSlack = {
    apiUrl: `http://127.0.0.1:${port}/api/`,
    calls: (method) => (method ? recorded.filter((c) => c.method === method) : [...recorded]),
    messagesIn: (channel) => [...(channels.get(channel)?.values() ?? [])],
    lastTextOf: (channel, ts) => channels.get(channel)?.get(ts)?.text,
    ephemerals: () => [...ephemerals],
    responses: () => [...responses],
    responseUrl: (id) => `http://127.0.0.1:${port}/response/${id}`,
    dmOf: (user) => `D${user.slice(1)}`,
    forceRetryAfter(channel, seconds) {
      forced.set(channel, seconds);
    },
    removeFrom(channel) {
      notIn.add(channel);
    },
    invite(channel) {
      notIn.delete(channel);
    },
    stats: () => ({ ...stats }),
    until(predicate, timeoutMs = 10_000) {
      if (predicate(fake)) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const check = () => {
          if (!predicate(fake)) return;
          cleanup();
          resolve();
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`fake Slack: condition not met within ${timeoutMs} ms`));
        }, timeoutMs);
        const poll = setInterval(check, 20);
        const cleanup = () => {
          clearTimeout(timer);
          clearInterval(poll);
          events.off('call', check);
        };
        events.on('call', check);
      });
    },
    reset() {
      recorded = [];
      ephemerals = [];
      responses = [];
      channels = new Map();
      windows = new Map();
      retryUntil = new Map();
      forced.clear();
      stats = noStats();
      announcedAt = new Map();
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return fake;
}
