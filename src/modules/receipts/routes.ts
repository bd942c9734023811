import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { authProblems, IdParams, problemResponse, problemResponses, problemResponsesWithout404 } from '../common/schemas.js';
import { Receipt, ReceiptPage, ReceiptQuery } from './schemas.js';
import { acknowledgeTask, listReceipts } from './service.js';

const tags = ['receipts'];

const routes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/v1/tasks/:id/receipt',
    {
      config: { access: ['agency'] },
      schema: {
        operationId: 'acknowledgeTask',
        tags,
        summary: 'Sign for a task (签收), once per assignment',
        description:
          'The unit signs for the assignment it acts under: its own, or, for a district, 各区人民政府’s (the first member to sign does so for the group). A receipt is a ledger event of the task (assignment_acknowledged), so the task’s version moves; signing again answers the first receipt with 200 and records nothing.',
        params: IdParams,
        response: {
          201: { description: 'Signed for now.', content: { 'application/json': { schema: Receipt } } },
          200: { description: 'Signed for already: the first receipt.', content: { 'application/json': { schema: Receipt } } },
          ...problemResponses,
          ...authProblems,
          409: problemResponse('The task is verified (已销号) and read-only to agencies.'),
        },
      },
    },
    async (request, reply) => {
      const context = { now: app.deps.clock(), policy: app.deps.config, principal: request.principal };
      const { receipt, created } = await app.deps.db.transaction((tx) => acknowledgeTask(tx, request.params.id, context));
      return reply.code(created ? 201 : 200).send(receipt);
    },
  );

  app.get(
    '/v1/receipts',
    {
      config: { access: ['agency', 'supervisor', 'auditor'] },
      schema: {
        operationId: 'listReceipts',
        tags,
        summary: 'Assignments and whether their units have signed for them (acknowledged=false: who has not)',
        description: 'Agency keys see the assignments of their own agency and of the groups it belongs to.',
        querystring: ReceiptQuery,
        response: { 200: ReceiptPage, ...problemResponsesWithout404, ...authProblems },
      },
    },
    (request) => listReceipts(app.deps.db, request.query, request.principal),
  );
};

export default routes;
