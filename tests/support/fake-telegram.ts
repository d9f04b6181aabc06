/**
 * A local fake of the Telegram Bot API (`POST /bot<token>/<method>`) for
 * tests and benchmarks: realistic responses and errors, every call recorded,
 * long polling for `getUpdates`, and Telegram's flood limits enforced in real
 * time over sliding windows (30 messages/s per bot, 20 per minute per group;
 * sends and edits together), answering 429 `retry_after` beyond them.
 *
 * Only what the gateway calls is implemented; an unknown method answers 404
 * like the real server does.
 *
 * A webhook's answer may carry one call in its body; whoever plays Telegram
 * in a test hands that body to {@link FakeTelegram.webhookReply}, which
 * carries it out like a request (recorded `via: 'webhook'`) and, as
 * Telegram does, tells the bot nothing of how it went. A callback query is
 * answered at most once: a second answer is refused like Telegram refuses it.
 */
import { EventEmitter, once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A flood limit: at most `count` message requests in any `windowMs` (sliding window). */
export type FakeLimit = { count: number; windowMs: number };

export type FakeTelegramOptions = {
  /** Only this token is accepted (others get 401); any token when unset. */
  token?: string;
  /**
   * Flood limits, on by default with Telegram's numbers. `false` turns them
   * off; a partial object overrides one of them.
   */
  limits?: false | { perBot?: FakeLimit; perGroup?: FakeLimit };
  /** Group chats the bot was removed from: 403 "bot was kicked from the group chat". */
  kickedChats?: Iterable<string | number>;
  /** Users who never started the bot: 403 "bot can't initiate conversation with a user". */
  notStartedUsers?: Iterable<string | number>;
  /**
   * A request to a chat arriving this soon after a 429 for it counts as in
   * flight (`inFlightAtRetryAfter`), not as ignoring the window (default 0).
   */
  retryAfterGraceMs?: number;
  /** Extra delay before each answer, to simulate network latency (default 0). */
  latencyMs?: number;
};

export const TELEGRAM_LIMITS = {
  perBot: { count: 30, windowMs: 1_000 },
  perGroup: { count: 20, windowMs: 60_000 },
} as const satisfies Record<string, FakeLimit>;

export type JsonValue =
  | string
  | number
  | boolean
  | null
  | JsonValue[]
  | { [key: string]: JsonValue | undefined };
type JsonObject = { [key: string]: JsonValue | undefined };

/** One request as the server saw it, with its answer. */
export type RecordedCall = {
  method: string;
  params: JsonObject;
  /** A request of its own, or the call a webhook answer carried in its body. */
  via: 'api' | 'webhook';
  /** Epoch ms when the request arrived. */
  at: number;
  status: number;
  response: JsonObject;
};

export type InlineButton = { text: string; callback_data?: string; url?: string };

/** A message as stored by the fake, after HTML parsing. */
export type StoredMessage = {
  chatId: string;
  messageId: number;
  /** The text as a client displays it (HTML tags removed, entities decoded). */
  text: string;
  /** The text exactly as sent (HTML source when `parse_mode` was HTML). */
  source: string;
  parseMode: string | undefined;
  /** `href` of every `<a>` in the HTML: what a client would show as a link. */
  links: string[];
  replyMarkup: JsonObject | undefined;
  date: number;
  editDate: number | undefined;
  /** Every text this message had, oldest first. */
  history: string[];
  /** The forum topic it was posted in (`message_thread_id`); undefined: the main thread. */
  threadId?: number | undefined;
};

export type FakeTelegramStats = {
  /** 429 answers because a flood limit was exceeded (not the forced ones). */
  limited: number;
  /** 429 answers injected by `forceRetryAfter`. */
  forced: number;
  /**
   * Message requests that arrived inside a retry_after window announced
   * earlier for their chat (after `retryAfterGraceMs`); answered 429 again.
   */
  insideRetryAfter: number;
  /**
   * Message requests that arrived within `retryAfterGraceMs` of the 429: on
   * their way before the client could know of the window.
   */
  inFlightAtRetryAfter: number;
  /** Message requests (sends and edits) that passed the flood check. */
  messageRequests: number;
};

export interface FakeTelegram {
  /** The `apiRoot` for grammY or a sender, e.g. `http://127.0.0.1:4567` (no trailing slash). */
  readonly apiRoot: string;
  readonly botInfo: {
    id: number;
    is_bot: true;
    first_name: string;
    username: string;
    can_join_groups: boolean;
    can_read_all_group_messages: boolean;
    supports_inline_queries: boolean;
  };
  /** Every call so far (or of one method), in arrival order. */
  calls(method?: string): RecordedCall[];
  /**
   * Carries out the call a webhook's 200 answer carried in its body (JSON
   * with a `method`), as Telegram does; returns it as recorded, or undefined
   * when the body carried none. Its result goes nowhere, like Telegram's.
   */
  webhookReply(body: string): Promise<RecordedCall | undefined>;
  /** The messages currently in a chat, by message id. */
  messagesIn(chatId: string | number): StoredMessage[];
  /** The displayed text of a message, undefined when there is no such message. */
  lastTextOf(chatId: string | number, messageId: number | string): string | undefined;
  /** Queues an update for `getUpdates` (an `update_id` is assigned when missing); returns its id. */
  pushUpdate(update: JsonObject): number;
  /** The next message request to this chat gets 429 with `retry_after` = `seconds`. */
  forceRetryAfter(chatId: string | number, seconds: number): void;
  /** The next message request to this chat fails with this HTTP status and description. */
  forceError(chatId: string | number, status: number, description: string): void;
  /**
   * The next message request to this chat is received and recorded (status
   * 0) but never answered nor carried out: the sender's process can die with
   * the request in flight.
   */
  holdNext(chatId: string | number): void;
  kick(chatId: string | number): void;
  /** The bot is a member again (after {@link kick}): sends to the chat succeed. */
  readd(chatId: string | number): void;
  /**
   * The group was upgraded to a supergroup: message requests to `oldChatId`
   * get 400 "group chat was upgraded to a supergroup chat" with
   * `parameters.migrate_to_chat_id` = `newChatId`, as Telegram answers.
   */
  migrate(oldChatId: string | number, newChatId: string | number): void;
  markNotStarted(userId: string | number): void;
  stats(): FakeTelegramStats;
  /**
   * Resolves once `predicate` holds (checked after every call and every 20 ms),
   * or rejects after `timeoutMs` (default 10 s).
   */
  until(predicate: (fake: FakeTelegram) => boolean, timeoutMs?: number): Promise<void>;
  /** Forgets calls, messages and stats (not the configuration). */
  reset(): void;
  close(): Promise<void>;
}

const MESSAGE_METHODS = new Set(['sendMessage', 'editMessageText', 'editMessageReplyMarkup']);
const MAX_TEXT = 4096;
const MAX_CALLBACK_ANSWER = 200;
const MAX_CALLBACK_DATA_BYTES = 64;

class TelegramError extends Error {
  constructor(
    readonly status: number,
    readonly description: string,
    readonly parameters?: JsonObject,
  ) {
    super(description);
  }
}

const badRequest = (what: string) => new TelegramError(400, `Bad Request: ${what}`);

/** Keeps the request times of one limit scope; `windowMs` sliding. */
class SlidingWindow {
  private times: number[] = [];
  constructor(private readonly limit: FakeLimit) {}

  /** 0 when one more request fits at `now`, else ms until it would. */
  waitMs(now: number): number {
    const since = now - this.limit.windowMs;
    while (this.times.length > 0 && (this.times[0] ?? 0) <= since) this.times.shift();
    if (this.times.length < this.limit.count) return 0;
    const oldest = this.times[this.times.length - this.limit.count] ?? now;
    return oldest + this.limit.windowMs - now;
  }

  add(now: number): void {
    this.times.push(now);
  }
}

const idOf = (chatId: JsonValue | undefined): string => {
  if (typeof chatId === 'number' && Number.isInteger(chatId)) return String(chatId);
  if (typeof chatId === 'string' && /^(-?\d+|@\w+)$/.test(chatId)) return chatId;
  throw badRequest('chat not found');
};

const isGroup = (chatId: string) => chatId.startsWith('-');

function chatObject(chatId: string): JsonObject {
  const id = /^-?\d+$/.test(chatId) ? Number(chatId) : chatId;
  if (!isGroup(chatId)) return { id, type: 'private', first_name: `User ${chatId}` };
  return {
    id,
    // Supergroup ids are -100 followed by ten or more digits; shorter ones are basic groups.
    type: /^-100\d{10,}$/.test(chatId) ? 'supergroup' : 'group',
    title: `Group ${chatId}`,
  };
}

/** Stable JSON for comparing reply markups. */
function canonical(value: JsonValue | undefined): string {
  if (value === undefined) return '';
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .filter((k) => value[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

const HTML_TAGS = new Set([
  'b',
  'strong',
  'i',
  'em',
  'u',
  'ins',
  's',
  'strike',
  'del',
  'span',
  'tg-spoiler',
  'a',
  'code',
  'pre',
  'blockquote',
  'tg-emoji',
]);

const NAMED_ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"' };

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|[a-zA-Z]+);/g, (whole, name: string) => {
    if (name.startsWith('#x')) return String.fromCodePoint(Number.parseInt(name.slice(2), 16));
    if (name.startsWith('#')) return String.fromCodePoint(Number.parseInt(name.slice(1), 10));
    return NAMED_ENTITIES[name] ?? whole;
  });
}

/** Parses Telegram's HTML subset like the server does: unknown or unbalanced tags are refused. */
export function parseTelegramHtml(html: string): { text: string; links: string[] } {
  let text = '';
  const links: string[] = [];
  const open: string[] = [];
  let i = 0;
  while (i < html.length) {
    const lt = html.indexOf('<', i);
    if (lt === -1) {
      text += decodeEntities(html.slice(i));
      break;
    }
    text += decodeEntities(html.slice(i, lt));
    const gt = html.indexOf('>', lt);
    const offset = Buffer.byteLength(html.slice(0, lt));
    if (gt === -1) {
      throw badRequest(`can't parse entities: Unclosed start tag at byte offset ${offset}`);
    }
    const inner = html.slice(lt + 1, gt).trim();
    if (inner.startsWith('/')) {
      const name = inner.slice(1).trim().toLowerCase();
      if (open.pop() !== name) {
        throw badRequest(
          `can't parse entities: Unmatched end tag at byte offset ${offset}, expected "</${open.at(-1) ?? ''}>", found "</${name}>"`,
        );
      }
    } else {
      const name = (inner.match(/^[a-zA-Z-]+/)?.[0] ?? '').toLowerCase();
      if (!HTML_TAGS.has(name)) {
        throw badRequest(
          `can't parse entities: Unsupported start tag "${name}" at byte offset ${offset}`,
        );
      }
      if (name === 'a') {
        const href = inner.match(/href\s*=\s*(?:"([^"]*)"|'([^']*)')/);
        links.push(decodeEntities(href?.[1] ?? href?.[2] ?? ''));
      }
      open.push(name);
    }
    i = gt + 1;
  }
  if (open.length > 0) {
    throw badRequest(
      `can't parse entities: Can't find end tag corresponding to start tag "${open.at(-1)}"`,
    );
  }
  return { text, links };
}

function asObject(value: JsonValue | undefined): JsonObject | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? value : undefined;
}

