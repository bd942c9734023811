import { sql } from 'drizzle-orm';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { loggableError } from '../../db/errors.js';
import { sendProblem, UNAVAILABLE_RETRY_AFTER_SECONDS } from '../../plugins/problems.js';
import { Problem, rateLimitedProblem } from '../common/schemas.js';

const tags = ['health'];
const Status = z.object({ status: z.literal('ok') }).meta({ id: 'HealthStatus' });

const routes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/healthz',
    {
      schema: {
        operationId: 'getLiveness',
        tags,
        summary: 'Liveness: the process answers',
        security: [],
        response: { 200: Status, 429: rateLimitedProblem },
      },
    },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/readyz',
    {
      schema: {
        operationId: 'getReadiness',
        tags,
        summary: 'Readiness: the database answers',
        security: [],
        response: {
          200: Status,
          429: rateLimitedProblem,
          503: { description: 'The database does not answer.', content: { 'application/problem+json': { schema: Problem } } },
        },
      },
    },
    async (request, reply) => {
      try {
        await app.deps.db.execute(sql`select 1`);
        return { status: 'ok' as const };
      } catch (error) {
        request.log.warn({ err: loggableError(error) ?? error }, 'readiness check failed');
        void reply.header('retry-after', String(UNAVAILABLE_RETRY_AFTER_SECONDS));
        return sendProblem(request, reply, 'unavailable', 'The database does not answer; the service cannot serve requests yet.');
      }
    },
  );
};

export default routes;
