import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { authProblems, IdParams, problemResponses, problemResponsesWithout404 } from '../common/schemas.js';
import { Document, DocumentListQuery, DocumentPage } from './schemas.js';
import { getDocument, listDocuments } from './service.js';

const tags = ['documents'];

const routes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/v1/documents',
    {
      config: { access: 'public-read' },
      schema: {
        operationId: 'listDocuments',
        tags,
        summary: 'List policy documents',
        querystring: DocumentListQuery,
        response: { 200: DocumentPage, ...problemResponsesWithout404, ...authProblems },
      },
    },
    (request) => listDocuments(app.deps.db, request.query),
  );

  app.get(
    '/v1/documents/:id',
    {
      config: { access: 'public-read' },
      schema: {
        operationId: 'getDocument',
        tags,
        summary: 'Get a document with its parts and articles',
        params: IdParams,
        response: { 200: Document, ...problemResponses, ...authProblems },
      },
    },
    (request) => getDocument(app.deps.db, request.params.id),
  );
};

export default routes;