function checkMarkup(markup: JsonObject | undefined): void {
  const rows = markup?.inline_keyboard;
  if (rows === undefined) return;
  if (!Array.isArray(rows)) throw badRequest('field "inline_keyboard" must be an Array');
  for (const row of rows) {
    if (!Array.isArray(row)) throw badRequest('field "inline_keyboard" must be an Array of Array');
    for (const button of row) {
      const b = asObject(button);
      if (!b || typeof b.text !== 'string') throw badRequest("can't parse inline keyboard button");
      const data = b.callback_data;
      if (
        typeof data === 'string' &&
        (data.length === 0 || Buffer.byteLength(data) > MAX_CALLBACK_DATA_BYTES)
      ) {
        throw badRequest('BUTTON_DATA_INVALID');
      }
    }
  }
}

/** Form values are strings; Telegram reads object-valued fields as JSON. */
function fromForm(entries: Iterable<[string, unknown]>): JsonObject {
  const params: JsonObject = {};
  for (const [key, value] of entries) {
    if (typeof value !== 'string') continue;
    const trimmed = value.trim();
    if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
      try {
        params[key] = JSON.parse(trimmed) as JsonValue;
        continue;
      } catch {
        // Not JSON after all: keep the string, as Telegram would.
      }
    }
    params[key] = value;
  }
  return params;
}

