/**
 * A gateway process (src/runtime/main.ts) on a PostgreSQL cluster and a Redis
 * of the test's own, with a community whose residents vote by Telegram
 * webhook, for the outage tests of this folder.
 */
import { bindChat } from '../../../src/app/bind-chat.ts';
import { cosign } from '../../../src/app/cosign.ts';
import { openVote } from '../../../src/app/deadlines.ts';
import { propose } from '../../../src/app/propose.ts';
import { rosterDeps } from '../../../src/runtime/roster-deps.ts';
import { seedCommunity, type TestCommunity } from '../../support/community.ts';
import { digestJustPassed } from '../../support/digest.ts';
import { type FakeTelegram, startFakeTelegram } from '../../support/fake-telegram.ts';
import { freePort, startGateway } from '../../support/processes.ts';
import {
  linkTelegramAccounts,
  SECRET_HEADER,
  TEST_SECRET,
  TEST_TOKEN,
} from '../../support/telegram.ts';
import {
  startThrowawayPostgres,
  type ThrowawayPostgres,
} from '../../support/throwaway-postgres.ts';
import { startThrowawayRedis, type ThrowawayRedis } from '../../support/throwaway-redis.ts';
import { waitFor } from '../../support/workers.ts';

export const GROUP = -1001000000918;

export type OutageRig = {
  pg: ThrowawayPostgres;
  redis: ThrowawayRedis;
  fake: FakeTelegram;
  c: TestCommunity;
  gateway: Awaited<ReturnType<typeof startGateway>>;
  url: string;
  post(update: object): Promise<number>;
  health(): Promise<{ status: number; body: { down?: string[] } & Record<string, unknown> }>;
  metrics(): Promise<string>;
  close(): Promise<void>;
};

export async function startOutageRig(households: number): Promise<OutageRig> {
  const pg = await startThrowawayPostgres();
  const redis = await startThrowawayRedis();
  const fake = await startFakeTelegram({ token: TEST_TOKEN, limits: false });
  const c = await seedCommunity(pg, {
    households,
    realClock: true,
    policy: {
      noticePeriod: '0s',
      votingWindow: '1h',
      quietHours: null,
      digest: digestJustPassed(new Date()),
    },
  });
  await linkTelegramAccounts(
    pg,
    c,
    c.residents.map((_, i) => i),
  );
  await bindChat(rosterDeps(pg), { communityId: c.id, platform: 'telegram', chatId: `${GROUP}` });
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const gateway = await startGateway({
    DATABASE_URL: pg.url,
    REDIS_URL: redis.url,
    YISHI_AUTO_MIGRATE: '0',
    TELEGRAM_BOT_TOKEN: TEST_TOKEN,
    TELEGRAM_WEBHOOK_SECRET: TEST_SECRET,
    TELEGRAM_API_ROOT: fake.apiRoot,
    PUBLIC_URL: url,
    PORT: String(port),
    ...(process.env.FAULTS_LOG_LEVEL ? { LOG_LEVEL: process.env.FAULTS_LOG_LEVEL } : {}),
  });
  return {
    pg,
    redis,
    fake,
    c,
    gateway,
    url,
    async post(update) {
      const response = await fetch(`${url}/telegram/webhook`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [SECRET_HEADER]: TEST_SECRET },
        body: JSON.stringify(update),
      });
      await response.arrayBuffer();
      return response.status;
    },
    async health() {
      const response = await fetch(`${url}/healthz`);
      return { status: response.status, body: (await response.json()) as { down?: string[] } };
    },
    async metrics() {
      return (await fetch(`${url}/metrics`)).text();
    },
    async close() {
      await gateway.stop().catch(() => {});
      await fake.close();
      await redis.stop();
      await pg.drop();
    },
  };
}

/** A proposal of `c` whose vote is open now (noticePeriod 0s); returns its number. */
export async function voteOpenNow(c: TestCommunity, pg: ThrowawayPostgres): Promise<number> {
  const proposed = await propose(c.deps, {
    actor: c.as(0),
    title: '加装电梯',
    category: 'elevator',
  });
  if (proposed.kind !== 'proposed') throw new Error(JSON.stringify(proposed));
  for (let i = 1; i < proposed.threshold; i++) {
    await cosign(c.deps, { actor: c.as(i), number: proposed.number });
  }
  // The gateway's own deadline worker may open it first.
  await openVote(c.deps, { communityId: c.id, number: proposed.number });
  await waitFor('the vote to open', async () => {
    const p = await pg.prisma.proposal.findFirstOrThrow({
      where: { communityId: c.id, number: proposed.number },
    });
    return p.state === 'voting' || undefined;
  });
  return proposed.number;
}

/** Log lines of the gateway (pino JSON), parsed; other lines are skipped. */
export function logLines(output: string): Record<string, unknown>[] {
  return output
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}
