import bearerAuth from '@fastify/bearer-auth';
import type {} from '@fastify/rate-limit';
import type { FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { KeyRole } from '../db/schema/index.js';
import { ForbiddenError } from '../domain/errors.js';
import { ANONYMOUS, type Principal } from '../domain/permissions.js';
import { authenticateKey } from '../modules/api-keys/service.js';

/**
 * Who may call a route: 'public-read' (any key, or none when PUBLIC_READ is on), 'any-key', or
 * the list of key roles allowed. Routes under /v1 without an access setting need a key.
 */
export type Access = 'public-read' | 'any-key' | readonly KeyRole[];

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal;
  }
  interface FastifyContextConfig {
    access?: Access;
  }
}

class RateLimitedError extends Error {
  readonly statusCode = 429;
}

/**
 * Authentication (bearer API keys) and function-level authorisation by role. It decorates the
 * app with `requireKey`, an onRequest hook that the /v1 scope installs for all its routes, so no
 * route can forget it.
 */
export default fp(
  async (app) => {
    const { publicRead, authFailuresPerMinute } = app.deps.config;
    app.decorateRequest('principal', null as unknown as Principal);

    const failedAuthentications = app.createRateLimit({ max: authFailuresPerMinute, timeWindow: 60_000, keyGenerator: (request: FastifyRequest) => request.ip });

    await app.register(bearerAuth, {
      keys: [],
      addHook: false,
      verifyErrorLogLevel: 'warn',
      auth: async (key: string, request: FastifyRequest) => {
        const principal = await authenticateKey(app.deps.db, key);
        if (principal) request.principal = principal;
        return principal !== null;
      },
    });

    const verifyKey = (request: FastifyRequest, reply: FastifyReply) =>
      new Promise<void>((resolve, reject) => {
        app.verifyBearerAuth!(request, reply, (error?: Error) => (error ? reject(error) : resolve()));
      });

    app.decorate('requireKey', async (request: FastifyRequest, reply: FastifyReply) => {
      const access = request.routeOptions.config.access ?? 'any-key';
      if (access === 'public-read' && publicRead && request.headers.authorization === undefined) {
        request.principal = ANONYMOUS;
        return;
      }
      const standing = await failedAuthentications(request, { increment: false });
      if (!standing.isAllowed && standing.isExceeded) throw new RateLimitedError('Too many failed authentications from this address; wait a minute.');
      try {
        await verifyKey(request, reply);
      } catch (error) {
        await failedAuthentications(request);
        throw error;
      }
      if (Array.isArray(access) && !access.includes(request.principal.role as KeyRole)) {
        throw new ForbiddenError(`This operation needs a key with role ${access.join(' or ')}; yours has role ${request.principal.role}.`);
      }
    });
  },
  { name: 'auth', dependencies: ['context', '@fastify/rate-limit'] },
);

declare module 'fastify' {
  interface FastifyInstance {
    requireKey: (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
  }
}
