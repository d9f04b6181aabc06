/**
 * Driving the Slack adapter as Slack does: signed requests (v0 HMAC of
 * `v0:{ts}:{body}` with the signing secret) to `POST /slack/events` of an
 * in-process gateway (the express app of src/runtime), with the bot's
 * outbound calls and `response_url` answers going to the fake Slack. Builds
 * slash commands, button presses, form submissions and events the way Slack
 * sends them (form-encoded `payload=` for interactivity, JSON for events).
 */
import { createHmac } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { createSlackAdapter, type SlackAdapter } from '../../bots/slack/index.ts';
import { ballotBatcher } from '../../src/app/ballot-batcher.ts';
import type { CoreDeps } from '../../src/app/core.ts';
import type { ChatDeps } from '../../src/chat/turn.ts';
import { createHttpApp, listen } from '../../src/runtime/http-server.ts';
import { createMetrics } from '../../src/runtime/metrics.ts';
import { uuidSource } from '../../src/runtime/system.ts';
import { ballotBatchStore } from '../../src/store/ballot-batch-store.ts';
import { chatStore } from '../../src/store/chat-store.ts';
import type { Database } from '../../src/store/database.ts';
import { joinCodeStore } from '../../src/store/roster-store.ts';
import { statusReader } from '../../src/store/status-store.ts';
import { type FakeSlack, startFakeSlack } from './fake-slack.ts';

export const SLACK_TOKEN = 'xoxb-test-token';
export const SLACK_SECRET = 'test-signing-secret';
export const TEAM = 'T0TEST';

export type Posted = { status: number; body: string; ms: number };

export type SlackGateway = {
  url: string;
  adapter: SlackAdapter;
  fake: FakeSlack;
  /** Posts a raw body with headers (for signature tests). */
  raw(body: string, headers: Record<string, string>): Promise<Posted>;
  /** `/yishi <text>` from `user` in `channel`; `triggerId` defaults to a fresh one. */
  command(input: CommandInput): Promise<Posted>;
  /** A press of the button whose value is `value` on message `messageTs` of `channel`. */
  press(input: PressInput): Promise<Posted>;
  /** The propose form submitted by `user`; `view` is what views.open received. */
  submit(input: {
    user: string;
    viewId: string;
    view: object;
    values: FormValues;
  }): Promise<Posted>;
  /** An Events API delivery, optionally as Slack's retry `retryNum`. */
  event(input: { eventId: string; event: object; retryNum?: number }): Promise<Posted>;
  close(): Promise<void>;
};

export type FormValues = { title: string; body?: string; category?: string };
export type CommandInput = { channel: string; user: string; text: string; triggerId?: string };
export type PressInput = {
  channel: string;
  user: string;
  messageTs: string;
  value: string;
  actionTs?: string;
};

/** Slack's signature headers for `body` sent at `timestamp` (seconds). */
export function signedHeaders(
  body: string,
  timestamp = Math.floor(Date.now() / 1000),
  secret = SLACK_SECRET,
): Record<string, string> {
  const hash = createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex');
  return {
    'x-slack-request-timestamp': String(timestamp),
    'x-slack-signature': `v0=${hash}`,
  };
}

let sequence = 0;
const nextId = (prefix: string) => `${prefix}${Date.now()}${++sequence}`;

/**
 * What Slack sends for `/yishi <text>`: form fields over HTTP, the same
 * fields as the JSON payload of a `slash_commands` envelope over Socket Mode.
 */
export function slashCommandFields(
  fake: Pick<FakeSlack, 'responseUrl'>,
  { channel, user, text, triggerId }: CommandInput,
): Record<string, string> {
  return {
    token: 'verification-token',
    team_id: TEAM,
    team_domain: 'test',
    channel_id: channel,
    channel_name: channel.startsWith('D') ? 'directmessage' : channel.toLowerCase(),
    user_id: user,
    user_name: user.toLowerCase(),
    command: '/yishi',
    // Slack sends &, < and > in what the person typed as entities.
    text: text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'),
    api_app_id: 'A0TEST',
    response_url: fake.responseUrl(`${channel}-${user}-${nextId('c')}`),
    trigger_id: triggerId ?? nextId('trigger-'),
  };
}

/** A `block_actions` payload: `payload=` over HTTP, an `interactive` envelope over Socket Mode. */
export function blockActionsPayload(
  fake: Pick<FakeSlack, 'responseUrl'>,
  { channel, user, messageTs, value, actionTs }: PressInput,
): Record<string, unknown> {
  return {
    type: 'block_actions',
    team: { id: TEAM, domain: 'test' },
    user: { id: user, username: user.toLowerCase(), team_id: TEAM },
    api_app_id: 'A0TEST',
    token: 'verification-token',
    container: { type: 'message', message_ts: messageTs, channel_id: channel },
    trigger_id: nextId('trigger-'),
    channel: { id: channel, name: channel.toLowerCase() },
    message: { type: 'message', ts: messageTs, text: 'card' },
    response_url: fake.responseUrl(`${channel}-${user}-${nextId('a')}`),
    actions: [
      {
        type: 'button',
        block_id: 'yishi-actions-0',
        action_id: value,
        value,
        text: { type: 'plain_text', text: value },
        action_ts: actionTs ?? `${Date.now() / 1000}${++sequence}`,
      },
    ],
  };
}

