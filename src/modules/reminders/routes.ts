import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { authProblems, problemResponsesWithout404 } from '../common/schemas.js';
import { ReminderPage, ReminderQuery } from './schemas.js';
import { listReminders } from './service.js';

const routes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/v1/reminders',
    {
      config: { access: ['agency', 'supervisor', 'auditor'] },
      schema: {
        operationId: 'listReminders',
        tags: ['reminders'],
        summary: 'The reminders that fired, oldest first (task.due_soon, task.overdue, report.missing)',
        description:
          'The feed for consumers without webhooks: poll with since=<last id received>, or follow nextCursor. Ids increase in the order reminders fired. Agency keys see the reminders of the tasks assigned to their agency or to a group it belongs to.',
        querystring: ReminderQuery,
        response: { 200: ReminderPage, ...problemResponsesWithout404, ...authProblems },
      },
    },
    (request) => listReminders(app.deps.db, request.query, request.principal),
  );
};

export default routes;
