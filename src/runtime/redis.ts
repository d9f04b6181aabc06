import { Redis } from 'ioredis';

/**
 * Connects to Redis and waits for the first answer. BullMQ needs
 * `maxRetriesPerRequest: null` on connections used by workers; we use it for
 * every connection so one client type serves all.
 */
export async function connectRedis(
  url: string,
  options: {
    timeoutMs?: number;
    /** Each failed (re)connection attempt or lost connection; dependency-health.ts tracks the outage. */
    onError?: (error: Error) => void;
    /** Connected again after a loss. */
    onReady?: () => void;
  } = {},
): Promise<Redis> {
  let connectedOnce = false;
  const redis = new Redis(url, {
    maxRetriesPerRequest: null,
    lazyConnect: true,
    connectTimeout: options.timeoutMs ?? 3000,
    // At start, fail fast so the person sees the problem; once connected,
    // keep retrying (a restarted Redis comes back) while health reports the gap.
    retryStrategy: (attempt) => (connectedOnce ? Math.min(attempt * 200, 2000) : null),
  });
  redis.on('ready', () => {
    if (connectedOnce) options.onReady?.();
    connectedOnce = true;
  });
  // Without a listener ioredis prints every reconnect error as unhandled.
  redis.on('error', (error) => {
    if (connectedOnce) options.onError?.(error);
  });
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    redis.disconnect();
    throw error;
  }
  return redis;
}

/** True when Redis answers PING within `timeoutMs`. */
export async function pingRedis(redis: Redis, timeoutMs = 1000): Promise<boolean> {
  if (redis.status !== 'ready') return false;
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    return await Promise.race([redis.ping().then((r) => r === 'PONG'), timeout]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}
