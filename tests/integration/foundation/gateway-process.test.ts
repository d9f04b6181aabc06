import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../support/postgres.ts';
import { freePort, runNode, startGateway, startRedis } from '../../support/processes.ts';

describe('the gateway process', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'yishi-pglite-'));
  });
  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  it('boots on the embedded database and reports Redis going away as 503', async () => {
    const redis = await startRedis();
    const port = await freePort();
    const gateway = await startGateway({
      PORT: String(port),
      REDIS_URL: redis.url,
      YISHI_DATA_DIR: dataDir,
    });
    try {
      const up = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect(up.status).toBe(200);
      expect(await up.json()).toMatchObject({ db: 'up', redis: 'up' });

      const metrics = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect(metrics.headers.get('content-type')).toContain('text/plain');
      expect(await metrics.text()).toContain('yishi_http_requests_total');

      await redis.stop();
      const down = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect(down.status).toBe(503);
      expect(await down.json()).toMatchObject({ down: ['redis'], db: 'up', redis: 'down' });
    } finally {
      expect(await gateway.stop()).toBe(0);
      await redis.stop();
    }
  });

  it('migrates an empty PostgreSQL database on first start and applies nothing on the second', async () => {
    const db = await createTestDatabase();
    try {
      await db.prisma.$executeRawUnsafe('DROP SCHEMA public CASCADE');
      await db.prisma.$executeRawUnsafe('CREATE SCHEMA public');
      const env = { DATABASE_URL: db.url, PORT: String(await freePort()) };
      const first = await startGateway(env);
      await first.stop();
      expect(first.logs()).toMatch(/"applied":\["\d+_init"/);
      const second = await startGateway(env);
      await second.stop();
      expect(second.logs()).toContain('"applied":[]');
      expect(second.logs()).toContain('database up to date');
    } finally {
      await db.drop();
    }
  });

  it.each([
    [{ DATABASE_URL: 'nonsense' }, 'DATABASE_URL'],
    [{ PORT: 'x' }, 'PORT'],
    [{ REDIS_URL: 'redis://127.0.0.1:1' }, 'REDIS_URL'],
    // Webhook mode without a secret: grammY would accept any request.
    [
      { TELEGRAM_BOT_TOKEN: '123:abc', PUBLIC_URL: 'https://yishi.example.org' },
      'TELEGRAM_WEBHOOK_SECRET',
    ],
    // Without the signing secret no Slack request could be checked.
    [{ SLACK_BOT_TOKEN: 'xoxb-1' }, 'SLACK_SIGNING_SECRET'],
    [
      { SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's', SLACK_APP_TOKEN: 'x' },
      'SLACK_APP_TOKEN',
    ],
  ])('stops with exit code 2 and one line for %o', async (env, variable) => {
    const dir = await mkdtemp(join(tmpdir(), 'yishi-pglite-'));
    try {
      const run = await runNode(['--import', 'tsx', 'src/runtime/main.ts'], {
        ...env,
        YISHI_DATA_DIR: dir,
      });
      expect(run.code).toBe(2);
      const lines = run.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(new RegExp(`^yishi: ${variable}: `));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses to run workers on a Redis that may evict keys, with one line naming REDIS_URL', async () => {
    const redis = await startRedis();
    const dir = await mkdtemp(join(tmpdir(), 'yishi-pglite-'));
    const client = new Redis(redis.url);
    try {
      await client.config('SET', 'maxmemory-policy', 'allkeys-lru');
      const run = await runNode(['--import', 'tsx', 'src/runtime/main.ts', 'worker'], {
        REDIS_URL: redis.url,
        YISHI_DATA_DIR: dir,
      });
      expect(run.code).toBe(2);
      const lines = run.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^yishi: REDIS_URL: Redis maxmemory-policy is "allkeys-lru"/);
    } finally {
      client.disconnect();
      await redis.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
