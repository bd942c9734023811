import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { IdParams, problemResponses, problemResponsesWithout404 } from '../common/schemas.js';
import { Document, DocumentListQuery, DocumentPage } from './schemas.js';
import { getDocument, listDocuments } from './service.js';

const tags = ['documents'];

const routes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/v1/documents',
    {
      schema: {
        operationId: 'listDocuments',
        tags,
        summary: 'List policy documents',
        querystring: DocumentListQuery,
        response: { 200: DocumentPage, ...problemResponsesWithout404 },
      },
    },
    (request) => listDocuments(app.deps.db, request.query),
  );

  app.get(
    '/v1/documents/:id',
    {
      schema: {
        operationId: 'getDocument',
        tags,
        summary: 'Get a document with its parts and articles',
        params: IdParams,
        response: { 200: Document, ...problemResponses },
      },
    },
    (request) => getDocument(app.deps.db, request.params.id),
  );
};

export default routes;
