import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { answerOnce } from '../common/idempotency.js';
import { authProblems, IdParams, problemResponse, problemResponses, problemResponsesWithout404 } from '../common/schemas.js';
import { IdempotencyHeaders, ReplayHeaders } from '../tasks/write-schemas.js';
import {
  ExtensionDecisionInput,
  ExtensionRequest,
  ExtensionRequestPage,
  ExtensionRequestParams,
  ExtensionRequestQuery,
  NewExtensionRequest,
} from './schemas.js';
import { decideExtension, getExtensionRequest, listExtensionRequests, requestExtension } from './service.js';

const tags = ['extension requests'];
const CreatedHeaders = ReplayHeaders.extend({ location: z.string().describe('The path of the request: /v1/extension-requests/{id}.') });

const routes: FastifyPluginAsyncZod = async (app) => {
  const writeContext = (principal: Parameters<typeof getExtensionRequest>[2]) => ({ now: app.deps.clock(), policy: app.deps.config, principal });

  app.post(
    '/v1/tasks/:id/extension-requests',
    {
      config: { access: ['agency'] },
      schema: {
        operationId: 'requestExtension',
        tags,
        summary: 'Ask for a later due date (the lead unit; Idempotency-Key honoured)',
        description:
          '延期申请: before the due date in force, with the reason. After it, the request is accepted and marked late, or refused, as the task’s list says (lateExtensionRequests). One request per task waits for a decision at a time. The request is a ledger event of the task (extension_requested), so the task’s version moves.',
        params: IdParams,
        headers: IdempotencyHeaders,
        body: NewExtensionRequest,
        response: {
          201: { description: 'The request, waiting for the supervising office.', headers: CreatedHeaders, content: { 'application/json': { schema: ExtensionRequest } } },
          ...problemResponses,
          ...authProblems,
          409: problemResponse('The task is done or has no due date, its list refuses late requests (extension_not_open), or a request is pending (extension_pending).'),
          422: problemResponse('The Idempotency-Key was used before with a different request.'),
        },
      },
    },
    async (request, reply) => {
      const context = writeContext(request.principal);
      const asked = { extensionOf: request.params.id, ...request.body };
      const created = await answerOnce(app.deps.db, request, reply, { asked, now: context.now, status: 201, run: (tx) => requestExtension(tx, request.params.id, request.body, context) });
      return reply.header('location', `/v1/extension-requests/${created.id}`).send(created);
    },
  );

  app.get(
    '/v1/extension-requests',
    {
      config: { access: ['agency', 'supervisor', 'auditor'] },
      schema: {
        operationId: 'listExtensionRequests',
        tags,
        summary: 'Extension requests, in the order they were made (status=pending: the office’s inbox)',
        description: 'Agency keys see the requests on their own agency’s tasks.',
        querystring: ExtensionRequestQuery,
        response: { 200: ExtensionRequestPage, ...problemResponsesWithout404, ...authProblems },
      },
    },
    (request) => listExtensionRequests(app.deps.db, request.query, request.principal),
  );

  app.get(
    '/v1/extension-requests/:id',
    {
      config: { access: ['agency', 'supervisor', 'auditor'] },
      schema: {
        operationId: 'getExtensionRequest',
        tags,
        summary: 'An extension request and its decision',
        params: ExtensionRequestParams,
        response: { 200: ExtensionRequest, ...problemResponses, ...authProblems },
      },
    },
    (request) => getExtensionRequest(app.deps.db, request.params.id, request.principal),
  );

  app.post(
    '/v1/extension-requests/:id/decision',
    {
      config: { access: ['supervisor'] },
      schema: {
        operationId: 'decideExtension',
        tags,
        summary: 'Approve (possibly with another date) or refuse an extension request',
        description:
          'Approving moves the task’s due date in force (overdue and health follow it) and keeps the original one (originalDueDate) the first time; refusing needs a note. Either is a ledger event of the task (extension_approved, extension_refused).',
        params: ExtensionRequestParams,
        body: ExtensionDecisionInput,
        response: {
          200: ExtensionRequest.describe('The request with its decision.'),
          ...problemResponses,
          ...authProblems,
          409: problemResponse('The request was decided already (extension_decided).'),
        },
      },
    },
    (request) => decideExtension(app.deps.db, request.params.id, request.body, writeContext(request.principal)),
  );
};

export default routes;
