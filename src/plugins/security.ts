import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';

class RateLimitError extends Error {
  readonly statusCode = 429;
}

/**
 * Secure response headers, and a request budget per key (per address for requests without
 * one). The budget is counted in each process; behind a load balancer each replica enforces it.
 */
export default fp(
  async (app) => {
    await app.register(helmet, {
      // The interactive reference at /docs sets its own policy (swagger-ui's staticCSP).
      contentSecurityPolicy: { directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
    });
    await app.register(rateLimit, {
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