/** An Events API `event_callback`: a request body over HTTP, an `events_api` envelope's payload. */
export function eventCallback(input: { eventId: string; event: object }): Record<string, unknown> {
  return {
    token: 'verification-token',
    team_id: TEAM,
    api_app_id: 'A0TEST',
    type: 'event_callback',
    event_id: input.eventId,
    event_time: Math.floor(Date.now() / 1000),
    event: input.event,
  };
}

/** A person's message in their DM with the bot, as Slack's `message` event carries it. */
export function dmMessage(input: { dm: string; user: string; text: string; ts: string }) {
  return {
    type: 'message',
    channel: input.dm,
    channel_type: 'im',
    user: input.user,
    text: input.text,
    ts: input.ts,
    event_ts: input.ts,
  };
}

/** The co-signs proposal `number` of the community has in the database. */
export async function cosignCount(db: Database, communityId: string, number: number) {
  const rows = await db.pool.query<{ n: string }>(
    `SELECT count(*) AS n FROM "Cosign" s JOIN "Proposal" p ON p.id = s."proposalId"
     WHERE p."communityId" = $1 AND p.number = $2`,
    [communityId, number],
  );
  return Number(rows.rows[0]?.n);
}

export async function startSlackGateway(
  db: Database,
  core: CoreDeps,
  options: {
    fake?: FakeSlack;
    /** Hot topics (`/yishi topics`, channel messages counted), as the composition root adds them. */
    hotTopics?: Pick<ChatDeps, 'hotTopics' | 'countMessage'>;
  } = {},
): Promise<SlackGateway> {
  const fake = options.fake ?? (await startFakeSlack({ token: SLACK_TOKEN, perChannel: false }));
  const app = createHttpApp({ health: async () => ({}), metrics: createMetrics() });
  const adapter = await createSlackAdapter({
    token: SLACK_TOKEN,
    signingSecret: SLACK_SECRET,
    apiUrl: fake.apiUrl,
    transport: { kind: 'http', app },
    deps: {
      core,
      // As the composition root (src/runtime/web.ts): ballots go through the group commit.
      ballots: ballotBatcher(core, ballotBatchStore(db)),
      joinCodes: { clock: core.clock, ids: uuidSource, joinCodes: joinCodeStore(db) },
      status: statusReader(db),
      chats: chatStore(db),
      log: pino({ level: process.env.SLACK_TEST_LOG ?? 'silent' }),
      ...options.hotTopics,
    },
  });
  const server: Server = await listen(app, 0);
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const raw = async (body: string, headers: Record<string, string>): Promise<Posted> => {
    const started = performance.now();
    const response = await fetch(`${url}/slack/events`, { method: 'POST', headers, body });
    const text = await response.text();
    return { status: response.status, body: text, ms: performance.now() - started };
  };
  const form = (fields: Record<string, string>) => {
    const body = new URLSearchParams(fields).toString();
    return raw(body, {
      'content-type': 'application/x-www-form-urlencoded',
      ...signedHeaders(body),
    });
  };
  const interaction = (payload: object) => form({ payload: JSON.stringify(payload) });

  return {
    url,
    adapter,
    fake,
    raw,
    command(input) {
      return form(slashCommandFields(fake, input));
    },
    press(input) {
      return interaction(blockActionsPayload(fake, input));
    },
    submit({ user, viewId, view, values }) {
      const v = view as { private_metadata?: string; callback_id?: string };
      return interaction({
        type: 'view_submission',
        team: { id: TEAM, domain: 'test' },
        user: { id: user, username: user.toLowerCase(), team_id: TEAM },
        api_app_id: 'A0TEST',
        token: 'verification-token',
        trigger_id: nextId('trigger-'),
        view: {
          id: viewId,
          type: 'modal',
          callback_id: v.callback_id,
          private_metadata: v.private_metadata,
          hash: `h${viewId}`,
          state: {
            values: {
              title: { title: { type: 'plain_text_input', value: values.title } },
              body: { body: { type: 'plain_text_input', value: values.body ?? null } },
              category: {
                category: {
                  type: 'static_select',
                  selected_option: values.category ? { value: values.category } : null,
                },
              },
            },
          },
        },
      });
    },
    event({ eventId, event, retryNum }) {
      const body = JSON.stringify(eventCallback({ eventId, event }));
      return raw(body, {
        'content-type': 'application/json',
        ...signedHeaders(body),
        ...(retryNum === undefined
          ? {}
          : { 'x-slack-retry-num': String(retryNum), 'x-slack-retry-reason': 'http_timeout' }),
      });
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await adapter.stop();
      if (!options.fake) await fake.close();
    },
  };
}

/** Slack user id of the person of household `i` in tests. */
export const slackUserOf = (i: number) => `U${String(100 + i).padStart(4, '0')}SL`;