async function readParams(req: IncomingMessage, url: URL): Promise<JsonObject> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks);
  const params: JsonObject = fromForm(url.searchParams.entries());
  if (body.length === 0) return params;
  const type = req.headers['content-type'] ?? '';
  if (type.includes('application/json')) {
    const parsed = asObject(JSON.parse(body.toString('utf8')) as JsonValue);
    if (!parsed) throw badRequest('parameters must be a JSON object');
    return { ...params, ...parsed };
  }
  // urlencoded and multipart bodies: let the platform's Request parse them.
  const form = await new Request(url, {
    method: 'POST',
    headers: { 'content-type': type },
    body,
  }).formData();
  return { ...params, ...fromForm(form.entries()) };
}

/** Starts the fake on a free port of 127.0.0.1. */
export async function startFakeTelegram(options: FakeTelegramOptions = {}): Promise<FakeTelegram> {
  const limits =
    options.limits === false
      ? undefined
      : {
          perBot: options.limits?.perBot ?? TELEGRAM_LIMITS.perBot,
          perGroup: options.limits?.perGroup ?? TELEGRAM_LIMITS.perGroup,
        };
  const kicked = new Set([...(options.kickedChats ?? [])].map(String));
  const notStarted = new Set([...(options.notStartedUsers ?? [])].map(String));
  const events = new EventEmitter();
  events.setMaxListeners(0);

  let recorded: RecordedCall[] = [];
  let chats = new Map<string, Map<number, StoredMessage>>();
  let nextMessageId = new Map<string, number>();
  const noStats = (): FakeTelegramStats => ({
    limited: 0,
    forced: 0,
    insideRetryAfter: 0,
    inFlightAtRetryAfter: 0,
    messageRequests: 0,
  });
  let stats = noStats();
  let botWindows = new Map<string, SlidingWindow>();
  let groupWindows = new Map<string, SlidingWindow>();
  /** Per chat: epoch ms until which the last announced retry_after runs. */
  let retryUntil = new Map<string, number>();
  /** Per chat: epoch ms of the last 429 answered. */
  let announcedAt = new Map<string, number>();
  const forcedRetry = new Map<string, number>();
  const forcedError = new Map<string, TelegramError>();
  const held = new Set<string>();
  let updates: JsonObject[] = [];
  let nextUpdateId = 1;
  /** Callback queries answered already: Telegram takes one answer per query. */
  let answeredQueries = new Set<string>();
  const pollers = new Set<() => void>();

  const botId = Number(options.token?.split(':')[0]) || 123456789;
  const botInfo = {
    id: botId,
    is_bot: true as const,
    first_name: 'Yishi Test',
    username: 'yishi_test_bot',
    can_join_groups: true,
    can_read_all_group_messages: false,
    supports_inline_queries: false,
  };

  const windowOf = (map: Map<string, SlidingWindow>, key: string, limit: FakeLimit) => {
    let w = map.get(key);
    if (!w) {
      w = new SlidingWindow(limit);
      map.set(key, w);
    }
    return w;
  };

  const retryAfter = (seconds: number) =>
    new TelegramError(429, `Too Many Requests: retry after ${seconds}`, { retry_after: seconds });

  const tooMany = (chatId: string, now: number, seconds: number) => {
    retryUntil.set(chatId, Math.max(retryUntil.get(chatId) ?? 0, now + seconds * 1000));
    announcedAt.set(chatId, now);
    return retryAfter(seconds);
  };

  /** Applies the flood rules to a message request; throws the 429 when it must be refused. */
  const floodCheck = (token: string, chatId: string, now: number) => {
    const until = retryUntil.get(chatId) ?? 0;
    if (now < until) {
      const inFlight = now - (announcedAt.get(chatId) ?? 0) <= (options.retryAfterGraceMs ?? 0);
      if (inFlight) stats.inFlightAtRetryAfter += 1;
      else stats.insideRetryAfter += 1;
      throw retryAfter(Math.max(1, Math.ceil((until - now) / 1000)));
    }
    const failure = forcedError.get(chatId);
    if (failure) {
      forcedError.delete(chatId);
      throw failure;
    }
    const forced = forcedRetry.get(chatId);
    if (forced !== undefined) {
      forcedRetry.delete(chatId);
      stats.forced += 1;
      throw tooMany(chatId, now, forced);
    }
    if (!limits) return;
    const windows = [windowOf(botWindows, token, limits.perBot)];
    if (isGroup(chatId)) windows.push(windowOf(groupWindows, chatId, limits.perGroup));
    const waitMs = Math.max(...windows.map((w) => w.waitMs(now)));
    if (waitMs > 0) {
      stats.limited += 1;
      throw tooMany(chatId, now, Math.max(1, Math.ceil(waitMs / 1000)));
    }
    for (const w of windows) w.add(now);
  };

  const migrated = new Map<string, number>();

  const reachable = (chatId: string) => {
    const movedTo = migrated.get(chatId);
    if (movedTo !== undefined) {
      throw new TelegramError(400, 'Bad Request: group chat was upgraded to a supergroup chat', {
        migrate_to_chat_id: movedTo,
      });
    }
    if (kicked.has(chatId)) {
      throw new TelegramError(
        403,
        isGroup(chatId)
          ? 'Forbidden: bot was kicked from the group chat'
          : 'Forbidden: bot was blocked by the user',
      );
    }
    if (notStarted.has(chatId)) {
      throw new TelegramError(403, "Forbidden: bot can't initiate conversation with a user");
    }
  };

  const chatMessages = (chatId: string) => {
    let messages = chats.get(chatId);
    if (!messages) {
      messages = new Map();
      chats.set(chatId, messages);
    }
    return messages;
  };

  const render = (params: JsonObject) => {
    const source = params.text;
    if (typeof source !== 'string' || source.trim() === '') {
      throw badRequest('message text is empty');
    }
    const parseMode = typeof params.parse_mode === 'string' ? params.parse_mode : undefined;
    const parsed =
      parseMode?.toUpperCase() === 'HTML'
        ? parseTelegramHtml(source)
        : { text: source, links: [] as string[] };
    if (parsed.text.length > MAX_TEXT) throw badRequest('message is too long');
    const replyMarkup = asObject(params.reply_markup);
    checkMarkup(replyMarkup);
    return { source, parseMode, replyMarkup, ...parsed };
  };

  const messageJson = (m: StoredMessage): JsonObject => ({
    message_id: m.messageId,
    from: {
      id: botInfo.id,
      is_bot: true,
      first_name: botInfo.first_name,
      username: botInfo.username,
    },
    chat: chatObject(m.chatId),
    date: m.date,
    ...(m.threadId !== undefined ? { message_thread_id: m.threadId, is_topic_message: true } : {}),
    ...(m.editDate !== undefined ? { edit_date: m.editDate } : {}),
    text: m.text,
    ...(m.replyMarkup !== undefined ? { reply_markup: m.replyMarkup } : {}),
  });

  const findMessage = (params: JsonObject, chatId: string) => {
    const messageId = Number(params.message_id);
    const message = chats.get(chatId)?.get(messageId);
    if (!Number.isInteger(messageId) || !message) throw badRequest('message to edit not found');
    return message;
  };

  const notModified = () =>
    badRequest(
      'message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message',
    );

  const longPoll = async (params: JsonObject): Promise<JsonValue> => {
    const offset = Number(params.offset ?? 0);
    if (offset > 0) updates = updates.filter((u) => Number(u.update_id) >= offset);
    const limit = Math.min(100, Math.max(1, Number(params.limit ?? 100)));
    const timeoutMs = Math.min(50, Math.max(0, Number(params.timeout ?? 0))) * 1000;
    if (updates.length === 0 && timeoutMs > 0) {
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          pollers.delete(done);
          resolve();
        };
        const timer = setTimeout(done, timeoutMs);
        pollers.add(done);
      });
    }
    return updates.slice(0, limit);
  };

  const handle = async (
    token: string,
    method: string,
    params: JsonObject,
    now: number,
  ): Promise<JsonValue> => {
    const nowSeconds = Math.floor(now / 1000);
    switch (method) {
      case 'getMe':
        return botInfo;
      case 'setWebhook':
      case 'deleteWebhook':
      case 'setMyCommands':
      case 'deleteMyCommands':
      case 'sendChatAction':
        return true;
      case 'answerCallbackQuery': {
        const queryId = params.callback_query_id;
        if (typeof queryId !== 'string' || queryId === '' || answeredQueries.has(queryId)) {
          throw badRequest('query is too old and response timeout expired or query ID is invalid');
        }
        if (typeof params.text === 'string' && params.text.length > MAX_CALLBACK_ANSWER) {
          throw badRequest('MESSAGE_TOO_LONG');
        }
        answeredQueries.add(queryId);
        return true;
      }
      case 'getWebhookInfo':
        return { url: '', has_custom_certificate: false, pending_update_count: updates.length };
      case 'getMyCommands':
        return [];
      case 'getUpdates':
        return longPoll(params);
      case 'deleteMessage': {
        const chatId = idOf(params.chat_id);
        const messageId = Number(params.message_id);
        if (!chats.get(chatId)?.delete(messageId)) throw badRequest('message to delete not found');
        return true;
      }
      case 'sendMessage': {
        const chatId = idOf(params.chat_id);
        reachable(chatId);
        const content = render(params);
        const thread = params.message_thread_id;
        const threadId = thread === undefined ? undefined : Number(thread);
        if (threadId !== undefined && (!Number.isInteger(threadId) || threadId <= 0)) {
          throw badRequest('message thread not found');
        }
        floodCheck(token, chatId, now);
        const messageId = nextMessageId.get(chatId) ?? 1;
        nextMessageId.set(chatId, messageId + 1);
        const message: StoredMessage = {
          chatId,
          messageId,
          text: content.text,
          source: content.source,
          parseMode: content.parseMode,
          links: content.links,
          replyMarkup: content.replyMarkup,
          date: nowSeconds,
          editDate: undefined,
          history: [content.text],
          threadId,
        };
        chatMessages(chatId).set(messageId, message);
        return messageJson(message);
      }
      case 'editMessageText': {
        if (params.inline_message_id !== undefined) throw badRequest('inline messages unsupported');
        const chatId = idOf(params.chat_id);
        reachable(chatId);
        const content = render(params);
        floodCheck(token, chatId, now);
        const message = findMessage(params, chatId);
        if (
          message.source === content.source &&
          message.parseMode === content.parseMode &&
          canonical(message.replyMarkup) === canonical(content.replyMarkup)
        ) {
          throw notModified();
        }
        Object.assign(message, {
          text: content.text,
          source: content.source,
          parseMode: content.parseMode,
          links: content.links,
          replyMarkup: content.replyMarkup,
          editDate: nowSeconds,
        });
        message.history.push(content.text);
        return messageJson(message);
      }
      case 'editMessageReplyMarkup': {
        const chatId = idOf(params.chat_id);
        reachable(chatId);
        const markup = asObject(params.reply_markup);
        checkMarkup(markup);
        floodCheck(token, chatId, now);
        const message = findMessage(params, chatId);
        if (canonical(message.replyMarkup) === canonical(markup)) throw notModified();
        message.replyMarkup = markup;
        message.editDate = nowSeconds;
        return messageJson(message);
      }
      default:
        throw new TelegramError(404, 'Not Found: method not found');
    }
  };

  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  const answer = (res: ServerResponse, status: number, body: JsonObject) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };

  /** The server's answer to a call that failed with `error`. */
  const refusal = (method: string, error: unknown) => {
    const e =
      error instanceof TelegramError
        ? error
        : error instanceof SyntaxError
          ? badRequest("can't parse JSON object")
          : new TelegramError(500, `Internal Server Error: ${String(error)}`);
    // A request refused after passing the flood check still counted against the limits.
    if (MESSAGE_METHODS.has(method) && e.status !== 429 && e.status !== 403 && e.status !== 401)
      stats.messageRequests += 1;
    const response: JsonObject = {
      ok: false,
      error_code: e.status,
      description: e.description,
      ...(e.parameters ? { parameters: e.parameters } : {}),
    };
    return { status: e.status, response };
  };

  /** Runs `method` as the server does; the answer it would give. */
  const carryOut = async (token: string, method: string, params: JsonObject, at: number) => {
    try {
      const result = await handle(token, method, params, at);
      if (MESSAGE_METHODS.has(method)) stats.messageRequests += 1;
      const response: JsonObject = { ok: true, result };
      return { status: 200, response };
    } catch (error) {
      return refusal(method, error);
    }
  };

  const server = createServer(async (req, res) => {
    const at = Date.now();
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const match = url.pathname.match(/^\/bot([^/]+)\/(?:test\/)?([A-Za-z]+)$/);
    if (!match) {
      answer(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
      return;
    }
    const [, token = '', method = ''] = match;
    let params: JsonObject = {};
    let outcome: { status: number; response: JsonObject };
    try {
      params = await readParams(req, url);
      if (options.token !== undefined && token !== options.token) {
        throw new TelegramError(401, 'Unauthorized');
      }
      if (MESSAGE_METHODS.has(method) && held.delete(String(params.chat_id))) {
        // Left unanswered: the socket stays open until the client goes away or the fake closes.
        recorded.push({ method, params, via: 'api', at, status: 0, response: {} });
        events.emit('call');
        return;
      }
      outcome = await carryOut(token, method, params, at);
    } catch (error) {
      outcome = refusal(method, error);
    }
    const { status, response } = outcome;
    recorded.push({ method, params, via: 'api', at, status, response });
    if (options.latencyMs) await sleep(options.latencyMs);
    answer(res, status, response);
    events.emit('call');
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;

  const fake: FakeTelegram = {
    apiRoot: `http://127.0.0.1:${port}`,
    botInfo,
    calls: (method) => (method ? recorded.filter((c) => c.method === method) : [...recorded]),
    async webhookReply(body) {
      let parsed: JsonObject | undefined;
      try {
        parsed = asObject(JSON.parse(body) as JsonValue);
      } catch {
        return undefined;
      }
      const method = parsed?.method;
      if (!parsed || typeof method !== 'string') return undefined;
      const { method: _, ...params } = parsed;
      const at = Date.now();
      const { status, response } = await carryOut(options.token ?? 'webhook', method, params, at);
      const call: RecordedCall = { method, params, via: 'webhook', at, status, response };
      recorded.push(call);
      events.emit('call');
      return call;
    },
    messagesIn: (chatId) =>
      [...(chats.get(String(chatId))?.values() ?? [])].sort((a, b) => a.messageId - b.messageId),
    lastTextOf: (chatId, messageId) => chats.get(String(chatId))?.get(Number(messageId))?.text,
    pushUpdate(update) {
      const updateId = typeof update.update_id === 'number' ? update.update_id : nextUpdateId;
      nextUpdateId = Math.max(nextUpdateId, updateId + 1);
      updates.push({ ...update, update_id: updateId });
      for (const wake of [...pollers]) wake();
      return updateId;
    },
    forceRetryAfter(chatId, seconds) {
      forcedRetry.set(String(chatId), seconds);
    },
    forceError(chatId, status, description) {
      forcedError.set(String(chatId), new TelegramError(status, description));
    },
    holdNext(chatId) {
      held.add(String(chatId));
    },
    kick(chatId) {
      kicked.add(String(chatId));
    },
    readd(chatId) {
      kicked.delete(String(chatId));
    },
    migrate(oldChatId, newChatId) {
      migrated.set(String(oldChatId), Number(newChatId));
    },
    markNotStarted(userId) {
      notStarted.add(String(userId));
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
          reject(new Error(`fake Telegram: condition not met within ${timeoutMs} ms`));
        }, timeoutMs);
        // Also polled: a predicate may depend on what a client does after its last call.
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
      chats = new Map();
      nextMessageId = new Map();
      stats = noStats();
      botWindows = new Map();
      groupWindows = new Map();
      retryUntil = new Map();
      announcedAt = new Map();
      forcedRetry.clear();
      forcedError.clear();
      held.clear();
      updates = [];
      answeredQueries = new Set();
    },
    async close() {
      for (const wake of [...pollers]) wake();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return fake;
}
