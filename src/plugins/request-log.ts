import { type FastifyReply, type FastifyRequest, LogController } from 'fastify';

/**
 * One log line per request, written when the response has gone out, in place of Fastify's pair of
 * "incoming request" / "request completed" lines. It names who asked by key id and role, never by
 * the key itself, and the route by its pattern, never the raw URL, whose query may carry a
 * person's search text; the request id comes with the request's logger. At debug level a
 * request's arrival is logged too, to see what was in flight when a process stopped.
 */
export class RequestLog extends LogController {
  override incomingRequest(request: FastifyRequest) {
    request.log.debug({ method: request.method, route: request.routeOptions.url ?? null }, 'request received');
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply) {
    const line = {
      method: request.method,
      route: request.routeOptions.url ?? null,
      statusCode: reply.statusCode,
      durationMs: Math.round(reply.elapsedTime * 100) / 100,
      keyId: request.principal?.keyId ?? null,
      role: request.principal?.role ?? null,
    };
    // An error here is the response's own (a stream that broke off), not one a handler answered.
    if (error) request.log.error({ ...line, err: error }, 'request');
    else request.log.info(line, 'request');
  }
}
