import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { awaitRedis, connectRateLimitRedis } from './rate-limit-redis.js';

class RateLimitError extends Error {
  readonly statusCode = 429;
}

/**
 * Secure response headers, and a request budget per key (per address for requests without
 * one). With REDIS_URL the budget (and the failed-authentication counts of the auth plugin, which
 * share this store) is counted in Redis, once for all replicas; without it, in each process.
 */
export default fp(
  async (app) => {
    await app.register(helmet, {
      // The interactive reference at /docs sets its own policy (swagger-ui's staticCSP).
      contentSecurityPolicy: { directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
    });
    const store = app.deps.config.rateLimitStore;
    const redis = store ? connectRateLimitRedis(store.redisUrl, app.log.child({ component: 'rate-limit' })) : undefined;
    if (redis) {
      await awaitRedis(redis);
      app.addHook('onClose', async () => {
        redis.disconnect();
      });
    }
    await app.register(rateLimit, {
      ...(redis && store ? { redis, nameSpace: `${store.prefix}rate-limit:`, skipOnError: true } : {}),
      global: true,
      // After authentication, so the budget is the key's and not the address's.
      hook: 'preHandler',
      max: app.deps.config.rateLimitPerMinute,
      timeWindow: 60_000,
      keyGenerator: (request: FastifyRequest) => (request.principal?.keyId ? `key:${request.principal.keyId}` : `ip:${request.ip}`),
      errorResponseBuilder: (_request, context) => new RateLimitError(`More than ${context.max} requests in a minute; retry in ${context.after}.`),
    });
  },
  { name: 'security', dependencies: ['context'] },
);
