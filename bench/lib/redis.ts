/**
 * Redis for a scenario: a private redis-server (for FLUSHALL and memory
 * figures, and so that the tests' shared Redis does not disturb timing), or
 * a unique BullMQ prefix on a given Redis whose keys are removed afterwards.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { startRedis } from '../../tests/support/processes.ts';

export type PrivateRedis = {
  url: string;
  connection: () => Redis;
  /** INFO memory used_memory, in bytes. */
  usedMemory: () => Promise<number>;
  stop: () => Promise<void>;
};

/** A redis-server on a free port with defaults (hz 10), no persistence. */
export async function privateRedis(): Promise<PrivateRedis> {
  const server = await startRedis();
  const clients: Redis[] = [];
  const connection = () => {
    const client = new Redis(server.url, { maxRetriesPerRequest: null });
    client.on('error', () => {});
    clients.push(client);
    return client;
  };
  const admin = connection();
  return {
    url: server.url,
    connection,
    async usedMemory() {
      const info = await admin.info('memory');
      const match = /used_memory:(\d+)/.exec(info);
      if (!match?.[1]) throw new Error('INFO memory without used_memory');
      return Number(match[1]);
    },
    async stop() {
      for (const c of clients) c.disconnect();
      await server.stop();
    },
  };
}

export const uniquePrefix = (scenario: string) => `bench-${scenario}-${randomUUID().slice(0, 8)}`;

/** Deletes every key under a BullMQ prefix (SCAN, never FLUSHALL: the Redis may be shared). */
export async function deletePrefix(redis: Redis, prefix: string): Promise<number> {
  let deleted = 0;
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) deleted += await redis.unlink(...keys);
  } while (cursor !== '0');
  return deleted;
}
