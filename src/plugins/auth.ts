import bearerAuth from '@fastify/bearer-auth';
import type {} from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { KeyRole } from '../db/schema/index.js';
import { parseKey } from '../domain/api-keys.js';
import { ForbiddenError } from '../domain/errors.js';
import { ANONYMOUS, type Principal } from '../domain/permissions.js';
import { API_KEY_CHANNEL, KeyCache } from '../modules/api-keys/key-cache.js';
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

type FailureLimit = ReturnType<FastifyInstance['createRateLimit']>;

class RateLimitedError extends Error {
  readonly statusCode = 429;
}

/**
 * The public id of the key a request presents, in its Authorization header or as the board's
 * sign-in form's `key` field, or null when it names none.
 */
function presentedKeyId(request: FastifyRequest): string | null {
  const credentials = /^bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
  const formKey = (request.body as { key?: unknown } | undefined)?.key;
  const key = credentials ? credentials[1]! : typeof formKey === 'string' ? formKey : null;
  return key === null ? null : (parseKey(key)?.id ?? null);
}

/** A wrong, unknown or revoked key, or a malformed header: not a database that failed to answer the lookup. */
function isFailedAuthentication(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && code.startsWith('FST_BEARER_AUTH');
}

/**
 * Authentication (bearer API keys) and function-level authorisation by role. It decorates the
 * app with `requireKey`, an onRequest hook that the /v1 scope installs for all its routes, so no
 * route can forget it.
 */
export default fp(
  async (app) => {
    const { publicRead, authFailuresPerMinute, authFailuresPerAddressPerMinute } = app.deps.config;
    app.decorateRequest('principal', null as unknown as Principal);

    const keyCache = new KeyCache();
    app.decorate('keyCache', keyCache);
    const { notifications } = app.deps;
    if (notifications) {
      let unsubscribe: (() => Promise<void>) | undefined;
      app.addHook('onReady', async () => {
        unsubscribe = await notifications.subscribe(API_KEY_CHANNEL, keyCache);
      });
      app.addHook('onClose', async () => unsubscribe?.());
    }

    // Failures are counted twice: per address and key id, so that guessing at one key is cut off
    // soon without touching the other keys used behind the same NAT or proxy; and per address
    // over all key ids, with a far higher limit, so that trying one id after another is cut off too.
    // Not per key id alone: ids are not secret (the ledger shows them), and anyone could lock another's key out.
    const failuresByKey = app.createRateLimit({
      max: authFailuresPerMinute,
      timeWindow: 60_000,
      keyGenerator: (request: FastifyRequest) => `auth-failures:${request.ip}:${presentedKeyId(request) ?? '-'}`,
    });
    const failuresByAddress = app.createRateLimit({
      max: authFailuresPerAddressPerMinute,
      timeWindow: 60_000,
      keyGenerator: (request: FastifyRequest) => `auth-failures:${request.ip}`,
    });

    app.decorate('authFailureLimits', [failuresByKey, failuresByAddress]);

    await app.register(bearerAuth, {
      keys: [],
      addHook: false,
      // The scheme name is case-insensitive (RFC 9110 §11.1): "bearer" is as good as "Bearer".
      specCompliance: 'rfc6749',
      verifyErrorLogLevel: 'warn',
      auth: async (key: string, request: FastifyRequest) => {
        const principal = await authenticateKey(app.deps.db, key, keyCache);
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
      for (const standing of await Promise.all([failuresByKey(request, { increment: false }), failuresByAddress(request, { increment: false })])) {
        if (standing.isAllowed || !standing.isExceeded) continue;
        const retryAfter = Math.max(1, standing.ttlInSeconds);
        void reply.header('retry-after', String(retryAfter));
        throw new RateLimitedError(`Too many failed authentications from this address; retry in ${retryAfter} s.`);
      }
      try {
        await verifyKey(request, reply);
      } catch (error) {
        if (isFailedAuthentication(error)) await Promise.all([failuresByKey(request), failuresByAddress(request)]);
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
    /** The keys this process has authenticated; a route that changes a key tells it at once. */
    keyCache: KeyCache;
    /** The limits on failed authentications (per address and key id, per address); the board's sign-in form counts into them too. */
    authFailureLimits: readonly FailureLimit[];
  }
}
