import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { loggableError } from '../../db/errors.js';
import { authProblems, problemResponses } from '../common/schemas.js';
import { readOperationalState } from './service.js';

const Exposition = z.string().describe('Prometheus text exposition format 0.0.4.');

const routes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/metrics',
    {
      // Operators' numbers (traffic by route, backlog) are for the service's keepers and its auditors.
      config: { access: ['admin', 'auditor'] },
      onRequest: app.requireKey,
      schema: {
        operationId: 'getMetrics',
        tags: ['health'],
        summary: 'Prometheus metrics: request durations by route, pool, ledger position, webhook outbox, report and export durations, process',
        response: {
          200: { description: 'The metrics, for a Prometheus scrape.', content: { 'text/plain': { schema: Exposition } } },
          ...authProblems,
          500: problemResponses[500],
        },
      },
    },
    async (request, reply) => {
      // A database that does not answer is itself what the scrape must show, not a failed scrape.
      const state = await readOperationalState(app.deps.db).catch((error: unknown) => {
        request.log.warn({ err: loggableError(error) ?? error }, 'metrics: the database did not answer');
        return null;
      });
      app.metrics.recordState(state);
      void reply.type(app.metrics.registry.contentType);
      return app.metrics.registry.metrics();
    },
  );
};

export default routes;
