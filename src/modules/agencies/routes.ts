import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { authProblems, IdParams, problemResponses, problemResponsesWithout404 } from '../common/schemas.js';
import { Agency, AgencyListQuery, AgencyPage } from './schemas.js';
import { getAgency, listAgencies } from './service.js';

const tags = ['agencies'];

const routes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/v1/agencies',
    {
      config: { access: 'public-read' },
      schema: {
        operationId: 'listAgencies',
        tags,
        summary: 'List responsible agencies and groups, by id',
        querystring: AgencyListQuery,
        response: { 200: AgencyPage, ...problemResponsesWithout404, ...authProblems },
      },
    },
    (request) => listAgencies(app.deps.db, request.query),
  );

  app.get(
    '/v1/agencies/:id',
    {
      config: { access: 'public-read' },
      schema: {
        operationId: 'getAgency',
        tags,
        summary: 'Get an agency or group',
        params: IdParams,
        response: { 200: Agency, ...problemResponses, ...authProblems },
      },
    },
    (request) => getAgency(app.deps.db, request.params.id),
  );
};

export default routes;
