/**
 * BullMQ only warns when Redis may evict keys; an evicted job is a deadline
 * that silently never fires. The workers refuse to start instead.
 */
import type { Redis } from 'ioredis';
import { YishiError } from '../src/errors.ts';

/** Resolves when Redis' `maxmemory-policy` is `noeviction`; otherwise throws a one-line YishiError. */
export async function checkRedisPolicy(redis: Redis): Promise<void> {
  let policy: string | undefined;
  try {
    const reply = (await redis.config('GET', 'maxmemory-policy')) as unknown;
    policy = Array.isArray(reply) ? String(reply[1] ?? '') : undefined;
  } catch {
    // Managed Redis services often forbid CONFIG; INFO memory carries the same setting.
    const info = await redis.info('memory');
    policy = /maxmemory_policy:(\S+)/.exec(info)?.[1];
  }
  if (policy === 'noeviction') return;
  throw new YishiError(
    'redis_eviction_policy',
    `REDIS_URL: Redis maxmemory-policy is "${policy ?? 'unknown'}", but the queues need "noeviction" (evicted keys are lost deadlines); run \`redis-cli config set maxmemory-policy noeviction\` and set it in redis.conf`,
  );
}
