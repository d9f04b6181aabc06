/**
 * The Slack adapter: a Bolt app whose deliveries (slash commands,
 * interactivity, events) arrive at `POST /slack/events` on the one express
 * app through Bolt's `ExpressReceiver` (signature checked), or over Socket
 * Mode in development (`SLACK_APP_TOKEN` and no `PUBLIC_URL`); the
 * conversation shared with every platform (src/chat); and the
 * {@link ChatSender} the workers' push queue posts cards with.
 *
 * Unlike Telegram's webhook, a delivery is acknowledged before it is
 * handled (Slack allows 3 seconds and then retries or shows an error); its
 * effect happens once (the use cases are idempotent by Slack's ids, see
 * turn.ts) and its reply once (claimed in PostgreSQL).
 */
import { App, type Logger as BoltLogger, ExpressReceiver, LogLevel } from '@slack/bolt';
import { WebAPIPlatformError, WebClient } from '@slack/web-api';
import type { Express } from 'express';
import type { Logger } from 'pino';
import type { ChatSender } from '../../src/app/ports/delivery.ts';
import { YishiError } from '../../src/errors.ts';
import { registerListeners } from './listeners.ts';
import { createSlackSender, slackPushClient } from './sender.ts';
import type { SlackDeps } from './turn.ts';
import { EVENTS_PATH, refuseStaleRequests } from './webhook.ts';

export type { SlackDeps } from './turn.ts';
export { EVENTS_PATH } from './webhook.ts';

export type SlackAdapterOptions = {
  token: string;
  signingSecret: string;
  /** Web API base (`SLACK_API_URL`); tests point it at a local fake. */
  apiUrl?: string | undefined;
  /**
   * How deliveries arrive: on `POST /slack/events` of this express app, or
   * over Socket Mode with an app-level token (`xapp-…`).
   */
  transport: { kind: 'http'; app: Express } | { kind: 'socket'; appToken: string };
  /** The bot's own ids; when absent, `auth.test` is called once at creation. */
  identity?: SlackBotIdentity | undefined;
  deps: SlackDeps;
};

/** Who the bot is in the workspace: its bot id and its user (`member_joined_channel` names it). */
export type SlackBotIdentity = { botId: string; botUserId: string };

/**
 * Asks Slack once who the token belongs to. Bolt would otherwise call
 * `auth.test` itself, and a failure at start would stay cached and fail
 * every later request; here a bad token stops the start with a clear error.
 */
async function whoAmI(token: string, apiUrl: string | undefined): Promise<SlackBotIdentity> {
  const client = new WebClient(token, apiUrl ? { slackApiUrl: apiUrl } : {});
  const me = await client.auth.test();
  if (!me.bot_id || !me.user_id) {
    throw new YishiError(
      'slack_token',
      'SLACK_BOT_TOKEN is not a bot token (auth.test named no bot)',
    );
  }
  return { botId: me.bot_id, botUserId: me.user_id };
}

/**
 * Socket Mode's start fails when Slack refuses the app-level token
 * (`apps.connections.open` answers `invalid_auth` or `missing_scope`, say):
 * said in one line naming SLACK_APP_TOKEN, as a refused bot token is,
 * instead of the Web API's bare "An API error occurred: invalid_auth" and
 * its stack.
 */
function socketStartError(error: unknown): unknown {
  if (!(error instanceof WebAPIPlatformError)) return error;
  return new YishiError(
    'slack_app_token',
    `SLACK_APP_TOKEN: Slack refused it for Socket Mode (${String(error.data.error)}); create an app-level token with connections:write (Slack app > Basic Information > App-Level Tokens)`,
    { cause: error },
  );
}

/**
 * Asks Slack once for a Socket Mode URL with the app-level token, before
 * Bolt does. Slack's Socket Mode client gives up only on five auth errors
 * (`invalid_auth`, `not_authed`, ...) and retries any other refusal for
 * ever, 5 s more each time: a token made without connections:write
 * (`missing_scope`) would leave the start hanging without a word. The URL
 * this hands out goes unused: each call makes a new temporary one, and
 * Bolt asks for its own.
 */
async function checkAppToken(
  appToken: string,
  clientOptions: ConstructorParameters<typeof WebClient>[1],
): Promise<void> {
  const client = new WebClient(appToken, clientOptions);
  try {
    await client.apps.connections.open();
  } catch (error) {
    throw socketStartError(error);
  }
}

export type SlackAdapter = {
  bolt: App;
  /** Socket Mode: connects; HTTP: nothing to do (the route is mounted). */
  start(): Promise<void>;
  /** Resolves once every acknowledged delivery has been handled (tests, shutdown). */
  settled(): Promise<void>;
  /** Disconnects (Socket Mode) and waits for acknowledged deliveries to be handled. */
  stop(): Promise<void>;
  /** For the push queue: one call per send/edit, no retries of its own. */
  sender: ChatSender;
};

/** Bolt's logger interface over the process's pino logger. */
function boltLogger(log: Logger): BoltLogger {
  const child = log.child({ component: 'bolt' });
  return {
    debug: (...msg) => child.debug(msg.map(String).join(' ')),
    info: (...msg) => child.info(msg.map(String).join(' ')),
    warn: (...msg) => child.warn(msg.map(String).join(' ')),
    error: (...msg) => child.error(msg.map(String).join(' ')),
    setLevel: () => {},
    getLevel: () => LogLevel.INFO,
    setName: () => {},
  };
}

/** Creates the Bolt app, learns the bot's identity once (unless given), and wires every listener. */
export async function createSlackAdapter(options: SlackAdapterOptions): Promise<SlackAdapter> {
  const { deps, transport } = options;
  const identity = options.identity ?? (await whoAmI(options.token, options.apiUrl));
  const logger = boltLogger(deps.log);
  // Replies retry a 429 a few times within Bolt's client; the push queue has its own client.
  const clientOptions = {
    ...(options.apiUrl ? { slackApiUrl: options.apiUrl } : {}),
    retryConfig: { retries: 2, maxTimeout: 5_000 },
  };
  let bolt: App;
  if (transport.kind === 'http') {
    // Registered before the receiver's route, so it runs first.
    transport.app.post(EVENTS_PATH, refuseStaleRequests);
    const receiver = new ExpressReceiver({
      signingSecret: options.signingSecret,
      app: transport.app,
      endpoints: EVENTS_PATH,
      // Acknowledge first (ack() answers the request), then handle.
      processBeforeResponse: false,
      logger,
    });
    bolt = new App({ token: options.token, ...identity, receiver, clientOptions, logger });
  } else {
    bolt = new App({
      token: options.token,
      ...identity,
      appToken: transport.appToken,
      socketMode: true,
      clientOptions,
      logger,
    });
  }
  const pending = registerListeners(bolt, deps);
  const sender = createSlackSender(slackPushClient(options.token, options.apiUrl));
  return {
    bolt,
    sender,
    async start() {
      if (transport.kind !== 'socket') return;
      await checkAppToken(transport.appToken, clientOptions);
      // Still caught: the token may be revoked between the check and Bolt's own call.
      await bolt.start().catch((error: unknown) => {
        throw socketStartError(error);
      });
    },
    settled: () => pending.settled(),
    async stop() {
      if (transport.kind === 'socket') await bolt.stop();
      await pending.settled();
    },
  };
}
