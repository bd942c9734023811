import fp from 'fastify-plugin';

/**
 * One log line per request, written when the response has gone out (Fastify's own pair of
 * "incoming request" / "request completed" lines is switched off in app.ts). It names who asked by
 * key id and role, never by the key itself, and the route by its pattern, never the raw URL,
 * whose query may carry a person's search text; the request id comes with the request's logger.
 * At debug level a request's arrival is logged too, to see what was in flight when a process stopped.
 */
export default fp(
  async (app) => {
    app.addHook('onRequest', async (request) => {
      request.log.debug({ method: request.method, route: request.routeOptions.url ?? null }, 'request received');
    });
    app.addHook('onResponse', async (request, reply) => {
      request.log.info(
        {
          method: request.method,
          route: request.routeOptions.url ?? null,
          statusCode: reply.statusCode,
          durationMs: Math.round(reply.elapsedTime * 100) / 100,
          keyId: request.principal?.keyId ?? null,
          role: request.principal?.role ?? null,
        },
        'request',
      );
    });
  },
  { name: 'request-log' },
);
