import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { authProblems, problemResponses } from '../common/schemas.js';
import { ApiKeyListQuery, ApiKeyPage, CreatedApiKey, KeyIdParams, Me, NewApiKey } from './schemas.js';
import { createKey, describePrincipal, listKeys, revokeKey } from './service.js';

const tags = ['api-keys'];
const adminOnly = { access: ['admin'] as const };

const routes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/v1/api-keys',
    {
      config: adminOnly,
      schema: {
        operationId: 'createApiKey',
        tags,
        summary: 'Create an API key (admin)',
        description: 'The answer is the only time the key itself is shown: store it at once.',
        body: NewApiKey,
        response: { 201: CreatedApiKey, 400: problemResponses[400], ...authProblems },
      },
    },
    async (request, reply) => {
      const created = await createKey(app.deps.db, request.body, { createdBy: request.principal.keyId, now: app.deps.clock() });
      return reply.code(201).send(created);
    },
  );

  app.get(
    '/v1/api-keys',
    {
      config: adminOnly,
      schema: {
        operationId: 'listApiKeys',
        tags,
        summary: 'List API keys, revoked ones included (admin)',
        querystring: ApiKeyListQuery,
        response: { 200: ApiKeyPage, 400: problemResponses[400], ...authProblems },
      },
    },
    (request) => listKeys(app.deps.db, request.query),
  );

  app.delete(
    '/v1/api-keys/:id',
    {
      config: adminOnly,
      schema: {
        operationId: 'revokeApiKey',
        tags,
        summary: 'Revoke an API key (admin)',
        params: KeyIdParams,
        response: { 204: z.undefined().describe('Revoked (or already revoked).'), ...problemResponses, ...authProblems },
      },
    },
    async (request, reply) => {
      await revokeKey(app.deps.db, request.params.id, app.deps.clock());
      // The database announces it to every process, this one included; this one need not wait for that.
      app.keyCache.onMessage(request.params.id);
      return reply.code(204).send();
    },
  );

  app.get(
    '/v1/me',
    {
      config: { access: 'any-key' },
      schema: {
        operationId: 'getMe',
        tags,
        summary: 'The key making this request: its role and agency',
        response: { 200: Me, ...authProblems },
      },
    },
    (request) => describePrincipal(app.deps.db, request.principal),
  );
};

export default routes;
