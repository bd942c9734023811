import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { authProblems, problemResponsesWithout404 } from '../common/schemas.js';
import { EventPage } from '../tasks/events-schemas.js';
import { AuditEventsQuery, LedgerRoot, VerifyQuery, VerifyResult } from './schemas.js';
import { computeRoot, listLedger, verifyLedger } from './service.js';

const tags = ['audit'];
const auditors = { access: ['auditor', 'supervisor'] as const };

const routes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/v1/audit/events',
    {
      config: auditors,
      schema: {
        operationId: 'listLedgerEvents',
        tags,
        summary: 'Every event of every task, in ledger order',
        description:
          'Incremental sync: keep the id of the last event you stored and ask for since=<that id>. Ids are gap-free and in commit order, so nothing is missed or repeated.',
        querystring: AuditEventsQuery,
        response: { 200: EventPage, ...problemResponsesWithout404, ...authProblems },
      },
    },
    (request) => listLedger(app.deps.db, request.query),
  );

  app.get(
    '/v1/audit/root',
    {
      config: auditors,
      schema: {
        operationId: 'getLedgerRoot',
        tags,
        summary: 'A digest of the whole ledger to record now and verify later',
        response: { 200: LedgerRoot, 500: problemResponsesWithout404[500], ...authProblems },
      },
    },
    () => computeRoot(app.deps.db, app.deps.clock()),
  );

  app.get(
    '/v1/audit/verify',
    {
      config: auditors,
      schema: {
        operationId: 'verifyLedger',
        tags,
        summary: 'Re-check every chain; with root and position, prove the history then is a prefix of now',
        querystring: VerifyQuery,
        response: { 200: VerifyResult, ...problemResponsesWithout404, ...authProblems },
      },
    },
    (request) => verifyLedger(app.deps.db, request.query.root && request.query.position !== undefined ? { root: request.query.root, position: request.query.position } : null, app.deps.clock()),
  );
};

export default routes;
