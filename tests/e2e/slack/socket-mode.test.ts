/**
 * Socket Mode, as a developer runs it: SLACK_APP_TOKEN set and no
 * PUBLIC_URL, the configuration parsed by `loadConfig` and the HTTP side
 * started by `startWeb`, against the fake Slack's Web API and its Socket
 * Mode server (tests/support/fake-slack-socket.ts). Deliveries arrive as
 * envelopes over the WebSocket, each acknowledged within Slack's 3 seconds
 * (the fake fails the delivery otherwise); the cards go out through the
 * real workers and push queue to the fake Web API. After Slack asks for a
 * refresh (`disconnect`), the gateway opens a new connection by itself and
 * carries on.
 */
import { once } from 'node:events';
import { type AddressInfo, connect } from 'node:net';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bindChat } from '../../../src/app/bind-chat.ts';
import { loadConfig } from '../../../src/config.ts';
import { createMetrics } from '../../../src/runtime/metrics.ts';
import { rosterDeps } from '../../../src/runtime/roster-deps.ts';
import { startWeb, type Web } from '../../../src/runtime/web.ts';
import { seedCommunity, type TestCommunity } from '../../support/community.ts';
import type { FakeSlack, SlackMessage } from '../../support/fake-slack.ts';
import { type FakeSlackSocket, startFakeSlackSocket } from '../../support/fake-slack-socket.ts';
import { createTestDatabase, type TestDatabase } from '../../support/postgres.ts';
import { freePort } from '../../support/processes.ts';
import { REDIS_URL } from '../../support/push-harness.ts';
import {
  blockActionsPayload,
  cosignCount,
  dmMessage,
  eventCallback,
  SLACK_SECRET,
  SLACK_TOKEN,
  slackUserOf,
  slashCommandFields,
} from '../../support/slack.ts';
import { type Pipeline, startPipeline } from '../../support/telegram.ts';

const CHANNEL = 'C0SOCKET';
const APP_TOKEN = 'xapp-1-A0TEST-1-socket';

/** The environment a developer sets for Socket Mode: no PUBLIC_URL. */
const developerEnv = (apiUrl: string, appToken = APP_TOKEN) => ({
  SLACK_BOT_TOKEN: SLACK_TOKEN,
  SLACK_SIGNING_SECRET: SLACK_SECRET,
  SLACK_APP_TOKEN: appToken,
  SLACK_API_URL: apiUrl,
  PORT: '0',
  LOG_LEVEL: 'silent',
});

/** Whether nothing listens on `port` any more: a connection to it is refused. */
async function refused(port: number): Promise<boolean> {
  const socket = connect(port, '127.0.0.1');
  try {
    await once(socket, 'connect');
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ECONNREFUSED';
  } finally {
    socket.destroy();
  }
}

