import type { FastifyBaseLogger } from 'fastify';
import { Redis } from 'ioredis';

/** How long a rate-limit check may wait on Redis before the request goes ahead without it. */
const COMMAND_TIMEOUT_MS = 500;

/**
 * The Redis connection that holds the request budgets shared by every process. The limits fail
 * open: while Redis is down or slow a request is served unlimited (@fastify/rate-limit's
 * skipOnError) rather than refused, since refusing every request would turn a cache outage into an
 * outage of the service. Commands fail at once while disconnected (no offline queue, one try) so a
 * request never waits for a reconnect, and the outage is logged once when it starts and once when it ends.
 */
export function connectRateLimitRedis(url: string, log: FastifyBaseLogger): Redis {
  const redis = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: COMMAND_TIMEOUT_MS,
    connectTimeout: 2_000,
    lazyConnect: true,
    retryStrategy: (attempt) => Math.min(attempt * 200, 5_000),
  });
  let down = false;
  redis.on('error', (error: Error) => {
    if (down) return;
    down = true;
    log.warn({ err: { message: error.message, code: (error as NodeJS.ErrnoException).code } }, 'Redis for the rate limits does not answer; requests are served without limits until it is back');
  });
  redis.on('ready', () => {
    if (!down) return;
    down = false;
    log.info('Redis for the rate limits answers again; limits apply');
  });
  return redis;
}

/** Connects, or gives up after the connect timeout: the service starts either way, failing open. */
export async function awaitRedis(redis: Redis): Promise<void> {
  await redis.connect().catch(() => {});
}
