/**
 * The public board shows the current hot list (terms and counts, nothing of
 * who said what) while the community has hot topics on, and no such
 * section when the policy is off.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { boardHotTopics, hotTopicsParts } from '../../../src/runtime/hot-topics.ts';
import { createHttpApp, listen } from '../../../src/runtime/http-server.ts';
import { createMetrics } from '../../../src/runtime/metrics.ts';
import { boardReader } from '../../../src/store/board-store.ts';
import { boardRoutes } from '../../../src/web/board/routes.ts';
import { seedCommunity, testClock } from '../../support/community.ts';
import { createTestDatabase, type TestDatabase } from '../../support/postgres.ts';
import { REDIS_URL } from '../../support/push-harness.ts';

let db: TestDatabase;
let redis: Redis;
let server: Server;
let url: string;
// Thursday 2026-12-03 10:00 in Shanghai.
const clock = testClock(new Date('2026-12-03T02:00:00.000Z'));

beforeAll(async () => {
  db = await createTestDatabase();
  redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null, lazyConnect: true });
  const hot = hotTopicsParts({ sql: db.sql, redis, clock, onError: () => {} });
  const app = createHttpApp({ health: async () => ({}), metrics: createMetrics() });
  app.use(
    boardRoutes({
      reader: boardReader(db),
      clock,
      publicUrl: undefined,
      hotTopics: boardHotTopics(hot.topics),
    }),
  );
  server = await listen(app, 0);
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => server?.close(() => resolve()));
  redis?.disconnect();
  await db?.drop();
});

/** A community whose last days were rolled up with 电梯 from 6 people and 狗 from one. */
async function communityWithTopics(hotTopics: 'on' | 'off') {
  const seeded = await seedCommunity(db, {
    households: 3,
    policy: { hotTopics, board: 'public' },
    clock,
  });
  const parts = hotTopicsParts({ sql: db.sql, redis, clock, onError: () => {} });
  for (const day of ['2026-12-01', '2026-12-02']) {
    await parts.topics.saveDay(seeded.id, day, {
      messages: 40,
      terms: [
        { term: '电梯', messages: 6, senders: 6, senders7: 6 },
        { term: '停车', messages: 4, senders: 4, senders7: 4 },
      ],
    });
  }
  return seeded;
}

describe('the board’s hot topics', () => {
  it('lists the hot terms with counts while the policy is on', async () => {
    const c = await communityWithTopics('on');
    const page = await (await fetch(`${url}/board/${c.id}?lang=en`)).text();
    expect(page).toContain('What residents keep raising');
    expect(page).toContain('“电梯”: 12 messages from 6 people');
    expect(page).toContain('“停车”: 8 messages from 4 people');
    const zh = await (await fetch(`${url}/board/${c.id}?lang=zh`)).text();
    expect(zh).toContain('居民近期热议');
  });

  it('shows no hot-topics section when the policy is off', async () => {
    const c = await communityWithTopics('off');
    const page = await (await fetch(`${url}/board/${c.id}?lang=en`)).text();
    expect(page).toContain('Recent results');
    expect(page).not.toContain('What residents keep raising');
    expect(page).not.toContain('电梯');
  });
});
