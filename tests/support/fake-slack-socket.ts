/**
 * A local fake of Slack's Socket Mode side, next to the fake Web API
 * (fake-slack.ts) it starts: `apps.connections.open` with the app-level
 * token hands out a single-use WebSocket URL; a connection to it is greeted
 * with `hello`, then receives envelopes (`events_api`, `slash_commands`,
 * `interactive`) that the app must acknowledge with `{"envelope_id"}`
 * (optionally a `payload`) within 3 seconds, as Slack requires; `refresh()`
 * sends `disconnect` (`refresh_requested`) and closes the connection if the
 * app has not within the grace Slack gives (about 10 s). The server pings
 * the app now and then, and answers its pings, as Slack does.
 *
 * Every envelope sent and every acknowledgement received is recorded, so a
 * test can tell that each envelope was acknowledged exactly once and none
 * was acknowledged that was never sent.
 */
import { randomUUID } from 'node:crypto';
import { EventEmitter, once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';
import { type FakeSlack, type FakeSlackOptions, startFakeSlack } from './fake-slack.ts';

export type EnvelopeType = 'events_api' | 'slash_commands' | 'interactive';

/** What the app sent back for an envelope. */
export type SocketAck = {
  envelopeId: string;
  /** The ack's `payload` (a view's `response_action`, say); absent when none was sent. */
  payload: Record<string, unknown> | undefined;
  connection: number;
  at: number;
};

/** An envelope sent to the app. */
export type SocketDelivery = {
  envelopeId: string;
  type: EnvelopeType;
  connection: number;
  at: number;
};

export type SocketConnection = {
  id: number;
  openedAt: number;
  closedAt: number | undefined;
  /** The close code the connection ended with (1000 when the app closed it normally). */
  closeCode: number | undefined;
};

export type FakeSlackSocketOptions = {
  /** The app-level token `apps.connections.open` accepts. */
  appToken: string;
  /**
   * A platform error `apps.connections.open` answers every call with, once
   * it has accepted the token (`missing_scope`: made without connections:write).
   */
  refusal?: string;
  /** The fake Web API's own options (bot token, limits). */
  web?: Omit<FakeSlackOptions, 'socketMode'>;
  /** How long an envelope may wait for its acknowledgement (default Slack's 3000 ms). */
  ackTimeoutMs?: number;
  /** After `disconnect`, how long the app has to close before the server does (default 10 s). */
  refreshGraceMs?: number;
  /** How often the server pings each connection (default 10 s). */
  pingIntervalMs?: number;
};

export interface FakeSlackSocket {
  /** The fake Web API, for `SLACK_API_URL` and for what the app posted. */
  readonly web: FakeSlack;
  /** URLs `apps.connections.open` handed out, oldest first. */
  issued(): string[];
  connections(): SocketConnection[];
  /** The connection that said hello last and is still open, if any. */
  current(): SocketConnection | undefined;
  /** Resolves once `count` connections have been greeted and one of them is open. */
  connected(count?: number, timeoutMs?: number): Promise<void>;
  /** Resolves once `predicate` holds, checked at each connection's opening, greeting and close. */
  until(predicate: () => boolean, what: string, timeoutMs?: number): Promise<void>;
  /**
   * Sends an envelope over the open connection and resolves with its
   * acknowledgement; rejects when none arrives within the ack timeout.
   * A redelivery (Slack's retry of an event) is a new envelope carrying
   * `retryAttempt` and `retryReason`, with the same payload.
   */
  deliver(
    type: EnvelopeType,
    payload: Record<string, unknown>,
    options?: { envelopeId?: string; retryAttempt?: number; retryReason?: string },
  ): Promise<SocketAck>;
  /** Sends `disconnect` with `reason` (default `refresh_requested`) to the open connection. */
  refresh(reason?: string): void;
  deliveries(): SocketDelivery[];
  acks(): SocketAck[];
  /** Messages from the app that were not a valid acknowledgement of an envelope sent once. */
  strays(): string[];
  close(): Promise<void>;
}

type Live = { record: SocketConnection; socket: WebSocket; greeted: boolean };

/** Starts the fake Web API and the Socket Mode server on free ports of 127.0.0.1. */
export async function startFakeSlackSocket(
  options: FakeSlackSocketOptions,
): Promise<FakeSlackSocket> {
  const ackTimeoutMs = options.ackTimeoutMs ?? 3_000;
  const refreshGraceMs = options.refreshGraceMs ?? 10_000;
  const pingIntervalMs = options.pingIntervalMs ?? 10_000;
  const events = new EventEmitter();
  events.setMaxListeners(0);

  const tickets = new Set<string>();
  const issued: string[] = [];
  const connections: SocketConnection[] = [];
  const live = new Map<number, Live>();
  const deliveries: SocketDelivery[] = [];
  const acks: SocketAck[] = [];
  const strays: string[] = [];
  const waiting = new Map<string, (ack: SocketAck) => void>();
  const timers = new Set<NodeJS.Timeout>();

  const wss = new WebSocketServer({ noServer: true });
  const http = createServer((_req, res) => {
    res.writeHead(404);
    res.end();
  });
  // Only a URL just handed out by apps.connections.open connects, and only once.
  http.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const ticket = url.searchParams.get('ticket') ?? '';
    if (url.pathname !== '/link/' || !tickets.delete(ticket)) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => accept(ws));
  });
  http.listen(0, '127.0.0.1');
  await once(http, 'listening');
  const { port } = http.address() as AddressInfo;

  const web = await startFakeSlack({
    ...options.web,
    socketMode: {
      appToken: options.appToken,
      refusal: options.refusal,
      connectionUrl: () => {
        const ticket = randomUUID();
        tickets.add(ticket);
        const url = `ws://127.0.0.1:${port}/link/?ticket=${ticket}`;
        issued.push(url);
        return url;
      },
    },
  });

  function onMessage(connection: number, data: RawData) {
    const text = data.toString();
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      strays.push(text);
      return;
    }
    const m = message as { envelope_id?: unknown; payload?: unknown };
    const envelopeId = typeof m.envelope_id === 'string' ? m.envelope_id : '';
    const resolve = waiting.get(envelopeId);
    if (!resolve) {
      // Unknown, already acknowledged, or no envelope id at all.
      strays.push(text);
      return;
    }
    waiting.delete(envelopeId);
    const payload =
      m.payload !== null && typeof m.payload === 'object'
        ? (m.payload as Record<string, unknown>)
        : undefined;
    const ack: SocketAck = { envelopeId, payload, connection, at: Date.now() };
    acks.push(ack);
    resolve(ack);
  }

  function accept(socket: WebSocket) {
    const record: SocketConnection = {
      id: connections.length + 1,
      openedAt: Date.now(),
      closedAt: undefined,
      closeCode: undefined,
    };
    connections.push(record);
    const entry: Live = { record, socket, greeted: false };
    live.set(record.id, entry);
    const ping = setInterval(() => socket.ping(), pingIntervalMs);
    socket.on('message', (data) => onMessage(record.id, data));
    socket.on('close', (code) => {
      clearInterval(ping);
      record.closedAt = Date.now();
      record.closeCode = code;
      live.delete(record.id);
      events.emit('change');
    });
    socket.send(
      JSON.stringify({
        type: 'hello',
        num_connections: live.size,
        debug_info: {
          host: `applink-fake-${record.id}`,
          build_number: 1,
          approximate_connection_time: 18_060,
        },
        connection_info: { app_id: 'A0TEST' },
      }),
      () => {
        entry.greeted = true;
        events.emit('change');
      },
    );
  }

  const current = () => {
    const open = [...live.values()].filter((l) => l.greeted);
    return open[open.length - 1];
  };

  const fake: FakeSlackSocket = {
    web,
    issued: () => [...issued],
    connections: () => connections.map((c) => ({ ...c })),
    current: () => {
      const open = current();
      return open ? { ...open.record } : undefined;
    },
    connected(count = 1, timeoutMs = 15_000) {
      return fake.until(
        () => connections.length >= count && current() !== undefined,
        `${count} connection(s) with one open`,
        timeoutMs,
      );
    },
    until(predicate, what, timeoutMs = 15_000) {
      if (predicate()) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const check = () => {
          if (!predicate()) return;
          cleanup();
          resolve();
        };
        const timer = setTimeout(() => {
          cleanup();
          const open = live.size;
          reject(
            new Error(
              `fake Slack socket: wanted ${what} within ${timeoutMs} ms; ${connections.length} connection(s), ${open} open`,
            ),
          );
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          events.off('change', check);
        };
        events.on('change', check);
      });
    },
    deliver(type, payload, deliverOptions = {}) {
      const open = current();
      if (!open) return Promise.reject(new Error('fake Slack socket: no open connection'));
      const envelopeId = deliverOptions.envelopeId ?? randomUUID();
      if (waiting.has(envelopeId)) {
        return Promise.reject(new Error(`envelope ${envelopeId} is already waiting for its ack`));
      }
      const envelope = {
        envelope_id: envelopeId,
        type,
        payload,
        // Slack takes a response payload in the ack for commands and interactivity, not for events.
        accepts_response_payload: type !== 'events_api',
        ...(deliverOptions.retryAttempt === undefined
          ? type === 'events_api'
            ? { retry_attempt: 0, retry_reason: '' }
            : {}
          : {
              retry_attempt: deliverOptions.retryAttempt,
              retry_reason: deliverOptions.retryReason ?? 'timeout',
            }),
      };
      return new Promise<SocketAck>((resolve, reject) => {
        const timer = setTimeout(() => {
          timers.delete(timer);
          waiting.delete(envelopeId);
          reject(
            new Error(
              `fake Slack socket: envelope ${envelopeId} (${type}) not acknowledged within ${ackTimeoutMs} ms`,
            ),
          );
        }, ackTimeoutMs);
        timers.add(timer);
        waiting.set(envelopeId, (ack) => {
          clearTimeout(timer);
          timers.delete(timer);
          resolve(ack);
        });
        deliveries.push({ envelopeId, type, connection: open.record.id, at: Date.now() });
        open.socket.send(JSON.stringify(envelope));
      });
    },
    refresh(reason = 'refresh_requested') {
      const open = current();
      if (!open) throw new Error('fake Slack socket: no open connection to refresh');
      open.socket.send(
        JSON.stringify({
          type: 'disconnect',
          reason,
          debug_info: { host: `applink-fake-${open.record.id}` },
        }),
      );
      // Slack keeps the old connection a little while, then closes it itself.
      const timer = setTimeout(() => {
        timers.delete(timer);
        open.socket.close(1001, 'refreshed');
      }, refreshGraceMs);
      timers.add(timer);
    },
    deliveries: () => [...deliveries],
    acks: () => [...acks],
    strays: () => [...strays],
    async close() {
      for (const timer of timers) clearTimeout(timer);
      for (const { socket } of live.values()) socket.terminate();
      wss.close();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
      await web.close();
    },
  };
  return fake;
}