describe('Slack over Socket Mode (SLACK_APP_TOKEN, no PUBLIC_URL)', () => {
  let db: TestDatabase;
  let c: TestCommunity;
  let socket: FakeSlackSocket;
  let fake: FakeSlack;
  let redis: Redis;
  let web: Web;
  let stopped = false;
  let pipeline: Pipeline;

  beforeAll(async () => {
    db = await createTestDatabase();
    c = await seedCommunity(db, { households: 8, realClock: true, slackUserOf });
    await bindChat(rosterDeps(db), { communityId: c.id, platform: 'slack', chatId: CHANNEL });
    socket = await startFakeSlackSocket({
      appToken: APP_TOKEN,
      web: { token: SLACK_TOKEN, perChannel: false },
    });
    fake = socket.web;
    redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
    const config = loadConfig(developerEnv(fake.apiUrl));
    web = await startWeb({
      config,
      db,
      redis,
      core: c.deps,
      metrics: createMetrics(),
      log: pino({ level: process.env.SLACK_TEST_LOG ?? 'silent' }),
    });
    const slack = web.slack;
    if (!slack) throw new Error('no Slack adapter');
    pipeline = await startPipeline(db, undefined, {
      coalesceMs: 100,
      senders: { slack: slack.sender },
    });
  });
  afterAll(async () => {
    await pipeline?.close();
    if (!stopped) await web?.close();
    redis?.disconnect();
    await socket?.close();
    await db?.drop();
  });

  const cosigns = (number: number) => cosignCount(db, c.id, number);
  const settled = () => web.slack?.settled() ?? Promise.resolve();
  const command = (i: number, text: string) =>
    socket.deliver(
      'slash_commands',
      slashCommandFields(fake, { channel: CHANNEL, user: slackUserOf(i), text }),
    );
  async function card(heading: string, check: (m: SlackMessage) => boolean = () => true) {
    const find = () => fake.messagesIn(CHANNEL).find((m) => m.text.startsWith(heading) && check(m));
    await fake
      .until(() => find() !== undefined, 15_000)
      .catch((error: unknown) => {
        const texts = fake.messagesIn(CHANNEL).map((m) => m.text);
        throw new Error(`no card "${heading}" in ${JSON.stringify(texts)}`, { cause: error });
      });
    const found = find();
    if (!found) throw new Error(`no card ${heading}`);
    return found;
  }

  it('connects with the app-level token instead of taking HTTP requests', async () => {
    // Twice: the start asks once itself (to fail promptly on a refusal), then Bolt's client.
    const opened = fake.calls('apps.connections.open');
    expect(opened.map((call) => call.response.ok)).toEqual([true, true]);
    expect(socket.connections()).toHaveLength(1);
    expect(socket.current()?.id).toBe(1);
    // Without PUBLIC_URL nothing listens at /slack/events.
    const { port } = web.server.address() as AddressInfo;
    const posted = await fetch(`http://127.0.0.1:${port}/slack/events`, {
      method: 'POST',
      body: '{}',
    });
    expect(posted.status).toBe(404);
  });

  it('acknowledges a slash command and posts the proposal card it made', async () => {
    const ack = await command(3, 'propose 修缮车棚 #other\n雨棚漏水。');
    // A command's ack carries no response (the card is the answer): an empty payload.
    expect(ack.payload ?? {}).toEqual({});
    const proposal = await card('议题 #1：修缮车棚');
    expect(proposal.text).toContain('附议 1/3');
    expect(await cosigns(1)).toBe(1);
  });

  it('records a button press once, however often its envelope arrives', async () => {
    const proposal = await card('议题 #1：');
    const press = blockActionsPayload(fake, {
      channel: CHANNEL,
      user: slackUserOf(4),
      messageTs: proposal.ts,
      value: 'v1:c:1',
      actionTs: '1764500000.000100',
    });
    await socket.deliver('interactive', press);
    await socket.deliver('interactive', press);
    await settled();
    expect(await cosigns(1)).toBe(2);
    const replies = fake.ephemerals().filter((e) => e.user === slackUserOf(4));
    expect(replies.map((e) => e.text)).toEqual(['您已附议 #1：2/3。感谢支持！']);
    await card('议题 #1：', (m) => m.text.includes('附议 2/3'));
  });

  it('handles an event once when Slack redelivers it with retry_attempt 1 and 2', async () => {
    const user = slackUserOf(5);
    const dm = fake.dmOf(user);
    const payload = eventCallback({
      eventId: 'Ev0SOCKET',
      event: dmMessage({ dm, user, text: 'cosign 1', ts: '1764500001.000100' }),
    });
    await socket.deliver('events_api', payload);
    await socket.deliver('events_api', payload, { retryAttempt: 1, retryReason: 'timeout' });
    await socket.deliver('events_api', payload, { retryAttempt: 2, retryReason: 'timeout' });
    await settled();
    expect(await cosigns(1)).toBe(3);
    // The third co-sign reaches the threshold: one answer, in the DM.
    const answers = fake.messagesIn(dm).map((m) => m.text);
    expect(answers).toHaveLength(1);
    expect(answers[0]).toMatch(/^您已附议 #1，附议已达标（3\/3）/);
  });

  it('handles an event whose first delivery arrives as a retry (its first ack was lost)', async () => {
    // Deduplicated by event_id, not by retry_attempt: an event Slack first delivers as a
    // retry is handled, and once.
    const user = slackUserOf(7);
    const dm = fake.dmOf(user);
    const payload = eventCallback({
      eventId: 'Ev0SOCKETLOST',
      event: dmMessage({ dm, user, text: 'cosign 1', ts: '1764500002.000100' }),
    });
    await socket.deliver('events_api', payload, { retryAttempt: 1, retryReason: 'timeout' });
    await socket.deliver('events_api', payload, { retryAttempt: 2, retryReason: 'timeout' });
    await settled();
    // #1 reached its threshold in the test before: the co-sign is answered, not counted.
    expect(await cosigns(1)).toBe(3);
    const answers = fake.messagesIn(dm).map((m) => m.text);
    expect(answers).toHaveLength(1);
    expect(answers[0]).toMatch(/^#1 已不在征集附议阶段/);
  });

  it('reconnects after a refresh_requested disconnect and keeps working', async () => {
    socket.refresh();
    await socket.connected(2, 20_000);
    const [first, second] = socket.connections();
    // The gateway closed the old connection itself (1000), before Slack's grace ran out.
    expect(first?.closeCode).toBe(1000);
    expect(second?.closedAt).toBeUndefined();
    // A new URL each time (the start's own check, two connections): none is reused.
    expect(fake.calls('apps.connections.open')).toHaveLength(3);
    expect(new Set(socket.issued()).size).toBe(3);

    await command(6, 'propose 更换路灯 #other');
    await card('议题 #2：更换路灯');
    expect(socket.deliveries().at(-1)?.connection).toBe(2);
  });

  it('acknowledged every envelope exactly once, and sent nothing else', () => {
    const delivered = socket.deliveries().map((d) => d.envelopeId);
    // 2 commands, 2 presses, 3 deliveries of one event, 2 of another.
    expect(delivered).toHaveLength(9);
    expect(socket.acks().map((a) => a.envelopeId)).toEqual(delivered);
    expect(socket.strays()).toEqual([]);
  });

  it('closes its connection itself when the gateway stops', async () => {
    stopped = true;
    await web.close();
    // A normal close (1000) from the app, not Slack's timeout or a dropped connection.
    await socket.until(() => socket.current() === undefined, 'no open connection', 5_000);
    expect(socket.connections().map((connection) => connection.closeCode)).toEqual([1000, 1000]);
  });
});

describe('Socket Mode with an app-level token Slack refuses', () => {
  let db: TestDatabase;
  let c: TestCommunity;
  let redis: Redis;
  beforeAll(async () => {
    db = await createTestDatabase();
    c = await seedCommunity(db, { households: 1, realClock: true });
    redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  });
  afterAll(async () => {
    redis?.disconnect();
    await db?.drop();
  });

  /** Starts the gateway as a developer does, on a port of its own, against `socket`. */
  async function start(socket: FakeSlackSocket, appToken: string) {
    const port = await freePort();
    const config = loadConfig({
      ...developerEnv(socket.web.apiUrl, appToken),
      PORT: String(port),
    });
    const started = startWeb({
      config,
      db,
      redis,
      core: c.deps,
      metrics: createMetrics(),
      log: pino({ level: 'silent' }),
    });
    return { port, started };
  }

  it('stops the start with an error naming the token, opens no connection and closes its port', async () => {
    const socket = await startFakeSlackSocket({
      appToken: APP_TOKEN,
      web: { token: SLACK_TOKEN, perChannel: false },
    });
    try {
      const { port, started } = await start(socket, 'xapp-1-A0TEST-1-revoked');
      await expect(started).rejects.toThrow(/SLACK_APP_TOKEN.*invalid_auth/);
      expect(socket.web.calls('apps.connections.open').map((call) => call.response.error)).toEqual([
        'invalid_auth',
      ]);
      expect(socket.connections()).toEqual([]);
      // The HTTP server the start had opened is closed again: nothing is left listening.
      expect(await refused(port)).toBe(true);
    } finally {
      await socket.close();
    }
  });

  it('stops the start at once when the token lacks connections:write (missing_scope)', async () => {
    // Slack's Socket Mode client gives up only on a few auth errors and retries any other
    // refusal for ever, the first time after 5 s: the start must not wait for it.
    const socket = await startFakeSlackSocket({
      appToken: APP_TOKEN,
      refusal: 'missing_scope',
      web: { token: SLACK_TOKEN, perChannel: false },
    });
    try {
      const { port, started } = await start(socket, APP_TOKEN);
      const outcome = await Promise.race([
        started.then(
          () => 'started',
          (error: unknown) => (error instanceof Error ? error.message : String(error)),
        ),
        new Promise<string>((resolve) =>
          setTimeout(() => resolve('still starting after 3 s'), 3_000),
        ),
      ]);
      expect(outcome).toMatch(/^SLACK_APP_TOKEN: .*missing_scope.*connections:write/);
      expect(socket.web.calls('apps.connections.open').map((call) => call.response.error)).toEqual([
        'missing_scope',
      ]);
      expect(socket.connections()).toEqual([]);
      expect(await refused(port)).toBe(true);
    } finally {
      await socket.close();
    }
  });
});
